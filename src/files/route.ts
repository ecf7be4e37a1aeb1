import { Hono } from "hono";
import type { AppEnv } from "../http/app.ts";
import { AppError } from "../http/errors.ts";
import { attachmentKey, openAttachment } from "../store/attachments.ts";
import { linkedFile } from "../store/inquiries.ts";
import { linkServes, validMac } from "./link.ts";

/**
 * `Content-Disposition: attachment` with the stored (already safe) file name:
 * an ASCII `filename` for old clients and the exact name as `filename*`
 * (RFC 6266 §4.3, RFC 8187 UTF-8 percent-encoding).
 */
export function attachmentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\%]/g, "_");
  const encoded = encodeURIComponent(filename).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/**
 * GET /files/<inquiry id>/<mac>: the one file a mail's link names, streamed
 * from R2 (never buffered), while it is kept for a send (src/files/link.ts).
 * Anything else, a forged or altered link included, is 404 `not_found`, the
 * same answer as for a path that does not exist. The MAC is checked before any
 * storage is read, so guessing costs the worker no D1 or R2 call.
 */
export function fileRoutes(now: () => number) {
  const route = new Hono<AppEnv>();

  route.get("/:id/:mac", async (c) => {
    const { id, mac } = c.req.param();
    const apiKey = c.get("config").resendApiKey;
    const key = attachmentKey(id);
    if (!apiKey || !(await validMac(apiKey, id, key, mac))) throw new AppError("not_found");

    const row = await linkedFile(c.env.DB, id);
    const serves =
      row !== null &&
      row.attachment_key === key &&
      linkServes(
        {
          key: row.attachment_key,
          status: row.delivery_status,
          hold: row.hold === 1,
          sentAt: row.sent_at,
        },
        now(),
      );
    if (!serves) throw new AppError("not_found");
    const file = await openAttachment(c.env.ATTACHMENTS, key);
    if (!file) throw new AppError("not_found");
    return new Response(file.body, {
      headers: {
        "content-type": row.attachment_type || "application/octet-stream",
        "content-length": String(file.size),
        "content-disposition": attachmentDisposition(row.attachment_name ?? "attachment"),
        "x-content-type-options": "nosniff",
        "cache-control": "no-store",
      },
    });
  });

  return route;
}
