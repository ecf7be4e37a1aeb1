import { Hono } from "hono/tiny";
import type { AppEnv } from "../http/app.ts";
import { AppError, type FieldError } from "../http/errors.ts";
import { json } from "../http/respond.ts";
import { inquirySchema, validateFields, type InquiryFields } from "../inquiry/validate.ts";
import { plainService, serviceOf, type FormDefinition } from "../domain/form.ts";
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
import { addressKeys } from "../domain/address.ts";
import { readJsonObject } from "./json-body.ts";
import { allowOnly } from "./methods.ts";
import { mountConsole } from "./console.ts";

/**
 * The export format: everything stored about an inquiry, nothing else. The
 * company's own fields (`FORM.fields`) stand beside the built-in ones under
 * their own names (src/config/form.ts keeps those names off the export's other keys).
 */
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
    ...i.extra,
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

/**
 * The form rectification validates against: the stored service stays valid
 * even if the services changed since, and a field of the company's own that
 * the inquiry has no value for is not demanded now (it may have been added to
 * the form, or made required, after the inquiry came).
 */
function rectificationForm(
  form: FormDefinition,
  found: StoredInquiry,
  patch: Record<string, unknown>,
): FormDefinition {
  const services = serviceOf(form, found.service)
    ? form.services
    : [...form.services, plainService(found.service)];
  const fields = form.fields.map((f) =>
    f.builtin || !f.required || f.name in patch || found.extra?.[f.name] !== undefined
      ? f
      : { ...f, required: false },
  );
  return { ...form, services, fields };
}

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
  if (addressKeys(email) === null) {
    throw new AppError("validation_failed", {
      fields: [{ field: "email", code: "invalid_email" }],
    });
  }
  return email;
}

/**
 * Data-subject requests (GDPR Art. 15-18, 20): access and portability
 * (search, get), erasure, rectification (PATCH), restriction (hold), and the
 * retention report. A person's address travels only in a request body.
 */
export function adminRoutes(gate: AdminGate, now: () => number) {
  const admin = new Hono<AppEnv>();
  // The console's page and files first: they hold no data, so they need no token.
  mountConsole(admin, gate);
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
    const form = rectificationForm(c.get("config").form, found, patch);
    const editable = new Set(form.fields.filter((f) => f.rectifiable).map((f) => f.name));
    const errors: FieldError[] = Object.keys(patch)
      .filter((k) => !editable.has(k))
      .map((field) => ({ field, code: "invalid_value" }));
    const stored: Record<string, unknown> = { ...found, ...found.extra };
    const merged: Record<string, unknown> = { service: found.service };
    for (const k of editable) merged[k] = k in patch ? (patch[k] ?? "") : (stored[k] ?? "");
    // The same rules as the form's.
    const result = validateFields(inquirySchema(form), merged);
    if (!result.ok) errors.push(...result.errors);
    if (errors.length > 0 || !result.ok)
      throw new AppError("validation_failed", { fields: errors });
    // Values of fields the form no longer has are kept: rectifying one field erases no other.
    const gone = Object.entries(found.extra ?? {}).filter(([k]) => !editable.has(k));
    const fields: InquiryFields = {
      ...result.data,
      extra: { ...Object.fromEntries(gone), ...result.data.extra },
    };
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
