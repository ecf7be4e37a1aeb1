import { parsePlan, type Plan } from "../schedule/budget.ts";
import { FILE_KIND_IDS, FILE_KINDS, isFileKindId, type FileKind } from "../domain/file-kinds.ts";
import type { SpamFilter } from "../domain/spam-tag.ts";
import { isLang, type Lang } from "../i18n/lang.ts";
import { parseAccess, type AccessSettings } from "./access.ts";
import { isExampleAddress, isExampleValue, SECRET_NAMES } from "./examples.ts";
import {
  ADMIN_TOKEN_MIN_LENGTH,
  DEFAULT_MAX_ATTACHMENT_BYTES,
  MAX_ATTACHMENT_BYTES_LIMIT,
} from "./limits.ts";
import type { FormDefinition } from "../domain/form.ts";
import { parseForm } from "./form.ts";
import { normaliseMailbox, splitMailboxes } from "./mailbox.ts";

export { DEFAULT_MAX_ATTACHMENT_BYTES, MAX_ATTACHMENT_BYTES_LIMIT } from "./limits.ts";

export interface Config {
  /** Mailboxes as Resend takes them: display names with specials already quoted. */
  mailTo: string[];
  mailFrom: string;
  /** The form: its fields, services (each with its desk), the company's name, privacy notice, time zone. */
  form: FormDefinition;
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
  /** What a submission judged spam gets: quarantine, tag or off. */
  spamFilter: SpamFilter;
  /** Quarantined and dismissed inquiries are purged after this many days. */
  spamRetentionDays: number;
  /** PUBLIC_URL: the worker's public origin, for file and release links; null: no links. */
  publicUrl: string | null;
  /** RESEND_RATE: sends per second the worker allows itself (Resend's default limit: 2). */
  resendRate: number;
  /** The Workers plan whose per-invocation limits each scheduled run keeps to. */
  plan: Plan;
  /**
   * The parts a configuration problem has switched off (see `ConfigScope`);
   * empty when all is well. Code that needs a part checks it here.
   */
  off: ReadonlySet<ConfigScope>;
  /** Cloudflare Access in front of /admin (ACCESS_TEAM_DOMAIN, ACCESS_AUD); null: the token only. */
  access: AccessSettings | null;
}

export type { SpamFilter };

/**
 * What a configuration problem switches off; everything else keeps working
 * with the values that are fine. A problem's scope is the smallest part that
 * cannot work without the value, and a fallback keeps the rest on (every
 * doubt resolves toward the inquiry reaching a person).
 *
 * Adding a variable: parse it in `parseConfig` with a fallback that is safe
 * for the rest, report each problem with `bad(scope, code, NAME, what to do)`,
 * add a scope here (with its `SCOPE_EFFECTS` sentence) only if none fits, and
 * let the code that needs the value ask `config.off.has(scope)`.
 */
export type ConfigScope =
  /** Inquiries cannot be taken safely: the form and `POST /inquiry` answer 503. */
  | "intake"
  /** Inquiries are stored; their mail (and the spam digest) waits until fixed. */
  | "mail"
  /** `/admin` answers 503 and `/health` gives no counts. */
  | "admin"
  /** `POST /webhooks/resend` answers 503 (Resend retries later). */
  | "webhook"
  /** The form works without the Turnstile check. */
  | "turnstile"
  /** The wrong `ALLOWED_ORIGINS` entries are ignored: those pages cannot send. */
  | "origins"
  /** After sending, the built-in thanks page shows instead of `REDIRECT_URL`. */
  | "redirect"
  /** Files are checked by the default limit (10 MiB) or the kinds that are right. */
  | "attachments"
  /** That scheduled deletion is skipped (data is kept longer) until fixed. */
  | "purge"
  /** Slovenian is the default language. */
  | "language"
  /** The technical log keeps truncated IP addresses. */
  | "log_ip"
  /** Suspected spam is mailed, tagged `[SPAM?]` (never hidden). */
  | "spam_filter"
  /** No links in mails (PUBLIC_URL): files go inline, the spam digest has no release links. */
  | "links"
  /** Sends are paced at the default 2 per second (RESEND_RATE). */
  | "pacing"
  /** Scheduled runs keep to the Free plan's limits per invocation. */
  | "plan"
  /** Sign-in through Cloudflare Access is off; /admin takes ADMIN_TOKEN only. */
  | "access";

/** What each scope's problem does, in one sentence for /health, the deploy check and the docs. */
export const SCOPE_EFFECTS: Readonly<Record<ConfigScope, string>> = {
  intake: "visitors cannot send: the form and POST /inquiry answer 503 until this is fixed",
  mail: "inquiries are stored, and their mail waits until this is fixed",
  admin: "/admin answers 503 and /health gives no counts until this is fixed",
  webhook: "Resend's delivery reports (POST /webhooks/resend) answer 503 until this is fixed",
  turnstile: "the form works without the Turnstile check until this is fixed",
  origins: "pages on the wrongly written origins cannot send",
  redirect: "after sending, the visitor sees the built-in thanks page",
  attachments: "files are taken with the default limit (10 MiB) or the kinds written right",
  purge: "that deletion is skipped, so data is kept longer, until this is fixed",
  language: "Slovenian is the default language",
  log_ip: "the technical log keeps truncated IP addresses",
  spam_filter: "suspected spam is mailed, tagged [SPAM?] in the subject",
  links: "files are mailed inline and the spam digest has no release links until this is fixed",
  pacing: "mail is sent at Resend's default rate, 2 per second",
  plan: "scheduled runs keep to the Free plan's 50 calls a run, so backlogs take longer",
  access:
    "sign-in through Cloudflare Access is off: the console asks for ADMIN_TOKEN until this is fixed",
};

/**
 * What is wrong with a variable, as a stable code an operator (or a monitor)
 * can act on; /health names it beside the variable, never its value.
 */
export type ConfigProblemCode =
  /** A required variable is empty. */
  | "missing"
  /** `MAIL_TO`/`MAIL_FROM` is not a mailbox Resend accepts. */
  | "invalid_mailbox"
  /** A `SERVICES` entry, or a service of `FORM`, is too long, holds control characters or repeats an id. */
  | "invalid_service"
  /** The form definition (`FORM`) is not JSON, or a member of it is wrong; `name` says which. */
  | "invalid_form"
  /** An `ALLOWED_ORIGINS` entry is not an origin (scheme, host, optional port, nothing else). */
  | "invalid_origin"
  /** Not an absolute URL with `https:` (or `http:`, see `insecure_url`). */
  | "invalid_url"
  /** `RESEND_BASE_URL` or `REDIRECT_URL` is not `https:` (plain `http:` only for localhost and 127.0.0.1). */
  | "insecure_url"
  /** Not one of the values the variable takes. */
  | "invalid_choice"
  /** Not a whole number in the variable's range. */
  | "out_of_range"
  /** `MAX_ATTACHMENT_BYTES` above what Resend carries or a send fits in memory. */
  | "attachment_limit_too_high"
  /** A secret that does not have the shape its issuer gives it (`RESEND_WEBHOOK_SECRET`: `whsec_…`). */
  | "invalid_secret"
  /** `ADMIN_TOKEN` shorter than 32 characters. */
  | "too_short"
  /** A value copied unchanged from `.dev.vars.example`. */
  | "example_value"
  /** Only one of `TURNSTILE_SITE_KEY` and `TURNSTILE_SECRET_KEY` is set; `name` is the missing one. */
  | "turnstile_half_configured"
  /** Only one of `ACCESS_TEAM_DOMAIN` and `ACCESS_AUD` is set; `name` is the missing one. */
  | "access_half_configured"
  /** Warning: no `RESEND_API_KEY`, so mail waits. */
  | "no_api_key"
  /** Warning: no `PUBLIC_URL`: files go inline, the spam digest has no release links. */
  | "no_public_url"
  /** Warning: `ALLOWED_ORIGINS` is empty, so only the worker's own page can send. */
  | "no_allowed_origins"
  /** Warning: `MAIL_TO`/`MAIL_FROM` is on a domain RFC 2606 reserves (the committed example). */
  | "example_address";

export interface ConfigProblem {
  code: ConfigProblemCode;
  /** What the problem switches off (warnings: what they are about). */
  scope: ConfigScope;
  /** The variable's name; its value is never repeated (it may be a secret). */
  name: string;
  /** What to do, in words, without the value. */
  problem: string;
}

/**
 * Always a usable `Config`: a part with a problem is off (`config.off`), the
 * rest runs. `ok` is false while there is any problem (/health answers 503).
 */
export interface ConfigResult {
  ok: boolean;
  config: Config;
  problems: ConfigProblem[];
  warnings: ConfigProblem[];
}

/** Reports one problem: the scope it switches off, a stable code, the variable's name, what to do. */
export type ReportProblem = (
  scope: ConfigScope,
  code: ConfigProblemCode,
  name: string,
  problem: string,
) => void;

type RawEnv = Record<string, unknown>;
/** A name the worker's `Env` declares: wrangler.toml's [vars] (generated types) or a secret in src/env.d.ts. */
type EnvName = keyof Env & string;

function str(env: RawEnv, name: EnvName): string {
  const v = env[name];
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return typeof v === "string" ? v.trim() : "";
}

const list = (value: string) =>
  value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * Checks every variable and reports all problems at once, in words an
 * operator can act on, each with the part it switches off. Never throws and
 * always returns a usable `Config`: a wrong value gets a fallback that keeps
 * the rest working, and its scope lands in `config.off`.
 */
export function parseConfig(env: RawEnv): ConfigResult {
  const problems: ConfigProblem[] = [];
  const warnings: ConfigProblem[] = [];
  const bad: ReportProblem = (scope, code, name, problem) =>
    problems.push({ code, scope, name, problem });
  const warn: ReportProblem = (scope, code, name, problem) =>
    warnings.push({ code, scope, name, problem });
  const named = (name: string) => problems.some((p) => p.name === name);

  // MAIL_TO, MAIL_FROM — mail: the inquiry is stored either way; only its mail waits.
  const mailToRaw = splitMailboxes(str(env, "MAIL_TO"));
  const mailTo = mailToRaw.map(normaliseMailbox).filter((m): m is string => m !== null);
  if (mailToRaw.length === 0)
    bad("mail", "missing", "MAIL_TO", "is not set: give the address that receives inquiries");
  else if (mailTo.length !== mailToRaw.length)
    bad(
      "mail",
      "invalid_mailbox",
      "MAIL_TO",
      'must be e-mail addresses ("address@domain" or "Name <address@domain>") separated by commas',
    );

  const mailFromRaw = str(env, "MAIL_FROM");
  const mailFrom = normaliseMailbox(mailFromRaw);
  if (!mailFromRaw)
    bad("mail", "missing", "MAIL_FROM", "is not set: give a sender on your Resend-verified domain");
  else if (!mailFrom)
    bad(
      "mail",
      "invalid_mailbox",
      "MAIL_FROM",
      'must be "address@domain" or "Name <address@domain>"',
    );

  // FORM and SERVICES — intake: the form cannot be validated without them; a
  // service's `to` — mail: its inquiries are stored and their mail waits. Each
  // problem names the member at fault (src/config/form.ts).
  const { form, problems: formProblems } = parseForm(env.FORM, str(env, "SERVICES"));
  for (const p of formProblems)
    bad(p.code === "invalid_mailbox" ? "mail" : "intake", p.code, p.name, p.problem);

  // ALLOWED_ORIGINS — origins: a wrong entry is skipped, the right ones still work.
  const allowedOrigins: string[] = [];
  for (const o of list(str(env, "ALLOWED_ORIGINS"))) {
    const origin = toOrigin(o);
    if (origin) allowedOrigins.push(origin);
    else if (!named("ALLOWED_ORIGINS"))
      bad(
        "origins",
        "invalid_origin",
        "ALLOWED_ORIGINS",
        "each entry must be an origin like https://www.example.com (no path, query or user)",
      );
  }
  if (allowedOrigins.length === 0 && !named("ALLOWED_ORIGINS"))
    warn(
      "origins",
      "no_allowed_origins",
      "ALLOWED_ORIGINS",
      "is empty: only the worker's own page can send; put your website's origin (https://www.yourcompany.com) in it",
    );

  // REDIRECT_URL — redirect: the built-in thanks page instead.
  const redirectRaw = str(env, "REDIRECT_URL");
  let redirectUrl: string | null = null;
  if (redirectRaw) {
    const scheme = urlScheme(redirectRaw);
    if (scheme === "ok") redirectUrl = redirectRaw;
    else if (scheme === "insecure")
      bad(
        "redirect",
        "insecure_url",
        "REDIRECT_URL",
        "must use https: (plain http: only for localhost and 127.0.0.1): a visitor sent on to plain http leaves the encrypted site",
      );
    else
      bad(
        "redirect",
        "invalid_url",
        "REDIRECT_URL",
        "must be an absolute URL like https://www.example.com/thanks",
      );
  }

  // DEFAULT_LANG — language: Slovenian.
  const langRaw = str(env, "DEFAULT_LANG") || "sl";
  const defaultLang: Lang = isLang(langRaw) ? langRaw : "sl";
  if (!isLang(langRaw)) bad("language", "invalid_choice", "DEFAULT_LANG", 'must be "sl" or "en"');

  // MAX_ATTACHMENT_BYTES, ATTACHMENT_TYPES — attachments: the default limit, the kinds written right.
  const inAttachments = scoped(bad, "attachments");
  let maxAttachmentBytes = int(
    env,
    "MAX_ATTACHMENT_BYTES",
    DEFAULT_MAX_ATTACHMENT_BYTES,
    inAttachments,
  );
  if (maxAttachmentBytes > MAX_ATTACHMENT_BYTES_LIMIT) {
    maxAttachmentBytes = DEFAULT_MAX_ATTACHMENT_BYTES;
    inAttachments(
      "attachment_limit_too_high",
      "MAX_ATTACHMENT_BYTES",
      `must be at most ${MAX_ATTACHMENT_BYTES_LIMIT} (15 MiB): a larger file does not fit ` +
        "in a worker's memory while it is mailed (Resend's own limit is 40,000,000 bytes after base64)",
    );
  }

  const typeIds = list(str(env, "ATTACHMENT_TYPES").toLowerCase());
  const attachmentTypes: FileKind[] = [];
  for (const id of typeIds) {
    const kind = isFileKindId(id)
      ? FILE_KINDS[id]
      : Object.values(FILE_KINDS).find((k) => k.mime === id);
    if (kind) {
      if (!attachmentTypes.includes(kind)) attachmentTypes.push(kind);
    } else if (!named("ATTACHMENT_TYPES")) {
      inAttachments(
        "invalid_choice",
        "ATTACHMENT_TYPES",
        `lists a type the worker does not know; known: ${FILE_KIND_IDS.join(", ")}`,
      );
    }
  }
  // Empty (or nothing known) accepts every kind the worker checks.
  if (attachmentTypes.length === 0)
    attachmentTypes.push(...FILE_KIND_IDS.map((id) => FILE_KINDS[id]));

  // RETENTION_MONTHS, LOG_RETENTION_DAYS, SPAM_RETENTION_DAYS — purge: only that deletion waits.
  const retention = parseRetention(env, scoped(bad, "purge"));
  const retentionMonths = retention.retentionMonths ?? 24;
  const logRetentionDays = retention.logRetentionDays ?? 30;

  // LOG_IP — log_ip: truncated, the privacy-first choice.
  const logIpRaw = str(env, "LOG_IP").toLowerCase() || "truncated";
  if (logIpRaw !== "truncated" && logIpRaw !== "full")
    bad("log_ip", "invalid_choice", "LOG_IP", 'must be "truncated" or "full"');
  const logIp = logIpRaw === "full" ? "full" : "truncated";

  // RESEND_BASE_URL — mail: the API key and every inquiry travel to it.
  const baseRaw = str(env, "RESEND_BASE_URL") || "https://api.resend.com";
  const base = resendBase(baseRaw);
  if (base === "invalid")
    bad(
      "mail",
      "invalid_url",
      "RESEND_BASE_URL",
      "must be an absolute URL like https://api.resend.com",
    );
  else if (base === "insecure")
    bad(
      "mail",
      "insecure_url",
      "RESEND_BASE_URL",
      "must use https: (plain http: only for localhost and 127.0.0.1): the API key and every inquiry travel to it",
    );
  const resendBaseUrl =
    base === "ok" ? baseRaw.replace(/(?<!\/)\/+$/, "") : "https://api.resend.com";

  // Secrets, each in its own scope; a value copied from .dev.vars.example is
  // refused before anything else is said of it.
  const secret = (name: (typeof SECRET_NAMES)[number], scope: ConfigScope): string | null => {
    const value = str(env, name);
    if (value && isExampleValue(value)) {
      bad(
        scope,
        "example_value",
        name,
        "still has the example value from .dev.vars.example: set your own (in development in .dev.vars, deployed with `npx wrangler secret put`)",
      );
      return null;
    }
    return value || null;
  };
  // RESEND_API_KEY — mail. Unset is only a warning: inquiries are kept and wait for it.
  const resendApiKey = secret("RESEND_API_KEY", "mail");
  if (!str(env, "RESEND_API_KEY"))
    warn(
      "mail",
      "no_api_key",
      "RESEND_API_KEY",
      "is not set: inquiries are stored but their mail stays pending until it is",
    );

  // ADMIN_TOKEN — admin. Only spaces is a token set wrong, not "no token": say so.
  let adminToken = secret("ADMIN_TOKEN", "admin");
  const rawToken = env.ADMIN_TOKEN;
  const adminTokenBlank = typeof rawToken === "string" && rawToken !== "" && !rawToken.trim();
  if (adminTokenBlank || (adminToken !== null && adminToken.length < ADMIN_TOKEN_MIN_LENGTH)) {
    adminToken = null;
    bad(
      "admin",
      "too_short",
      "ADMIN_TOKEN",
      `must have at least ${ADMIN_TOKEN_MIN_LENGTH} characters: make one with \`openssl rand -hex 32\``,
    );
  }

  // RESEND_WEBHOOK_SECRET — webhook.
  let resendWebhookSecret = secret("RESEND_WEBHOOK_SECRET", "webhook");
  if (resendWebhookSecret !== null && !isWebhookSecret(resendWebhookSecret)) {
    resendWebhookSecret = null;
    bad(
      "webhook",
      "invalid_secret",
      "RESEND_WEBHOOK_SECRET",
      "must be the signing secret Resend shows for the webhook: whsec_ and what follows, nothing before it (no v1,)",
    );
  }

  // TURNSTILE_SITE_KEY, TURNSTILE_SECRET_KEY — turnstile: both or neither, else the form runs without it.
  let turnstileSecret = secret("TURNSTILE_SECRET_KEY", "turnstile");
  let turnstileSiteKey: string | null = str(env, "TURNSTILE_SITE_KEY") || null;
  if (turnstileSiteKey !== null && isExampleValue(turnstileSiteKey)) {
    bad(
      "turnstile",
      "example_value",
      "TURNSTILE_SITE_KEY",
      "still has an example value: set your widget's site key",
    );
  } else if (turnstileSiteKey !== null && !/^[0-9A-Za-z_-]{1,100}$/.test(turnstileSiteKey)) {
    bad(
      "turnstile",
      "invalid_choice",
      "TURNSTILE_SITE_KEY",
      "must be the widget's site key from the Cloudflare dashboard",
    );
  }
  // Both or neither: a widget without the secret checks nothing on the server; a
  // secret without the widget would refuse every submission of the reference form.
  if (turnstileSiteKey !== null && str(env, "TURNSTILE_SECRET_KEY") === "") {
    bad(
      "turnstile",
      "turnstile_half_configured",
      "TURNSTILE_SECRET_KEY",
      "is not set while TURNSTILE_SITE_KEY is: the form works without the check; set both or neither",
    );
  } else if (turnstileSiteKey === null && str(env, "TURNSTILE_SECRET_KEY") !== "") {
    bad(
      "turnstile",
      "turnstile_half_configured",
      "TURNSTILE_SITE_KEY",
      "is not set while TURNSTILE_SECRET_KEY is: the form works without the check; set both or neither",
    );
  }
  if (problems.some((p) => p.scope === "turnstile")) {
    turnstileSecret = null;
    turnstileSiteKey = null;
  }

  // The committed wrangler.toml's addresses work with `npm run dev` and the tests
  // (their catcher and fake take any domain), so only a warning; real Resend refuses
  // an unverified domain, and that shows on /health as failed deliveries.
  for (const [name, mailboxes] of [
    ["MAIL_TO", mailTo],
    ["MAIL_FROM", mailFrom === null ? [] : [mailFrom]],
  ] as const) {
    if (mailboxes.some(isExampleAddress)) {
      warn(
        "mail",
        "example_address",
        name,
        "is still an example address (example.com or another domain reserved by RFC 2606): put your own in wrangler.toml",
      );
    }
  }

  // SPAM_FILTER — spam_filter: "tag" mails everything, so nothing is hidden by mistake.
  const spamRaw = str(env, "SPAM_FILTER").toLowerCase() || "quarantine";
  const spamOk = isSpamFilter(spamRaw);
  if (!spamOk)
    bad("spam_filter", "invalid_choice", "SPAM_FILTER", 'must be "quarantine", "tag" or "off"');
  const spamFilter: SpamFilter = isSpamFilter(spamRaw) ? spamRaw : "tag";
  const spamRetentionDays = retention.spamRetentionDays ?? 30;
  const { publicUrl, resendRate } = parseDelivery(env, bad, warn);
  // PLAN — plan: only the scheduled runs read it, and they keep to the stricter limits.
  const plan = parsePlan(env.PLAN, (problem) => bad("plan", "invalid_choice", "PLAN", problem));

  const access = parseAccess(str(env, "ACCESS_TEAM_DOMAIN"), str(env, "ACCESS_AUD"), (...p) =>
    bad("access", ...p),
  );

  return {
    ok: problems.length === 0,
    problems,
    warnings,
    config: {
      mailTo,
      mailFrom: mailFrom ?? "",
      form,
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
      adminToken,
      turnstileSecret,
      turnstileSiteKey,
      resendWebhookSecret,
      spamFilter,
      spamRetentionDays,
      publicUrl,
      resendRate,
      plan,
      access,
      off: new Set(problems.map((p) => p.scope)),
    },
  };
}

/**
 * PUBLIC_URL (the worker's public origin: links in mails point there, never at
 * a request's `Host`; scope `links`) and RESEND_RATE (sends per second, 1–100,
 * default 2: Resend's default limit, Resend docs "Rate limit"; scope `pacing`).
 */
function parseDelivery(
  env: RawEnv,
  bad: ReportProblem,
  warn: ReportProblem,
): { publicUrl: string | null; resendRate: number } {
  const raw = str(env, "PUBLIC_URL");
  const scheme = raw ? urlScheme(raw) : null;
  const publicUrl = scheme === "ok" ? toOrigin(raw) : null;
  if (scheme === "insecure")
    bad(
      "links",
      "insecure_url",
      "PUBLIC_URL",
      "must use https: (plain http: only for localhost and 127.0.0.1)",
    );
  else if (raw && !publicUrl)
    bad(
      "links",
      "invalid_url",
      "PUBLIC_URL",
      "must be the worker's origin, like https://forms.example.com (no path)",
    );
  if (!raw)
    warn(
      "links",
      "no_public_url",
      "PUBLIC_URL",
      "is not set: files are mailed inline and the spam digest has no release links (release in /admin)",
    );
  return { publicUrl, resendRate: int(env, "RESEND_RATE", 2, scoped(bad, "pacing"), 1, 100) };
}

function isSpamFilter(value: string): value is SpamFilter {
  return value === "quarantine" || value === "tag" || value === "off";
}

/** A reporter that files every problem under one scope (for helpers shared by several scopes). */
function scoped(
  bad: ReportProblem,
  scope: ConfigScope,
): (code: ConfigProblemCode, name: string, problem: string) => void {
  return (code, name, problem) => bad(scope, code, name, problem);
}

/** The three retention periods; `null` where the variable's value is invalid. */
export interface Retention {
  retentionMonths: number | null;
  logRetentionDays: number | null;
  spamRetentionDays: number | null;
}

/**
 * RETENTION_MONTHS (1–120, default 24), LOG_RETENTION_DAYS and
 * SPAM_RETENTION_DAYS (1–365, default 30), on their own: the scheduled purge
 * needs only these, so an unrelated problem (a short ADMIN_TOKEN, a bad
 * MAIL_FROM) never stops the deletions the privacy notice promises. An invalid
 * value is `null`, never a default, which could keep data longer (or shorter)
 * than the operator meant; its problem goes to `bad` when given.
 */
export function parseRetention(
  vars: object,
  bad: (code: ConfigProblemCode, name: string, problem: string) => void = () => {},
): Retention {
  const one = (raw: RawEnv, name: EnvName, fallback: number, max: number): number | null => {
    let invalid = false;
    const n = int(
      raw,
      name,
      fallback,
      (...problem) => {
        invalid = true;
        bad(...problem);
      },
      1,
      max,
    );
    return invalid ? null : n;
  };
  const env = vars as RawEnv;
  return {
    retentionMonths: one(env, "RETENTION_MONTHS", 24, 120),
    logRetentionDays: one(env, "LOG_RETENTION_DAYS", 30, 365),
    spamRetentionDays: one(env, "SPAM_RETENTION_DAYS", 30, 365),
  };
}

/** A whole number of at least `min`; `max` only where a higher value is meaningless. */
function int(
  env: RawEnv,
  name: EnvName,
  fallback: number,
  bad: (code: ConfigProblemCode, name: string, problem: string) => void,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const raw = str(env, name);
  if (raw === "") return fallback;
  const n = Number(raw);
  if (!/^\d{1,15}$/.test(raw) || n < min || n > max) {
    bad(
      "out_of_range",
      name,
      max === Number.MAX_SAFE_INTEGER
        ? `must be a whole number of at least ${min}`
        : `must be a whole number from ${min} to ${max}`,
    );
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

/**
 * `https:` is "ok"; plain `http:` is "ok" only to this machine (localhost,
 * 127.0.0.1: a local fake, mail catcher or page under development) and
 * "insecure" elsewhere; anything else, or no absolute URL, is "invalid".
 */
function urlScheme(value: string): "ok" | "insecure" | "invalid" {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return "invalid";
  }
  if (u.protocol === "https:") return "ok";
  if (u.protocol === "http:")
    return u.hostname === "localhost" || u.hostname === "127.0.0.1" ? "ok" : "insecure";
  return "invalid";
}

/**
 * Resend's API must be reached over TLS: the API key and every inquiry travel
 * to it. Plain http is for a local fake or mail catcher on this machine only.
 */
function resendBase(value: string): "ok" | "insecure" | "invalid" {
  if (URL.canParse(value)) {
    const u = new URL(value);
    if (u.username || u.password || u.search || u.hash) return "invalid";
  }
  return urlScheme(value);
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
      // Codes and names only: values may be secrets.
      console.error(
        `configuration problems: ${result.problems.map((p) => `${p.name} ${p.code} (${p.scope} off)`).join("; ")}`,
      );
    }
  }
  return result;
}
