import { FILE_KIND_IDS, FILE_KINDS, isFileKindId, type FileKind } from "../inquiry/file-type.ts";
import { isLang, type Lang } from "../i18n/lang.ts";

export interface Config {
  mailTo: string[];
  mailFrom: string;
  services: string[];
  /** Origins allowed to post; empty means only the worker's own origin. */
  allowedOrigins: string[];
  redirectUrl: string | null;
  defaultLang: Lang;
  maxAttachmentBytes: number;
  attachmentTypes: FileKind[];
  retentionMonths: number;
  logRetentionDays: number;
  logIp: "truncated" | "full";
  resendBaseUrl: string;
  resendApiKey: string | null;
  adminToken: string | null;
  turnstileSecret: string | null;
  /** Resend's webhook signing secret (`whsec_…`); without it POST /webhooks/resend does not exist. */
  resendWebhookSecret: string | null;
  /** Public site key for the reference form's Turnstile widget. */
  turnstileSiteKey: string | null;
  /** What a submission judged spam gets (README, Spam). */
  spamFilter: SpamFilter;
  /** Quarantined and dismissed inquiries are purged after this many days. */
  spamRetentionDays: number;
}

export type SpamFilter = "quarantine" | "tag" | "off";

export interface ConfigProblem {
  /** The variable's name; its value is never repeated (it may be a secret). */
  name: string;
  problem: string;
}

export type ConfigResult =
  | { ok: true; config: Config; warnings: ConfigProblem[] }
  | { ok: false; problems: ConfigProblem[]; warnings: ConfigProblem[] };

export const DEFAULT_MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
/** Resend takes at most 40 MB per e-mail after base64 (4/3 of the raw size). */
export const MAX_ATTACHMENT_BYTES_LIMIT = 30 * 1024 * 1024;

// Same shape as the form's e-mail rule: one address with a dot in the domain.
const ADDRESS = /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)+$/;

type RawEnv = Record<string, unknown>;

function str(env: RawEnv, name: string): string {
  const v = env[name];
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return typeof v === "string" ? v.trim() : "";
}

const list = (value: string) =>
  value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

/** Checks every variable and reports all problems at once, in words an operator can act on. */
export function parseConfig(env: RawEnv): ConfigResult {
  const problems: ConfigProblem[] = [];
  const warnings: ConfigProblem[] = [];
  const bad = (name: string, problem: string) => problems.push({ name, problem });

  const mailTo = list(str(env, "MAIL_TO"));
  if (mailTo.length === 0) bad("MAIL_TO", "is not set: give the address that receives inquiries");
  else if (!mailTo.every((a) => ADDRESS.test(a)))
    bad("MAIL_TO", "must be one or more e-mail addresses separated by commas");

  const mailFrom = str(env, "MAIL_FROM");
  const fromAddress = /<([^<>]+)>$/.exec(mailFrom)?.[1] ?? mailFrom;
  if (!mailFrom) bad("MAIL_FROM", "is not set: give a sender on your Resend-verified domain");
  else if (!ADDRESS.test(fromAddress) || /[\r\n]/.test(mailFrom))
    bad("MAIL_FROM", 'must be "address@domain" or "Name <address@domain>"');

  const services = [...new Set(list(str(env, "SERVICES")))];
  if (services.length === 0) bad("SERVICES", "is not set: list the services, separated by commas");
  else if (services.some((s) => s.length > 120 || /[\x00-\x1f\x7f]/.test(s)))
    bad("SERVICES", "each service must be at most 120 characters without control characters");

  const allowedOrigins: string[] = [];
  for (const o of list(str(env, "ALLOWED_ORIGINS"))) {
    const origin = toOrigin(o);
    if (origin) allowedOrigins.push(origin);
    else
      bad("ALLOWED_ORIGINS", `"${o.slice(0, 80)}" is not an origin like https://www.example.com`);
  }

  const redirectRaw = str(env, "REDIRECT_URL");
  let redirectUrl: string | null = null;
  if (redirectRaw) {
    if (isHttpUrl(redirectRaw)) redirectUrl = redirectRaw;
    else bad("REDIRECT_URL", "must be an absolute http(s) URL");
  }

  const langRaw = str(env, "DEFAULT_LANG") || "sl";
  const defaultLang: Lang = isLang(langRaw) ? langRaw : "sl";
  if (!isLang(langRaw)) bad("DEFAULT_LANG", 'must be "sl" or "en"');

  const maxAttachmentBytes = int(
    env,
    "MAX_ATTACHMENT_BYTES",
    DEFAULT_MAX_ATTACHMENT_BYTES,
    0,
    MAX_ATTACHMENT_BYTES_LIMIT,
    bad,
  );

  const typeIds = list(str(env, "ATTACHMENT_TYPES").toLowerCase());
  const attachmentTypes: FileKind[] = [];
  for (const id of typeIds.length ? typeIds : FILE_KIND_IDS) {
    const kind = isFileKindId(id)
      ? FILE_KINDS[id]
      : Object.values(FILE_KINDS).find((k) => k.mime === id);
    if (kind) {
      if (!attachmentTypes.includes(kind)) attachmentTypes.push(kind);
    } else {
      bad(
        "ATTACHMENT_TYPES",
        `unknown type "${id.slice(0, 40)}"; known: ${FILE_KIND_IDS.join(", ")}`,
      );
    }
  }

  const retentionMonths = int(env, "RETENTION_MONTHS", 24, 1, 120, bad);
  const logRetentionDays = int(env, "LOG_RETENTION_DAYS", 30, 1, 365, bad);

  const logIpRaw = str(env, "LOG_IP").toLowerCase() || "truncated";
  if (logIpRaw !== "truncated" && logIpRaw !== "full")
    bad("LOG_IP", 'must be "truncated" or "full"');
  const logIp = logIpRaw === "full" ? "full" : "truncated";

  const baseRaw = str(env, "RESEND_BASE_URL") || "https://api.resend.com";
  if (!isHttpUrl(baseRaw)) bad("RESEND_BASE_URL", "must be an absolute http(s) URL");
  const resendBaseUrl = baseRaw.replace(/(?<!\/)\/+$/, "");

  const resendApiKey = str(env, "RESEND_API_KEY") || null;
  if (!resendApiKey) {
    warnings.push({
      name: "RESEND_API_KEY",
      problem: "is not set: inquiries are stored but their mail stays pending until it is",
    });
  }

  const resendWebhookSecret = str(env, "RESEND_WEBHOOK_SECRET") || null;
  if (resendWebhookSecret !== null && !isWebhookSecret(resendWebhookSecret))
    bad(
      "RESEND_WEBHOOK_SECRET",
      "must be the signing secret Resend shows for the webhook (whsec_…)",
    );

  const spamRaw = str(env, "SPAM_FILTER").toLowerCase() || "quarantine";
  if (spamRaw !== "quarantine" && spamRaw !== "tag" && spamRaw !== "off")
    bad("SPAM_FILTER", 'must be "quarantine", "tag" or "off"');
  const spamFilter: SpamFilter = spamRaw === "tag" || spamRaw === "off" ? spamRaw : "quarantine";
  const spamRetentionDays = int(env, "SPAM_RETENTION_DAYS", 30, 1, 365, bad);

  const common = { warnings };
  if (problems.length > 0) return { ok: false, problems, ...common };
  return {
    ok: true,
    ...common,
    config: {
      mailTo,
      mailFrom,
      services,
      allowedOrigins,
      redirectUrl,
      defaultLang,
      maxAttachmentBytes,
      attachmentTypes,
      retentionMonths,
      logRetentionDays,
      logIp,
      resendBaseUrl,
      resendApiKey,
      adminToken: str(env, "ADMIN_TOKEN") || null,
      turnstileSecret: str(env, "TURNSTILE_SECRET_KEY") || null,
      turnstileSiteKey: str(env, "TURNSTILE_SITE_KEY") || null,
      resendWebhookSecret,
      spamFilter,
      spamRetentionDays,
    },
  };
}

function int(
  env: RawEnv,
  name: string,
  fallback: number,
  min: number,
  max: number,
  bad: (name: string, problem: string) => void,
): number {
  const raw = str(env, name);
  if (raw === "") return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max) {
    bad(name, `must be a whole number from ${min} to ${max}`);
    return fallback;
  }
  return n;
}

/** `whsec_` and the base64 of at least 16 bytes, as Resend (Svix) issues signing secrets. */
function isWebhookSecret(value: string): boolean {
  const b64 = value.startsWith("whsec_") ? value.slice(6) : "";
  return (
    b64.length >= 24 &&
    b64.length <= 256 &&
    /^[A-Za-z0-9+/]+={0,2}$/.test(b64) &&
    b64.length % 4 === 0
  );
}

function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === "https:" || u.protocol === "http:";
  } catch {
    return false;
  }
}

function toOrigin(value: string): string | null {
  if (!isHttpUrl(value)) return null;
  const u = new URL(value);
  return u.pathname === "/" && !u.search && !u.hash && !u.username ? u.origin : null;
}

const cache = new WeakMap<object, ConfigResult>();

/** Parsed once per `env` object (one per isolate), so requests pay for it once. */
export function loadConfig(env: object): ConfigResult {
  let result = cache.get(env);
  if (!result) {
    result = parseConfig(env as RawEnv);
    cache.set(env, result);
    if (!result.ok) {
      // Names and reasons only: values may be secrets.
      console.error(
        `configuration problems: ${result.problems.map((p) => `${p.name} ${p.problem}`).join("; ")}`,
      );
    }
  }
  return result;
}
