import type { NewInquiry } from "./inquiry.ts";
import type { Lang } from "./lang.ts";

/**
 * How the spam verdict reaches the staff's mail: the vocabulary both the
 * scorer (src/spam/) and the mail (src/mail/) use, kept here at the bottom so
 * the mail need not import the spam feature that sits above it.
 *
 * Three outcomes, following from a score and its reason codes, so that mail
 * composition can tell from what is stored how a past inquiry was judged:
 * - `spam`: at least one strong reason. Quarantined under SPAM_FILTER=quarantine.
 * - `suspicious`: no strong reason, score ≥ TAG_THRESHOLD. Mailed with `[SPAM?]`.
 * - `clean`: mailed as usual.
 */

/** What a submission judged spam gets: `SPAM_FILTER`. */
export type SpamFilter = "quarantine" | "tag" | "off";

export type Verdict = "clean" | "suspicious" | "spam";

/** Reason codes, as the operator and the staff see them. */
export type SpamReason =
  // strong
  | "link_markup"
  | "name_url"
  | "link_deceptive"
  | "disposable_link"
  // weak
  | "campaign"
  | "form_probe"
  | "link"
  | "company_link"
  | "payment_request"
  | "name_address"
  | "many_links"
  | "link_cloaked"
  | "link_defanged"
  | "click_request"
  | "disposable_email"
  | "same_message"
  | "other_contact"
  | "gibberish"
  | "short_with_link"
  | "seo_terms"
  | "scam_terms"
  | "pitch_terms"
  | "too_fast"
  | "token_forged"
  | "token_expired"
  | "no_token";

/**
 * Evidence that no real customer leaves by accident: link markup, a link to
 * someone else's site as the name, a host@host link, a disposable address
 * sending a link. (The same message from several addresses and random strings
 * in every field only tag: a distributor's page prefills one message for many
 * real customers, and names like MacKenzie look random to a letter count.)
 */
const STRONG: ReadonlySet<string> = new Set<SpamReason>([
  "link_markup",
  "name_url",
  "link_deceptive",
  "disposable_link",
]);

/** Weak signals adding up to this score make a submission suspicious: mailed, tagged. */
export const TAG_THRESHOLD = 4;

/** Whether a reason code (as stored) is strong evidence on its own. */
export function isStrong(reason: string): boolean {
  return STRONG.has(reason);
}

/** The verdict for a score and its reason codes (codes of older versions count as weak). */
export function verdictOf(score: number, reasons: readonly string[]): Verdict {
  if (reasons.some(isStrong)) return "spam";
  return score >= TAG_THRESHOLD ? "suspicious" : "clean";
}

/**
 * How a scored inquiry's mail is tagged. A suspicious one is
 * mailed with `[SPAM?] ` before its subject, an `X-Spam-Score` header (score
 * and reason codes, for a mail-client rule) and a line in the mail naming the
 * reasons in the staff's words, so a person decides. SPAM_FILTER=tag treats
 * judged spam the same way and puts the header on every scored mail. Under
 * quarantine, judged spam is only mailed once the staff released it: as usual.
 */
export function isTagged(inquiry: NewInquiry, spamFilter: SpamFilter): boolean {
  if (spamFilter === "off" || !inquiry.spam) return false;
  const verdict = verdictOf(inquiry.spam.score, inquiry.spam.reasons);
  return verdict === "suspicious" || (verdict === "spam" && spamFilter === "tag");
}

export function tagPrefix(inquiry: NewInquiry, spamFilter: SpamFilter): string {
  return isTagged(inquiry, spamFilter) ? "[SPAM?] " : "";
}

/** The `X-Spam-Score` header, as Resend's `headers` takes it; `{}` when the mail carries none. */
export function spamTag(
  inquiry: NewInquiry,
  spamFilter: SpamFilter,
): { headers?: Record<string, string> } {
  if (!inquiry.spam || !(spamFilter === "tag" || isTagged(inquiry, spamFilter))) return {};
  const reasons = inquiry.spam.reasons.length ? ` (${inquiry.spam.reasons.join(", ")})` : "";
  return { headers: { "X-Spam-Score": `${inquiry.spam.score}${reasons}` } };
}

const REASON_TEXT: Record<SpamReason, Record<Lang, string>> = {
  link_markup: { sl: "povezava v oznakah HTML ali BBCode", en: "link written as HTML or BBCode" },
  name_url: { sl: "povezava v polju z imenom", en: "a link in the name field" },
  link_deceptive: {
    sl: "zavajajoča povezava (domena@gostitelj)",
    en: "misleading link (domain@host)",
  },
  disposable_link: {
    sl: "naslov za enkratno rabo in povezava",
    en: "disposable address sending a link",
  },
  campaign: {
    sl: "isto sporočilo s povezavo z več naslovov",
    en: "same message with a link from several addresses",
  },
  form_probe: { sl: "naključni nizi v vseh poljih", en: "random strings in every field" },
  link: { sl: "povezava na neznano stran", en: "link to an unknown site" },
  company_link: {
    sl: "povezava namesto imena podjetja",
    en: "a link where the company name belongs",
  },
  payment_request: {
    sl: "poziv k plačilu računa s povezavo",
    en: "asks to pay an invoice through a link",
  },
  name_address: {
    sl: "naslov ali domena v polju z imenom",
    en: "an address or domain as the name",
  },
  many_links: { sl: "veliko povezav", en: "many links" },
  link_cloaked: {
    sl: "skrajšana ali preusmerjena povezava",
    en: "shortened or redirecting link",
  },
  link_defanged: {
    sl: "povezava, zapisana tako, da je filtri ne prepoznajo (x[.]com)",
    en: "link written to slip past filters (x[.]com)",
  },
  click_request: { sl: "poziv h kliku na povezavo", en: "asks to click a link" },
  disposable_email: { sl: "naslov za enkratno rabo", en: "disposable e-mail address" },
  same_message: {
    sl: "isto sporočilo tudi z drugega naslova",
    en: "same message from another address too",
  },
  other_contact: { sl: "želi odgovor na drug naslov", en: "asks for replies at another address" },
  gibberish: { sl: "nesmiselni nizi črk", en: "strings of random letters" },
  short_with_link: { sl: "kratko sporočilo s povezavo", en: "short message with a link" },
  seo_terms: { sl: "besedišče ponudb SEO", en: "SEO sales vocabulary" },
  scam_terms: { sl: "besedišče prevar", en: "scam vocabulary" },
  pitch_terms: { sl: "besedišče prodajnih ponudb", en: "sales-pitch vocabulary" },
  too_fast: { sl: "poslano zelo hitro", en: "sent very fast" },
  token_forged: { sl: "ponarejen žeton obrazca", en: "forged form token" },
  token_expired: { sl: "potekel žeton obrazca", en: "expired form token" },
  no_token: { sl: "brez žetona obrazca", en: "no form token" },
};

/** One reason code in the staff's words (`lang`); a code of an older version as stored. */
export function reasonText(reason: string, lang: Lang): string {
  return (REASON_TEXT as Record<string, Record<Lang, string>>)[reason]?.[lang] ?? reason;
}

/**
 * The line the staff read in a tagged mail: "score 6: link to an unknown
 * site, SEO sales vocabulary, …" in `lang`, or null when the mail is not tagged.
 */
export function tagReasonsLine(
  inquiry: NewInquiry,
  spamFilter: SpamFilter,
  lang: Lang,
): string | null {
  if (!inquiry.spam || !isTagged(inquiry, spamFilter)) return null;
  const texts = inquiry.spam.reasons.map((r) => reasonText(r, lang));
  const head = lang === "sl" ? "ocena" : "score";
  return `${head} ${inquiry.spam.score}: ${texts.join(", ")}`;
}
