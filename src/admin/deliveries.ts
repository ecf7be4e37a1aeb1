import { Hono } from "hono/tiny";
import type { DeliveryStatus } from "../domain/inquiry.ts";
import type { AppEnv } from "../http/app.ts";
import { AppError } from "../http/errors.ts";
import { json } from "../http/respond.ts";
import { deleteAttachments } from "../store/attachments.ts";
import {
  dismissDeliveries,
  LISTABLE,
  listDeliveries,
  requeueDeliveries,
  type DeliveryCursor,
  type DeliveryRow,
} from "../store/delivery-admin.ts";
import { base64url, fromBase64url } from "../crypto/base64url.ts";
import { readJsonObject } from "./json-body.ts";
import { allowOnly } from "./methods.ts";

/** At most this many rows per list, and ids per retry or dismissal. */
export const MAX_DELIVERIES = 500;
const DEFAULT_STATUSES: DeliveryStatus[] = ["failed", "bounced"];

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function exportDelivery(d: DeliveryRow) {
  return {
    id: d.id,
    created_at: iso(d.created_at),
    status: d.status,
    attempts: d.attempts,
    last_error: d.last_error,
    next_attempt_at: iso(d.next_attempt_at),
    spam:
      d.spam_score === null
        ? null
        : { score: d.spam_score, reasons: d.spam_reasons ? d.spam_reasons.split(",") : [] },
  };
}

/** The `next` of a page: where it ended, base64url of `<created_at ms>.<id>` (opaque to callers). */
function writeCursor(row: DeliveryRow): string {
  return base64url(new TextEncoder().encode(`${row.created_at}.${row.id}`));
}

/** A cursor this route wrote, or null for anything else. */
function readCursor(text: string): DeliveryCursor | null {
  const bytes = text.length <= 200 ? fromBase64url(text) : null;
  if (!bytes) return null;
  const m = /^(\d{1,16})\.([\w-]{1,64})$/.exec(new TextDecoder().decode(bytes));
  return m ? { createdAt: Number(m[1]), id: m[2]! } : null;
}

/**
 * `{"ids":["…", …]}`: 1 to MAX_DELIVERIES inquiry ids. Else 422 on `ids`:
 * `too_many_values` with `{max}` for a longer list, `invalid_value` for the rest.
 */
async function idsFromBody(request: Request): Promise<string[]> {
  const ids = (await readJsonObject(request)).ids;
  if (Array.isArray(ids) && ids.length > MAX_DELIVERIES) {
    throw new AppError("validation_failed", {
      fields: [{ field: "ids", code: "too_many_values", params: { max: MAX_DELIVERIES } }],
    });
  }
  const ok =
    Array.isArray(ids) &&
    ids.length > 0 &&
    ids.every((id) => typeof id === "string" && id.length > 0 && id.length <= 64);
  if (!ok) {
    throw new AppError("validation_failed", { fields: [{ field: "ids", code: "invalid_value" }] });
  }
  return [...new Set(ids as string[])];
}

/**
 * Mail that did not get through, for the operator:
 * `GET /` lists (`?status=` one of pending, failed, bounced, quarantined;
 * default failed and bounced; newest first; 500 a page, `next` the cursor
 * of the following page for `&cursor=`, null on the last), `POST /retry` sends
 * again under a new Idempotency-Key, `POST /dismiss` keeps without mailing.
 * Retry and dismiss touch only failed, bounced or quarantined inquiries and
 * answer how many they changed.
 */
export function deliveryRoutes(now: () => number) {
  const route = new Hono<AppEnv>();

  route.get("/", async (c) => {
    const status = c.req.query("status");
    let statuses = DEFAULT_STATUSES;
    if (status !== undefined) {
      const wanted = LISTABLE.find((s) => s === status);
      if (!wanted) {
        throw new AppError("validation_failed", {
          fields: [
            { field: "status", code: "invalid_option", params: { limit: LISTABLE.join(", ") } },
          ],
        });
      }
      statuses = [wanted];
    }
    const cursor = c.req.query("cursor");
    const after = cursor === undefined ? null : readCursor(cursor);
    if (cursor !== undefined && !after) {
      throw new AppError("validation_failed", {
        fields: [{ field: "cursor", code: "invalid_value" }],
      });
    }
    // One more than a page tells whether another follows.
    const rows = await listDeliveries(c.env.DB, statuses, MAX_DELIVERIES + 1, after);
    const page = rows.slice(0, MAX_DELIVERIES);
    const last = page[page.length - 1];
    const next = rows.length > MAX_DELIVERIES && last ? writeCursor(last) : null;
    return json({ ok: true, deliveries: page.map(exportDelivery), next });
  });
  route.all("/", allowOnly("GET"));

  route.post("/retry", async (c) => {
    const requeued = await requeueDeliveries(c.env.DB, await idsFromBody(c.req.raw), now());
    return json({ ok: true, requeued: requeued.length });
  });
  route.all("/retry", allowOnly("POST"));

  route.post("/dismiss", async (c) => {
    const { ids, keys } = await dismissDeliveries(c.env.DB, await idsFromBody(c.req.raw));
    // The file is no longer needed once its inquiry will never be mailed: data not used is not kept.
    if (keys.length > 0) await deleteAttachments(c.env.ATTACHMENTS, keys);
    return json({ ok: true, dismissed: ids.length });
  });
  route.all("/dismiss", allowOnly("POST"));

  return route;
}
