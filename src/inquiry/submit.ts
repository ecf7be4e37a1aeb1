import type { Config } from "../config/config.ts";
import { AppError, type FieldError } from "../http/errors.ts";
import { isLang, pickLang, type Lang } from "../i18n/lang.ts";
import { attachmentKey, deleteAttachments, putAttachment } from "../store/attachments.ts";
import type { Claim, NewInquiry } from "../domain/inquiry.ts";
import { inquiryExists, insertInquiry } from "../store/inquiries.ts";
import { checkAttachment } from "./attachment.ts";
import { normalizeText } from "./normalize.ts";
import type { RawSubmission } from "./read-body.ts";
import { turnstileHostnames, verifyTurnstile } from "./turnstile.ts";
import { judgeForStore } from "../spam/judge.ts";
import { inquirySchema, TEXT_FIELDS, validateFields, type TextField } from "./validate.ts";

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
  /** Resolves when the rate limit lets this request store; awaited before any write. */
  allowed?: Promise<void>;
}

export type SubmitOutcome =
  /** `inquiry` and `file` as stored, so the first send needs no read back. */
  | { kind: "stored"; id: string; lang: Lang; inquiry: NewInquiry; file: Uint8Array | null }
  /** The honeypot was filled: answer as if stored, keep nothing. */
  | { kind: "honeypot"; id: string; lang: Lang }
  /** Judged spam in quarantine mode: stored, answered as if stored, not mailed. */
  | { kind: "quarantined"; id: string; lang: Lang };

const schemas = new WeakMap<Config, ReturnType<typeof inquirySchema>>();
function schemaFor(config: Config) {
  let s = schemas.get(config);
  if (!s) schemas.set(config, (s = inquirySchema(config.services)));
  return s;
}

/**
 * The language the submission asks for, once its body has been read: `_lang`,
 * else `?lang=` on the URL (what the answers given before the body is read
 * follow), else `Accept-Language`, else DEFAULT_LANG.
 */
export function submissionLang(raw: RawSubmission, request: Request, config: Config): Lang {
  const values = raw.fields.get("_lang");
  const field = values?.length === 1 ? values[0] : null;
  return pickLang(
    isLang(field) ? field : new URL(request.url).searchParams.get("lang"),
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

/** Throws 403 `captcha_failed` unless Turnstile's siteverify passes `token`. */
async function passTurnstile(
  token: unknown,
  secret: string,
  config: Config,
  deps: SubmitDeps,
): Promise<void> {
  const passed =
    typeof token === "string" &&
    token !== "" &&
    (await verifyTurnstile(
      token,
      secret,
      deps.clientIp,
      deps.fetch,
      turnstileHostnames(deps.requestUrl, config.allowedOrigins),
    ));
  if (!passed) throw new AppError("captcha_failed");
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
  const single: Partial<Record<TextField, unknown>> = {};
  for (const name of TEXT_FIELDS) {
    const values = raw.fields.get(name);
    if (values && values.length > 1) errors.push({ field: name, code: "duplicate_field" });
    // A file sent in a text field is not a string: the rules call it invalid_value.
    else if (values) single[name] = values[0];
  }
  const fields = validateFields(schemaFor(config), single);
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

  if (errors.length > 0 || !fields.ok) throw new AppError("validation_failed", { fields: errors });

  // Independent round trips side by side: the captcha's check, the spam
  // look-ups (reads) and the rate limit's answer; the first write waits for all.
  const [spam] = await Promise.all([
    judgeForStore(deps.db, config.spamFilter, fields.data, raw, deps),
    config.turnstileSecret ? passTurnstile(tokens[0], config.turnstileSecret, config, deps) : null,
    deps.allowed,
  ]);

  const id = crypto.randomUUID();
  const key = attachment ? attachmentKey(id) : null;
  const inquiry: NewInquiry = {
    id,
    createdAt: deps.now,
    lang,
    ...fields.data,
    attachment:
      attachment && key
        ? {
            key,
            filename: attachment.filename,
            size: attachment.bytes.byteLength,
            type: attachment.kind.mime,
            sha256: attachment.sha256,
          }
        : null,
    // The worker's own address, for the links to it: the file's (Resend
    // fetches it) and a quarantined inquiry's release link in the digest.
    workerOrigin: attachment || spam?.quarantined ? new URL(deps.requestUrl).origin : null,
    spam,
  };
  try {
    if (attachment && key) {
      await putAttachment(deps.bucket, key, attachment.bytes, {
        type: attachment.kind.mime,
        sha256: attachment.sha256,
      });
    }
    await insertInquiry(deps.db, inquiry, spam?.quarantined ? null : deps.claim);
  } catch (err) {
    console.error(`storing inquiry failed: ${err instanceof Error ? err.name : "error"}`);
    // The insert may have committed with only its answer lost: then the
    // inquiry is stored, file and all, and must not lose its file.
    const stored = await inquiryExists(deps.db, id).catch(() => null);
    if (!stored) {
      // Certainly not stored: its file is an orphan. When that is unknown, the
      // scheduled sweep removes the file later if no inquiry points at it.
      if (stored === false && key) await deleteAttachments(deps.bucket, [key]).catch(() => {});
      throw new AppError("unavailable");
    }
  }
  if (spam?.quarantined) return { kind: "quarantined", id, lang };
  return { kind: "stored", id, lang, inquiry, file: attachment?.bytes ?? null };
}
