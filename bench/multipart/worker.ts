// Reads one multipart body either way, then touches each file's bytes once
// (as the attachment check does), and answers what it read.
import { readSubmission } from "../../src/inquiry/read-body.ts";

const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

async function viaFormData(request: Request): Promise<Map<string, unknown[]>> {
  const form = await request.formData();
  const fields = new Map<string, unknown[]>();
  for (const [name, value] of form) fields.set(name, [...(fields.get(name) ?? []), value]);
  return fields;
}

export default {
  async fetch(request: Request): Promise<Response> {
    const { pathname } = new URL(request.url);
    if (pathname === "/health") return Response.json({ ok: true, storage: "none" });
    const fields =
      pathname === "/formdata"
        ? await viaFormData(request)
        : (await readSubmission(request, MAX_ATTACHMENT_BYTES)).fields;
    let fileBytes = 0;
    for (const values of fields.values()) {
      for (const v of values)
        if (v instanceof File) fileBytes += (await v.arrayBuffer()).byteLength;
    }
    return Response.json({ fields: fields.size, fileBytes });
  },
};
