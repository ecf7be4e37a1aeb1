import { Hono } from "hono/tiny";
import type { AppEnv } from "../http/app.ts";
import { AppError, type FieldError } from "../http/errors.ts";
import { json } from "../http/respond.ts";
import { inquirySchema, validateFields, type InquiryFields } from "../inquiry/validate.ts";
import { keySpentBefore } from "../mail/deliver.ts";
import { retentionCutoff } from "../retention/months.ts";
import {
  deleteInquiries,
  getInquiry,
  listByEmail,
  retentionStats,
  setHold,
  updateFields,
} from "../store/inquiries.ts";
import { deleteAttachments } from "../store/attachments.ts";
import type { StoredInquiry } from "../domain/inquiry.ts";
import type { AdminGate } from "./auth.ts";
import { deliveryRoutes } from "./deliveries.ts";
import { readJsonObject } from "./json-body.ts";
import { allowOnly } from "./methods.ts";

/** The export format: everything stored about an inquiry, nothing else. */
export function exportInquiry(i: StoredInquiry) {
  return {
    id: i.id,
    created_at: new Date(i.createdAt).toISOString(),
    name: i.name,
    email: i.email,
    phone: i.phone,
    company: i.company,
    service: i.service,
    message: i.message,
    lang: i.lang,
    attachment: i.attachment && {
      filename: i.attachment.filename,
      size: i.attachment.size,
      type: i.attachment.type,
      sha256: i.attachment.sha256,
      /** False once mailed: the file then lives only in the staff's mail. */
      stored: i.attachment.key !== null,
    },
    /** `resend_id` matches Resend's dashboard and webhook events; null until Resend accepted it. */
    delivery: {
      status: i.delivery.status,
      attempts: i.delivery.attempts,
      resend_id: i.delivery.resendId,
    },
    hold: i.hold,
    hold_reason: i.holdReason,
    /** The spam scorer's verdict (src/spam/score.ts); null when not scored. */
    spam: i.spam ? { score: i.spam.score, reasons: i.spam.reasons } : null,
  };
}

const EDITABLE = ["name", "email", "phone", "company", "message"] as const;

/** The address of a search or erasure, from a JSON body `{"email":"…"}` (never the URL). */
async function emailFromBody(request: Request): Promise<string> {
  const email = (await readJsonObject(request)).email;
  if (typeof email !== "string" || email.trim() === "") {
    throw new AppError("validation_failed", { fields: [{ field: "email", code: "required" }] });
  }
  if (email.length > 254) {
    throw new AppError("validation_failed", {
      fields: [{ field: "email", code: "too_long", params: { max: 254 } }],
    });
  }
  if (!looksLikeAddress(email.trim())) {
    throw new AppError("validation_failed", {
      fields: [{ field: "email", code: "invalid_email" }],
    });
  }
  return email;
}

/**
 * `local@domain.tld` on one line: enough to refuse what cannot be anyone's
 * address (a typo, a name) with 422 rather than "0 found". Looser than the
 * form's rule on purpose: an address stored under an older rule must stay
 * searchable and erasable. No regular expression, so nothing can backtrack.
 */
function looksLikeAddress(s: string): boolean {
  const at = s.lastIndexOf("@");
  const dot = s.lastIndexOf(".");
  for (const ch of s) if (ch.trim() === "" || ch < " ") return false;
  return at > 0 && dot > at + 1 && dot < s.length - 1;
}

/**
 * Data-subject requests (GDPR Art. 15-18, 20): access and portability
 * (search, get), erasure, rectification (PATCH), restriction (hold), and the
 * retention report. A person's address travels only in a request body.
 */
export function adminRoutes(gate: AdminGate, now: () => number) {
  const admin = new Hono<AppEnv>();
  admin.use("*", gate.requireAdmin());

  admin.post("/inquiries/search", async (c) => {
    const found = await listByEmail(c.env.DB, await emailFromBody(c.req.raw));
    return json({ ok: true, inquiries: found.map(exportInquiry) });
  });

  admin.post("/inquiries/erase", async (c) => {
    const email = await emailFromBody(c.req.raw);
    const { ids, keys } = await deleteInquiries(c.env.DB, { email });
    await deleteAttachments(c.env.ATTACHMENTS, keys);
    return json({ ok: true, deleted: ids.length });
  });

  // Before the `/:id` routes, which would read "search" or "erase" as an id.
  admin.all("/inquiries/search", allowOnly("POST"));
  admin.all("/inquiries/erase", allowOnly("POST"));

  admin.get("/inquiries/:id", async (c) => {
    const found = await getInquiry(c.env.DB, c.req.param("id"));
    if (!found) throw new AppError("not_found");
    return json({ ok: true, inquiry: exportInquiry(found) });
  });

  admin.delete("/inquiries/:id", async (c) => {
    const { ids, keys } = await deleteInquiries(c.env.DB, { id: c.req.param("id") });
    if (ids.length === 0) throw new AppError("not_found");
    await deleteAttachments(c.env.ATTACHMENTS, keys);
    return json({ ok: true, deleted: ids.length });
  });

  admin.patch("/inquiries/:id", async (c) => {
    const found = await getInquiry(c.env.DB, c.req.param("id"));
    if (!found) throw new AppError("not_found");
    const patch = await readJsonObject(c.req.raw);
    const errors: FieldError[] = Object.keys(patch)
      .filter((k) => !(EDITABLE as readonly string[]).includes(k))
      .map((field) => ({ field, code: "invalid_value" }));
    const merged: Record<string, unknown> = { service: found.service };
    for (const k of EDITABLE) merged[k] = k in patch ? (patch[k] ?? "") : (found[k] ?? "");
    // The same rules as the form; the stored service stays valid even if SERVICES changed since.
    const schema = inquirySchema([...c.get("config").services, found.service]);
    const result = validateFields(schema, merged);
    if (!result.ok) errors.push(...result.errors);
    if (errors.length > 0 || !result.ok)
      throw new AppError("validation_failed", { fields: errors });
    const fields: InquiryFields = result.data;
    await updateFields(c.env.DB, found.id, fields);
    return json({ ok: true, inquiry: exportInquiry({ ...found, ...fields }) });
  });
  admin.all("/inquiries/:id", allowOnly("GET", "PATCH", "DELETE"));

  admin.put("/inquiries/:id/hold", async (c) => {
    const body = await readJsonObject(c.req.raw);
    const reason = body.reason;
    const errors: FieldError[] = [];
    if (typeof body.hold !== "boolean") errors.push({ field: "hold", code: "invalid_value" });
    if (
      reason !== undefined &&
      reason !== null &&
      (typeof reason !== "string" || reason.length > 500)
    ) {
      errors.push({ field: "reason", code: "invalid_value" });
    }
    if (errors.length > 0) throw new AppError("validation_failed", { fields: errors });
    const at = now();
    const ok = await setHold(
      c.env.DB,
      c.req.param("id"),
      body.hold === true,
      typeof reason === "string" ? reason : null,
      { now: at, keySpentBefore: keySpentBefore(at) },
    );
    if (!ok) throw new AppError("not_found");
    return json({ ok: true });
  });
  admin.all("/inquiries/:id/hold", allowOnly("PUT"));

  admin.route("/deliveries", deliveryRoutes(now));

  admin.get("/retention", async (c) => {
    const config = c.get("config");
    const stats = await retentionStats(
      c.env.DB,
      retentionCutoff(Date.now(), config.retentionMonths),
    );
    return json({
      ok: true,
      retention_months: config.retentionMonths,
      log_retention_days: config.logRetentionDays,
      inquiries: stats.inquiries,
      held: stats.held,
      due: stats.due,
      oldest: stats.oldest === null ? null : new Date(stats.oldest).toISOString(),
    });
  });

  admin.all("/retention", allowOnly("GET"));

  return admin;
}
