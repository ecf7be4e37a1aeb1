import type { Config } from "../config/config.ts";
import { AppError, type FieldError } from "../http/errors.ts";
import { isLang, pickLang, type Lang } from "../i18n/lang.ts";
import { attachmentKey, deleteAttachments, putAttachment } from "../store/attachments.ts";
import type { Claim, NewInquiry, SpamRecord } from "../domain/inquiry.ts";
import { inquiryExists, insertInquiry } from "../store/inquiries.ts";
import { firstSubmission, type FirstSubmission } from "../store/submission-keys.ts";
import { base64url } from "../crypto/base64url.ts";
import { checkAttachment } from "./attachment.ts";
import { normalizeText } from "./normalize.ts";
import type { RawSubmission } from "./read-body.ts";
import { turnstileHostnames, verifyTurnstile } from "./turnstile.ts";
import { judgeForStore } from "../spam/judge.ts";
import { schemaFor, validateFields } from "./validate.ts";

export interface SubmitDeps {
  db: D1Database;
  bucket: R2Bucket;
  now: number;
  /** The client's IP, used only for Turnstile's check and never stored with the inquiry. */
  clientIp: string | null;
  /** The request's URL: its host is one a Turnstile challenge may have been served on. */
  requestUrl: string;
  fetch: typeof fetch;
  /** Set when this request will mail the inquiry itself right after answering. */
  claim: Claim | null;
  /** The request's `Idempotency-Key` header, if any (the `_submission` field is read here). */
  idempotencyKey: string | null;
  /** Resolves when the rate limit lets this request store; awaited before any write. */
  allowed?: Promise<void>;
}

export type SubmitOutcome =
  /** `inquiry` and `file` as stored, so the first send needs no read back. */
  | { kind: "stored"; id: string; lang: Lang; inquiry: NewInquiry; file: Uint8Array | null }
  /** The honeypot was filled: answer as if stored, keep nothing. */
  | { kind: "honeypot"; id: string; lang: Lang }
  /** Judged spam in quarantine mode: stored, answered as if stored, not mailed. */
  | { kind: "quarantined"; id: string; lang: Lang }
  /** A repeat of a submission stored in the last 24 hours: answered as it was, nothing new stored. */
  | { kind: "repeat"; id: string; lang: Lang };

/**
 * The language the submission asks for, once its body has been read: `_lang`,
 * else `?lang=` on the URL (what the answers given before the body is read
 * follow), else `Accept-Language`, else DEFAULT_LANG.
 */
export function submissionLang(
  raw: RawSubmission,
  /** The URL's `lang` query parameter, if any. */
  queryLang: string | null,
  request: Request,
  config: Config,
): Lang {
  const values = raw.fields.get("_lang");
  const field = values?.length === 1 ? values[0] : null;
  return pickLang(
    isLang(field) ? field : queryLang,
    request.headers.get("accept-language"),
    config.defaultLang,
  );
}

/**
 * The honeypot is a text input a person never sees, so only text counts as
 * filled: a non-empty string once normalised and trimmed like any field.
 * JSON's `null` is absent, as a field not sent; `false`, `0` or `""` are
 * what a client's form model sends for an untouched field, and a customer
 * whose form sends them must not be dropped as a bot.
 */
function honeypotFilled(value: unknown): boolean {
  return typeof value === "string" && normalizeText(value, "line").trim() !== "";
}

/**
 * POST /inquiry after the origin check (the rate limit's answer comes in
 * `deps.allowed`): read, validate, check the
 * captcha, and store durably. Throws `AppError` for every refusal.
 */
export async function submitInquiry(
  raw: RawSubmission,
  lang: Lang,
  config: Config,
  deps: SubmitDeps,
): Promise<SubmitOutcome> {
  if ((raw.fields.get("_gotcha") ?? []).some(honeypotFilled)) {
    return { kind: "honeypot", id: crypto.randomUUID(), lang };
  }

  const errors: FieldError[] = [];
  const single: Record<string, unknown> = {};
  for (const { name, type } of config.form.fields) {
    if (type === "file") continue;
    const values = raw.fields.get(name);
    if (values && values.length > 1) errors.push({ field: name, code: "duplicate_field" });
    // A file sent in a text field is not a string: the rules call it invalid_value.
    else if (values) single[name] = values[0];
  }
  const fields = validateFields(schemaFor(config.form), single);
  if (!fields.ok) {
    for (const e of fields.errors) if (!errors.some((x) => x.field === e.field)) errors.push(e);
  }

  const attachmentValues = raw.fields.get("attachment");
  let attachment = null;
  if (raw.kind !== "multipart" && attachmentValues) {
    errors.push({ field: "attachment", code: "invalid_value" });
  } else {
    const checked = await checkAttachment(
      attachmentValues,
      config.attachmentTypes,
      config.maxAttachmentBytes,
    );
    if (checked.ok) attachment = checked.attachment;
    else errors.push(checked.error);
  }

  const tokens = raw.fields.get("cf-turnstile-response") ?? [];
  if (config.turnstileSecret && tokens.length > 1) {
    errors.push({ field: "cf-turnstile-response", code: "duplicate_field" });
  }

  const key = submissionKey(deps.idempotencyKey, raw.fields.get("_submission"), errors);
  if (errors.length > 0 || !fields.ok) throw new AppError("validation_failed", { fields: errors });
  const submission = key
    ? { key, contentHash: await contentHash(fields.data, attachment?.sha256 ?? null) }
    : null;

  // Independent work side by side: the spam score (its key's read, once per
  // isolate) starts now, beside the captcha's check and the rate limit's
  // answer; the first write waits for all of them.
  const judged = judgeForStore(deps.db, config, fields.data, raw, deps);
  if (config.turnstileSecret) {
    const token = tokens[0];
    // A repeat carries the Turnstile token its first post already spent: look the key
    // up beside the check (no extra sequential round trip) and answer the repeat as the first.
    const [passed, first] = await Promise.all([
      typeof token === "string" &&
        token !== "" &&
        verifyTurnstile(
          token,
          config.turnstileSecret,
          deps.clientIp,
          deps.fetch,
          turnstileHostnames(deps.requestUrl, config.allowedOrigins),
        ),
      submission ? firstSubmission(deps.db, submission.key, deps.now) : null,
    ]);
    if (first && submission) return repeatOf(first, submission, lang);
    if (!passed) throw new AppError("captcha_failed");
  }

  const [draft] = await Promise.all([judged, deps.allowed]);

  const id = crypto.randomUUID();
  const fileKey = attachment ? attachmentKey(id) : null;
  const inquiryWith = (spam: SpamRecord | null): NewInquiry => ({
    id,
    createdAt: deps.now,
    lang,
    ...fields.data,
    attachment:
      attachment && fileKey
        ? {
            key: fileKey,
            filename: attachment.filename,
            size: attachment.bytes.byteLength,
            type: attachment.kind.mime,
            sha256: attachment.sha256,
          }
        : null,
    spam,
  });
  let inquiry = inquiryWith(draft?.record ?? null);
  let first: FirstSubmission | null = null;
  try {
    if (attachment && fileKey) {
      await putAttachment(deps.bucket, fileKey, attachment.bytes, {
        type: attachment.kind.mime,
        sha256: attachment.sha256,
      });
    }
    const claimOf = (i: NewInquiry) => (i.spam?.quarantined ? null : deps.claim);
    // The spam look-ups ride in the insert: one D1 call when they find nothing.
    let result = await insertInquiry(
      deps.db,
      inquiry,
      claimOf(inquiry),
      submission,
      draft?.lookups ?? null,
    );
    if (result.kind === "spam_facts" && draft) {
      inquiry = inquiryWith(draft.given(result.facts));
      result = await insertInquiry(deps.db, inquiry, claimOf(inquiry), submission);
    }
    if (result.kind === "key_held") first = result.first;
  } catch (err) {
    console.error(`storing inquiry failed: ${err instanceof Error ? err.name : "error"}`);
    // The insert may have committed with only its answer lost: then the
    // inquiry is stored, file and all, and must not lose its file.
    const stored = await inquiryExists(deps.db, id).catch(() => null);
    if (!stored) {
      // Certainly not stored: its file is an orphan. When that is unknown, the
      // scheduled sweep removes the file later if no inquiry points at it.
      if (stored === false && fileKey)
        await deleteAttachments(deps.bucket, [fileKey]).catch(() => {});
      throw new AppError("unavailable");
    }
  }
  if (first && submission) {
    // Another submission holds the key: this one stored nothing but its file.
    if (fileKey) await deleteAttachments(deps.bucket, [fileKey]).catch(() => {});
    return repeatOf(first, submission, lang);
  }
  if (inquiry.spam?.quarantined) return { kind: "quarantined", id, lang };
  return { kind: "stored", id, lang, inquiry, file: attachment?.bytes ?? null };
}

/**
 * The submission's Idempotency-Key: the header (an RFC 8941 string, quotes
 * optional) or else the `_submission` field; 1–255 visible ASCII characters.
 * A malformed one is a field error on `_submission`; none is null.
 */
function submissionKey(
  header: string | null,
  field: unknown[] | undefined,
  errors: FieldError[],
): string | null {
  if (field && field.length > 1) {
    errors.push({ field: "_submission", code: "duplicate_field" });
    return null;
  }
  let raw = header?.trim() ?? (typeof field?.[0] === "string" ? field[0] : null);
  if (raw === null || raw === "") return null;
  if (raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"')) raw = raw.slice(1, -1);
  if (!/^[\x21-\x7e]{1,255}$/.test(raw)) {
    errors.push({ field: "_submission", code: "invalid_value" });
    return null;
  }
  return raw;
}

/** SHA-256 (base64url) of what the submission says: its fields as validated and its file's hash. */
async function contentHash(fields: object, fileSha256: string | null): Promise<string> {
  const text = JSON.stringify([fields, fileSha256]);
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return base64url(new Uint8Array(digest));
}

/** The answer to a repeat: the first one's id when the content is the same, else 422. */
function repeatOf(
  first: FirstSubmission,
  submission: { contentHash: string },
  lang: Lang,
): SubmitOutcome {
  if (first.contentHash !== submission.contentHash) throw new AppError("idempotency_key_reused");
  return { kind: "repeat", id: first.inquiryId, lang };
}
