import type { Config } from "../config/config.ts";
import type { NewInquiry } from "../domain/inquiry.ts";
import type { Lang } from "../i18n/lang.ts";
import { verdictOf, type SpamReason } from "./verdict.ts";

/**
 * How a scored inquiry's mail is tagged. A suspicious one is
 * mailed with `[SPAM?] ` before its subject, an `X-Spam-Score` header (score
 * and reason codes, for a mail-client rule) and a line in the mail naming the
 * reasons in the staff's words, so a person decides. SPAM_FILTER=tag treats
 * judged spam the same way and puts the header on every scored mail. Under
 * quarantine, judged spam is only mailed once the staff released it: as usual.
 */
export function isTagged(inquiry: NewInquiry, config: Config): boolean {
  if (config.spamFilter === "off" || !inquiry.spam) return false;
  const verdict = verdictOf(inquiry.spam.score, inquiry.spam.reasons);
  return verdict === "suspicious" || (verdict === "spam" && config.spamFilter === "tag");
}

export function tagPrefix(inquiry: NewInquiry, config: Config): string {
  return isTagged(inquiry, config) ? "[SPAM?] " : "";
}

export function spamTag(inquiry: NewInquiry, config: Config): { headers?: Record<string, string> } {
  if (!inquiry.spam || !(config.spamFilter === "tag" || isTagged(inquiry, config))) return {};
  const reasons = inquiry.spam.reasons.length ? ` (${inquiry.spam.reasons.join(", ")})` : "";
  return { headers: { "X-Spam-Score": `${inquiry.spam.score}${reasons}` } };
}

const REASON_TEXT: Record<SpamReason, Record<Lang, string>> = {
  link_markup: { sl: "povezava v oznakah HTML ali BBCode", en: "link written as HTML or BBCode" },
  name_url: { sl: "povezava v polju z imenom", en: "a link in the name field" },
  link_deceptive: {
    sl: "zavajajoča povezava (IP-naslov ali uporabnik@gostitelj)",
    en: "misleading link (IP address or user@host)",
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

/**
 * The line the staff read in a tagged mail: "score 6: link to an unknown
 * site, SEO sales vocabulary, …" in `lang`, or null when the mail is not tagged.
 */
export function tagReasonsLine(inquiry: NewInquiry, config: Config, lang: Lang): string | null {
  if (!inquiry.spam || !isTagged(inquiry, config)) return null;
  const texts = inquiry.spam.reasons.map(
    (r) => (REASON_TEXT as Record<string, Record<Lang, string>>)[r]?.[lang] ?? r,
  );
  const head = lang === "sl" ? "ocena" : "score";
  return `${head} ${inquiry.spam.score}: ${texts.join(", ")}`;
}
