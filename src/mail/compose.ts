import type { Config } from "../config/config.ts";
import { escapeHtml } from "../pages/html.ts";
import type { Lang } from "../i18n/lang.ts";
import { formatBytes } from "../inquiry/attachment.ts";
import type { NewInquiry } from "../domain/inquiry.ts";
import { spamTag, tagPrefix } from "../spam/tag.ts";

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
  service: { sl: "Storitev", en: "Service" },
  name: { sl: "Ime in priimek", en: "Name" },
  email: { sl: "E-pošta", en: "E-mail" },
  phone: { sl: "Telefon", en: "Phone" },
  company: { sl: "Podjetje", en: "Company" },
  language: { sl: "Jezik obiskovalca", en: "Visitor's language" },
  received: { sl: "Prejeto", en: "Received" },
  attachment: { sl: "Priponka", en: "Attachment" },
  missing: {
    sl: "priponke ni bilo mogoče prebrati iz shrambe",
    en: "the attachment could not be read from storage",
  },
  omitted: {
    sl: "ni priložena, ker je prevelika za e-pošto; shranjena je s tem povpraševanjem: prosite skrbnika spletnega mesta, da vam jo preda (navedite oznako povpraševanja spodaj)",
    en: "not attached, as it is too large for e-mail; it is kept with this inquiry: ask your website's operator to hand it over (give the inquiry id below)",
  },
  message: { sl: "Sporočilo", en: "Message" },
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
  return [...cleaned].slice(0, max).join("");
}

/**
 * The staff's e-mail for one inquiry, in the company's language (DEFAULT_LANG).
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
  const t = <K extends keyof typeof L>(k: K) => (L[k] as Record<Lang, string>)[lang];
  const received =
    new Date(inquiry.createdAt).toISOString().replace("T", " ").slice(0, 16) + " UTC";
  const a = inquiry.attachment;
  // No hash here: it is for the export and the operator, not for the staff's reading.
  const note = !file ? `: ${t("missing")}` : "omitted" in file ? `: ${t("omitted")}` : "";
  const attachmentLine = a ? `${a.filename} (${formatBytes(a.size)}, ${a.type})${note}` : null;

  const rows: [string, string | null][] = [
    [t("service"), inquiry.service],
    [t("name"), inquiry.name],
    [t("email"), inquiry.email],
    [t("phone"), inquiry.phone],
    [t("company"), inquiry.company],
    [t("language"), L.langNames[lang][inquiry.lang]],
    [t("received"), received],
    [t("attachment"), attachmentLine],
  ];
  const footer = t(withReplyTo ? "footer" : "footerNoReply");
  const present = rows.filter((r): r is [string, string] => r[1] !== null);

  const text = [
    t("heading"),
    "",
    ...present.map(([k, v]) => `${k}: ${v}`),
    "",
    `${t("message")}:`,
    inquiry.message,
    "",
    "-- ",
    `${footer}: ${inquiry.id}`,
  ].join("\n");

  const html = `<!doctype html><html lang="${lang}"><body style="font-family:sans-serif">
<h2>${escapeHtml(t("heading"))}</h2>
<table cellpadding="4" style="border-collapse:collapse">
${present.map(([k, v]) => `<tr><th align="left" valign="top">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join("\n")}
</table>
<h3>${escapeHtml(t("message"))}</h3>
<div style="white-space:pre-wrap">${escapeHtml(inquiry.message)}</div>
<hr><p style="color:#555;font-size:small">${escapeHtml(footer)}: ${escapeHtml(inquiry.id)}</p>
</body></html>`;

  const message: MailMessage = {
    from: config.mailFrom,
    to: config.mailTo,
    ...(withReplyTo ? { replyTo: inquiry.email } : {}),
    subject: headerSafe(
      `${tagPrefix(inquiry, config)}${t("subject")}: ${inquiry.service} – ${inquiry.name}`,
    ),
    text,
    html,
    ...spamTag(inquiry, config),
  };
  if (a && file && !("omitted" in file)) {
    message.attachments = [{ filename: headerSafe(a.filename, 100), contentType: a.type, ...file }];
  }
  return message;
}
