import type { Config } from "../config/config.ts";
import { escapeHtml } from "../pages/html.ts";
import type { Lang } from "../i18n/lang.ts";
import { formatBytes } from "../domain/file-kinds.ts";
import type { NewInquiry } from "../domain/inquiry.ts";
import type { FieldDef, OwnValue } from "../domain/fields.ts";
import { serviceLabel, serviceOf, type FormDefinition } from "../domain/form.ts";
import { displayNameMailbox } from "../config/mailbox.ts";
import { spamTag, tagPrefix, tagReasonsLine } from "../domain/spam-tag.ts";

/** What we hand to Resend: the SDK's `emails.send` payload, camel-cased. */
export interface MailMessage {
  from: string;
  to: string[];
  /** The visitor; left out when Resend refused it (the address stays in the body). */
  replyTo?: string;
  subject: string;
  text: string;
  html: string;
  attachments?: MailAttachment[];
  /** Extra headers (Resend `headers`), e.g. `X-Spam-Score` in tag mode. */
  headers?: Record<string, string>;
}

/** The bytes inline (the SDK sends them base64-encoded in the JSON body), or a link Resend fetches. */
export type MailAttachment = { filename: string; contentType: string } & (
  { content: Uint8Array } | { path: string }
);

/**
 * Where the mail's file comes from: a link to the worker (`path`), the bytes
 * themselves (`content`), `omitted` when Resend could not fetch the link and
 * the file is too large to carry inline (the mail says how to get it), or
 * null when the file could not be read from storage.
 */
export type FileSource = { path: string } | { content: Uint8Array } | { omitted: true } | null;

const L = {
  heading: {
    sl: "Novo povpraševanje s spletnega obrazca",
    en: "New inquiry from the website form",
  },
  subject: { sl: "Povpraševanje", en: "Inquiry" },
  language: { sl: "Jezik obiskovalca", en: "Visitor's language" },
  received: { sl: "Prejeto", en: "Received" },
  missing: {
    sl: "priponke ni bilo mogoče prebrati iz shrambe",
    en: "the attachment could not be read from storage",
  },
  omitted: {
    sl: "ni priložena, ker je prevelika za e-pošto; shranjena je s tem povpraševanjem: prosite skrbnika spletnega mesta, da vam jo preda (navedite oznako povpraševanja spodaj)",
    en: "not attached, as it is too large for e-mail; it is kept with this inquiry: ask your website's operator to hand it over (give the inquiry id below)",
  },
  yes: { sl: "da", en: "yes" },
  no: { sl: "ne", en: "no" },
  spamCheck: { sl: "Mogoča neželena pošta", en: "Possible spam" },
  footer: {
    sl: "Odgovorite na to sporočilo, da odgovorite obiskovalcu. Oznaka povpraševanja",
    en: "Reply to this message to answer the visitor. Inquiry id",
  },
  // Replying to a mail without reply_to would reach MAIL_FROM, not the visitor.
  footerNoReply: {
    sl: "Naslova obiskovalca ni bilo mogoče nastaviti za odgovor; pišite na naslov v polju »E-pošta«. Oznaka povpraševanja",
    en: "The visitor's address could not be set as the reply address; write to the address in the E-mail field. Inquiry id",
  },
  langNames: {
    sl: { sl: "slovenščina", en: "angleščina" },
    en: { sl: "Slovenian", en: "English" },
  },
} as const;

/**
 * One header line from visitor text: CR, LF, other controls and bidi
 * overrides become spaces, and every "=?" becomes "= ?", so no value can
 * start an RFC 2047 encoded-word (`=?UTF-8?B?…?=`) that a mail client would
 * decode into other text (RFC 2047 §5 lets clients decode them in a subject).
 * At most `max` code points.
 */
export function headerSafe(text: string, max = 200): string {
  const cleaned = text
    .replace(/[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]+/g, " ")
    .replace(/\s+/g, " ")
    .replaceAll("=?", "= ?")
    .trim();
  // No more UTF-16 units than `max`: no more code points either, nothing to cut.
  if (cleaned.length <= max) return cleaned;
  return [...cleaned].slice(0, max).join("");
}

/**
 * `at` (ms since the epoch) as the staff read it: `YYYY-MM-DD HH:MM` on the
 * clock of `timeZone` (an IANA zone, e.g. `Europe/Ljubljana`), with the zone's
 * abbreviation or offset as `Intl` (ECMA-402) names it, e.g. `2026-03-31 14:05 CEST`.
 */
export function staffTime(at: number, timeZone: string): string {
  // Every instant of one minute reads the same: every zone's offset has been whole
  // minutes since 7 January 1972 (IANA tz database, Africa/Monrovia the last), and
  // the text shows no seconds.
  const minute = Math.floor(at / 60_000);
  if (lastStaffTime.minute === minute && lastStaffTime.timeZone === timeZone) {
    return lastStaffTime.text;
  }
  const parts = staffClock(timeZone).formatToParts(new Date(at));
  const p = (type: Intl.DateTimeFormatPartTypes) => parts.find((x) => x.type === type)?.value ?? "";
  const text = `${p("year")}-${p("month")}-${p("day")} ${p("hour")}:${p("minute")} ${p("timeZoneName")}`;
  lastStaffTime = { minute, timeZone, text };
  return text;
}

/** The last minute formatted: inquiries that arrive together are stamped alike. */
let lastStaffTime = { minute: NaN, timeZone: "", text: "" };

/**
 * One formatter per time zone for the isolate's life: building an
 * `Intl.DateTimeFormat` loads the zone's rules and locale data, which cost
 * more than the rest of composing a mail (CPU profile of `npm run bench`).
 */
const staffClocks = new Map<string, Intl.DateTimeFormat>();

function staffClock(timeZone: string): Intl.DateTimeFormat {
  let clock = staffClocks.get(timeZone);
  if (!clock) {
    clock = new Intl.DateTimeFormat("en-GB", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
      timeZoneName: "short",
    });
    staffClocks.set(timeZone, clock);
  }
  return clock;
}

/** A value of the company's own field as the staff read it: a choice by its label, a box as yes/no. */
function ownValue(f: FieldDef, v: OwnValue, lang: Lang): string {
  if (typeof v === "boolean") return L[v ? "yes" : "no"][lang];
  if (f.type === "choice") return f.options?.find((o) => o.id === v)?.label[lang] ?? String(v);
  return String(v);
}

/** A built-in field's text as stored in its own column (src/domain/inquiry.ts), or null. */
function builtinValue(inquiry: NewInquiry, name: string): string | null {
  const v = (inquiry as unknown as Record<string, unknown>)[name];
  return typeof v === "string" ? v : null;
}

/**
 * The table rows of the staff mail: every field of the table the staff see,
 * but the message and the file (parts of their own), labelled in `lang`;
 * null where the inquiry has no value.
 */
function fieldRows(
  inquiry: NewInquiry,
  form: FormDefinition,
  lang: Lang,
): [string, string | null][] {
  return form.fields
    .filter((f) => f.staff && f.type !== "textarea" && f.type !== "file")
    .map((f) => {
      if (f.type === "service") return [f.label[lang], serviceLabel(form, inquiry.service, lang)];
      if (f.builtin) return [f.label[lang], builtinValue(inquiry, f.name)];
      const v = inquiry.extra?.[f.name];
      return [f.label[lang], v === undefined ? null : ownValue(f, v, lang)];
    });
}

/** The table's long texts (the message, a textarea of the company's own): each a part of its own. */
function longTexts(inquiry: NewInquiry, form: FormDefinition, lang: Lang): [string, string][] {
  const out: [string, string][] = [];
  for (const f of form.fields) {
    if (!f.staff || f.type !== "textarea") continue;
    const v = f.builtin ? builtinValue(inquiry, f.name) : inquiry.extra?.[f.name];
    if (typeof v === "string" && v !== "") out.push([f.label[lang], v]);
  }
  return out;
}

/**
 * The staff's e-mail for one inquiry, in the company's language (DEFAULT_LANG),
 * to the desk of its service (the service's `to`, else MAIL_TO), from MAIL_FROM's
 * address under the company's name when the form definition gives one.
 * Every value is escaped in the HTML part; the subject is header-safe.
 * `withReplyTo` false: no `reply_to` (Resend refused the visitor's address),
 * and the footer says to write to the address in the body instead of replying.
 */
export function composeMail(
  inquiry: NewInquiry,
  config: Config,
  file: FileSource,
  withReplyTo = true,
): MailMessage {
  const lang: Lang = config.defaultLang;
  const { form } = config;
  const t = <K extends keyof typeof L>(k: K) => (L[k] as Record<Lang, string>)[lang];
  const label = (name: string) => form.fields.find((f) => f.name === name)?.label[lang] ?? name;
  const received = staffTime(inquiry.createdAt, form.timezone);
  const a = inquiry.attachment;
  // No hash here: it is for the export and the operator, not for the staff's reading.
  const note = !file ? `: ${t("missing")}` : "omitted" in file ? `: ${t("omitted")}` : "";
  const attachmentLine = a ? `${a.filename} (${formatBytes(a.size)}, ${a.type})${note}` : null;

  const rows: [string, string | null][] = [
    // A tagged inquiry says why, first, so the person who reads it decides.
    [t("spamCheck"), tagReasonsLine(inquiry, config.spamFilter, lang)],
    ...fieldRows(inquiry, form, lang),
    [t("language"), L.langNames[lang][inquiry.lang]],
    [t("received"), received],
    [label("attachment"), attachmentLine],
  ];
  const texts = longTexts(inquiry, form, lang);
  const footer = t(withReplyTo ? "footer" : "footerNoReply");
  const present = rows.filter((r): r is [string, string] => r[1] !== null);

  const text = [
    t("heading"),
    "",
    ...present.map(([k, v]) => `${k}: ${v}`),
    ...texts.flatMap(([k, v]) => ["", `${k}:`, v]),
    "",
    "-- ",
    `${footer}: ${inquiry.id}`,
  ].join("\n");

  const html = `<!doctype html><html lang="${lang}"><body style="font-family:sans-serif">
<h2>${escapeHtml(t("heading"))}</h2>
<table cellpadding="4" style="border-collapse:collapse">
${present.map(([k, v]) => `<tr><th align="left" valign="top">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join("\n")}
</table>
${texts.map(([k, v]) => `<h3>${escapeHtml(k)}</h3>\n<div style="white-space:pre-wrap">${escapeHtml(v)}</div>`).join("\n")}
<hr><p style="color:#555;font-size:small">${escapeHtml(footer)}: ${escapeHtml(inquiry.id)}</p>
</body></html>`;

  const company = form.company ? `${form.company}: ` : "";
  const message: MailMessage = {
    from: form.company ? displayNameMailbox(form.company, config.mailFrom) : config.mailFrom,
    to: serviceOf(form, inquiry.service)?.to ?? config.mailTo,
    ...(withReplyTo ? { replyTo: inquiry.email } : {}),
    subject: headerSafe(
      `${tagPrefix(inquiry, config.spamFilter)}${company}${t("subject")}: ${serviceLabel(form, inquiry.service, lang)} – ${inquiry.name}`,
    ),
    text,
    html,
    ...spamTag(inquiry, config.spamFilter),
  };
  if (a && file && !("omitted" in file)) {
    message.attachments = [{ filename: headerSafe(a.filename, 100), contentType: a.type, ...file }];
  }
  return message;
}
