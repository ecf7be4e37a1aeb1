import { env } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import {
  countInquiries,
  file,
  installFakes,
  sha256Hex,
  storedRow,
  submit,
  validFields,
} from "./helpers.ts";
import { bin, concat, exe, samples, zip, type SampleKind } from "./file-samples.ts";

beforeEach(() => {
  installFakes();
});

// Keep the file in R2 so the tests can look at it: without an API key the mail waits.
const KEEP = { RESEND_API_KEY: "" };

const expected: Record<SampleKind, [type: string, ext: string]> = {
  pdf: ["application/pdf", "pdf"],
  png: ["image/png", "png"],
  jpeg: ["image/jpeg", "jpg"],
  webp: ["image/webp", "webp"],
  gif: ["image/gif", "gif"],
  docx: ["application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"],
  xlsx: ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"],
  pptx: ["application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx"],
  odt: ["application/vnd.oasis.opendocument.text", "odt"],
  ods: ["application/vnd.oasis.opendocument.spreadsheet", "ods"],
  zip: ["application/zip", "zip"],
  dwg: ["image/vnd.dwg", "dwg"],
  dxf: ["image/vnd.dxf", "dxf"],
  step: ["model/step", "step"],
  iges: ["model/iges", "igs"],
  stl: ["model/stl", "stl"],
  stlBinary: ["model/stl", "stl"],
  txt: ["text/plain", "txt"],
};

async function fieldError(res: Response) {
  expect(res.status).toBe(422);
  const body = (await res.json()) as { errors: { field: string; code: string; message: string }[] };
  return body.errors;
}

describe("attachments are judged by their content", () => {
  it.each(Object.keys(samples) as SampleKind[])("accepts %s and stores it in R2", async (kind) => {
    const bytes = samples[kind]();
    const [type, ext] = expected[kind];
    // Name and declared type say nothing true: only the bytes count.
    const res = await submit(
      { ...validFields(), attachment: file(bytes, "upload.bin", "application/x-unknown") },
      {},
      KEEP,
    );
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const row = await storedRow(id);
    expect(row).toMatchObject({
      attachment_name: `upload.${ext}`,
      attachment_type: type,
      attachment_size: bytes.length,
      attachment_sha256: await sha256Hex(bytes),
    });
    const object = await env.ATTACHMENTS.get(row!.attachment_key!);
    expect(new Uint8Array(await object!.arrayBuffer())).toEqual(bytes);
    expect(object!.httpMetadata?.contentType).toBe(type);
  });

  it("keeps a matching extension and the visitor's file name", async () => {
    const res = await submit(
      { ...validFields(), attachment: file(samples.step(), "Ohišje v3.stp") },
      {},
      KEEP,
    );
    const { id } = (await res.json()) as { id: string };
    expect((await storedRow(id))?.attachment_name).toBe("Ohišje v3.stp");
  });

  it("refuses an executable renamed .pdf and declared as a PDF", async () => {
    const before = await countInquiries();
    const res = await submit({
      ...validFields(),
      _lang: "en",
      attachment: file(exe(), "ponudba.pdf", "application/pdf"),
    });
    expect(await fieldError(res)).toEqual([
      {
        field: "attachment",
        code: "file_type_not_allowed",
        message: expect.stringContaining("PDF"),
      },
    ]);
    expect(await countInquiries()).toBe(before);
  });

  it("treats a PNG declared as a PDF as the PNG it is", async () => {
    const png = file(samples.png(), "drawing.pdf", "application/pdf");
    // Only PDFs allowed: the PNG's claim to be a PDF does not get it in.
    const onlyPdf = await submit(
      { ...validFields(), attachment: png },
      {},
      { ATTACHMENT_TYPES: "pdf" },
    );
    expect((await fieldError(onlyPdf))[0]?.code).toBe("file_type_not_allowed");
    // PNGs allowed: stored as a PNG, under a name that says so.
    const res = await submit({ ...validFields(), attachment: png }, {}, KEEP);
    const { id } = (await res.json()) as { id: string };
    expect(await storedRow(id)).toMatchObject({
      attachment_type: "image/png",
      attachment_name: "drawing.png",
    });
  });

  it.each([
    ["binary junk", new Uint8Array([0, 1, 2, 3, 254, 255, 0, 0])],
    ["an ELF binary", concat(bin("\x7fELF\x02\x01\x01"), new Uint8Array(100))],
    ["a text file with a NUL byte", concat("hello\0world")],
    ["invalid UTF-8 text", bin("caf\xe9 au lait")],
    ["a ZIP whose directory is cut off", zip([{ name: "a.txt", data: "a" }]).slice(0, 40)],
  ])("refuses %s", async (_label, bytes) => {
    const res = await submit({
      ...validFields(),
      attachment: file(bytes, "file.txt", "text/plain"),
    });
    expect((await fieldError(res))[0]?.code).toBe("file_type_not_allowed");
  });

  it("honours ATTACHMENT_TYPES", async () => {
    const vars = { ATTACHMENT_TYPES: "pdf,step", ...KEEP };
    const step = await submit(
      { ...validFields(), attachment: file(samples.step(), "a.step") },
      {},
      vars,
    );
    expect(step.status).toBe(201);
    const docx = await submit(
      { ...validFields(), _lang: "sl", attachment: file(samples.docx(), "a.docx") },
      {},
      vars,
    );
    const [err] = await fieldError(docx);
    expect(err).toMatchObject({ code: "file_type_not_allowed" });
    expect(err?.message).toBe("Te vrste datoteke ne sprejemamo. Dovoljene vrste: PDF, STEP.");
  });
});

describe("attachment edge cases", () => {
  it("an empty file input counts as no attachment", async () => {
    const res = await submit({
      ...validFields(),
      attachment: new File([], "", { type: "application/octet-stream" }),
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    expect((await storedRow(id))?.attachment_name).toBeNull();
  });

  it("an empty file with a name is refused as empty", async () => {
    const res = await submit({ ...validFields(), attachment: file(new Uint8Array(), "empty.pdf") });
    expect((await fieldError(res))[0]?.code).toBe("file_empty");
  });

  it("a second file is a validation error, not a silent pick", async () => {
    const res = await submit({
      ...validFields(),
      attachment: [file(samples.pdf(), "a.pdf"), file(samples.png(), "b.png")],
    });
    expect(await fieldError(res)).toEqual([
      { field: "attachment", code: "too_many_files", message: expect.any(String) },
    ]);
  });

  it("an attachment over MAX_ATTACHMENT_BYTES is refused with the limit in the message", async () => {
    const vars = { MAX_ATTACHMENT_BYTES: "2048" };
    const big = new Uint8Array(4096).fill(0x41);
    const res = await submit(
      { ...validFields(), _lang: "en", attachment: file(big, "big.txt") },
      {},
      vars,
    );
    expect(await fieldError(res)).toEqual([
      {
        field: "attachment",
        code: "file_too_large",
        message: "The attachment is too large (at most 2 KB).",
      },
    ]);
  });

  it("a body far over the limit is 413", async () => {
    const vars = { MAX_ATTACHMENT_BYTES: "1024" };
    const huge = new Uint8Array(400 * 1024).fill(0x41);
    const res = await submit({ ...validFields(), attachment: file(huge, "huge.txt") }, {}, vars);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { code: string }).code).toBe("payload_too_large");
  });

  it("a file in a JSON or urlencoded body is refused", async () => {
    const json = await submit(
      { ...validFields(), attachment: "JVBERi0xLjc=" },
      { encoding: "json" },
    );
    expect((await fieldError(json))[0]).toMatchObject({
      field: "attachment",
      code: "invalid_value",
    });
  });

  it("makes hostile file names safe", async () => {
    const cases: [string, string][] = [
      ["../../etc/passwd.pdf", "passwd.pdf"],
      ["C:\\Users\\ana\\ponudba.pdf", "ponudba.pdf"],
      ["invoice\u202Efdp.exe", "invoice_fdp.pdf"],
      ["tab\there\u0007.pdf", "tab_here_.pdf"],
      ["CON.pdf", "attachment_CON.pdf"],
      ["../\u202E", "attachment.pdf"],
      [`${"ž".repeat(300)}.pdf`, `${"ž".repeat(96)}.pdf`],
    ];
    for (const [name, safe] of cases) {
      const res = await submit(
        { ...validFields(), attachment: file(samples.pdf(), name) },
        {},
        KEEP,
      );
      expect(res.status, name).toBe(201);
      const { id } = (await res.json()) as { id: string };
      expect((await storedRow(id))?.attachment_name, name).toBe(safe);
    }
  });
});
