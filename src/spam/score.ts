import type { InquiryFields } from "../domain/inquiry.ts";
import { isCommonWord } from "./words.ts";

/**
 * Spam scoring: a pure function of the submitted fields and of
 * facts the caller looked up (render token, disposable domain, recent repeats).
 * Every signal has a reason code and a weight; a submission whose weights add
 * up to `SPAM_THRESHOLD` or more is judged spam. No outside service is asked.
 */

export const SPAM_THRESHOLD = 5;

/** Reason codes, as the operator sees them (export, deliveries list, digest). */
export type SpamReason =
  | "link"
  | "many_links"
  | "link_cloaked"
  | "link_markup"
  | "click_request"
  | "name_url"
  | "disposable_email"
  | "too_fast"
  | "token_forged"
  | "token_expired"
  | "same_message"
  | "unexpected_script"
  | "foreign_language"
  | "gibberish"
  | "other_contact"
  | "form_probe"
  | "no_token"
  | "seo_terms"
  | "scam_terms"
  | "pitch_terms";

/** Fixed weights; the term lists weigh per distinct term found, up to a cap. */
export const WEIGHTS = {
  link: 2,
  many_links: 2,
  link_cloaked: 4,
  link_markup: 5,
  click_request: 3,
  name_url: 5,
  disposable_email: 3,
  too_fast: 5,
  token_forged: 4,
  token_expired: 2,
  same_message: 3,
  same_message_once: 1,
  unexpected_script: 5,
  foreign_language: 4,
  gibberish: 5,
  other_contact: 2,
  form_probe: 5,
  no_token: 1,
  seo_terms: { each: 2, max: 6 },
  scam_terms: { strong: 3, weak: 1, max: 6 },
  pitch_terms: { each: 2, max: 6 },
} as const;

/** What the render-time token says (see ./render-token.ts). */
export type RenderCheck =
  | { kind: "absent" }
  | { kind: "forged" }
  | { kind: "expired" }
  | { kind: "valid"; seconds: number };

/** A person needs longer than this to fill the form in. */
export const MIN_FILL_SECONDS = 3;

export interface SpamFacts {
  render: RenderCheck;
  /** The address's domain is on the disposable-domain list. */
  disposableDomain: boolean;
  /** Other addresses that sent the same (normalised) message recently. */
  sameMessageAddresses: number;
}

export interface SpamVerdict {
  score: number;
  /** Reason codes in the order found; each at most once. */
  reasons: SpamReason[];
  spam: boolean;
}

type Scored = Pick<InquiryFields, "name" | "email" | "message">;

// Linear scans only: each pattern is a fixed prefix plus one bounded class.
const URL_RE = /\bhttps?:\/\/[^\s<>"'()[\]{}]+|\bwww\.[^\s<>"'()[\]{}]+/gi;
const MARKUP_RE = /<a\s[^>]{0,200}href|\[url[=\]]|\[\/url\]/i;
const NAME_LINK_RE = /https?:|www\.|<a\s|\[url|<\/?[a-z]{1,10}>/i;
const DOLLAR_RE = /\$\s?\d/;
const LETTER_RE = /\p{L}/u;
const LATIN_RE = /\p{Script=Latin}/u;
const DIGIT_RE = /\d/;
const EMAIL_IN_TEXT_RE = /[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,5}/g;
/** Latin letters with marks that neither Slovenian (č š ž, ć đ in names) nor English uses. */
const FOREIGN_LETTER_RE =
  /[\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u0105\u0108-\u010b\u010e\u010f\u0112-\u015f\u0162-\u017c\u017f-\u024f]/u;
const VOWELS = new Set("aeiouyàáâäãåæèéêëìíîïòóôöõøùúûüýÿœ");

/**
 * Hosts that hide where a link goes: URL shorteners, anonymous publishing and
 * redirect pages, and free domains much used for throwaway sites.
 */
const CLOAK_HOSTS = new Set([
  "bit.ly",
  "bitly.com",
  "tinyurl.com",
  "is.gd",
  "v.gd",
  "t.co",
  "goo.gl",
  "ow.ly",
  "buff.ly",
  "rb.gy",
  "t.ly",
  "cutt.ly",
  "shorturl.at",
  "rebrand.ly",
  "tiny.cc",
  "xurl.es",
  "lil.ink",
  "s.id",
  "bl.ink",
  "clck.ru",
  "u.to",
  "tr.im",
  "shorte.st",
  "adf.ly",
  "telegra.ph",
  "script.google.com",
  "page.link",
]);
const CLOAK_TLDS = new Set(["tk", "ml", "ga", "cf", "gq"]);

/**
 * Where customers put drawings and files for a supplier: a link there, or to
 * the sender's own domain, weighs nothing on its own.
 */
const FILE_HOSTS = new Set([
  "we.tl",
  "wetransfer.com",
  "drive.google.com",
  "docs.google.com",
  "dropbox.com",
  "dl.dropboxusercontent.com",
  "onedrive.live.com",
  "1drv.ms",
  "sharepoint.com",
  "box.com",
  "app.box.com",
  "icloud.com",
  "filemail.com",
  "smash.gg",
  "fromsmash.com",
  "swisstransfer.com",
]);

const CLICK_WORDS = new Set(["click", "klik", "kliknite", "klikni"]);

/** Free-mail providers: a link to one of these domains is not the sender's own site. */
const FREE_MAIL = new Set([
  "gmail.com",
  "googlemail.com",
  "yahoo.com",
  "hotmail.com",
  "outlook.com",
  "live.com",
  "icloud.com",
  "me.com",
  "aol.com",
  "gmx.at",
  "gmx.de",
  "gmx.net",
  "web.de",
  "mail.ru",
  "yandex.ru",
  "siol.net",
  "t-2.net",
  "libero.it",
  "seznam.cz",
  "ukr.net",
  "protonmail.com",
  "proton.me",
]);

const SEO_TERMS = [
  "seo",
  "backlink",
  "backlinks",
  "baclink",
  "link building",
  "domain authority",
  "page rank",
  "pagerank",
  "serp",
  "serps",
  "ranking",
  "rankings",
  "ranks",
  "rank higher",
  "search engine",
  "search engines",
  "search visibility",
  "google maps",
  "google index",
  "google search",
  "organic traffic",
  "traffic",
  "visitors",
  "keywords",
  "whitehat",
  "toxic links",
  "guest post",
  "sponsored post",
  "semrush",
  "moz",
  "ahrefs",
  "alexa",
  "social ads",
  "search results",
  "clicks",
  "optimization",
  "optimizations",
  "meta tag",
  "meta tags",
  "title tag",
  "heading tags",
  "ad words",
];

/** Crypto, gambling, adult, advance-fee, get-rich and legal-threat words: no customer of a workshop uses them. */
const SCAM_STRONG = [
  "bitcoin",
  "bitcoins",
  "btc",
  "crypto",
  "cryptocurrency",
  "binance",
  "forex",
  "ethereum",
  "blockchain",
  "myetherwallet",
  "casino",
  "casinos",
  "gambling",
  "jackpot",
  "lottery",
  "porn",
  "sex",
  "sexy",
  "dating",
  "viagra",
  "cialis",
  "next of kin",
  "late client",
  "confiscated",
  "deceased",
  "inheritance",
  "make money",
  "earn money",
  "earning money",
  "making money",
  "passive income",
  "additional income",
  "online income",
  "financial independence",
  "millionaire",
  "bucks",
  "get rich",
  "make dollars",
  "dmca",
  "copyrighted",
  "infringing",
  "infringed",
  "infringement",
];

/** Words a real inquiry may use now and then, but spam uses all the time. */
const SCAM_WEAK = [
  "investment",
  "investors",
  "invest",
  "loan",
  "loans",
  "interest rates",
  "debt consolidation",
  "venture capital",
  "funding",
  "prize",
  "claim your",
  "withdrawal",
  "iphone",
  "wallet",
  "copyright",
  "sue",
  "sued",
  "affiliate",
  "affiliates",
  "commission",
  "profit",
  "profits",
  "income",
  "rich",
  "earn",
  "darling",
];

const PITCH_TERMS = [
  "feedback form",
  "feedback forms",
  "contact forms",
  "we offer",
  "our services",
  "advertising",
  "advertise",
  "marketing",
  "promotion",
  "promote",
  "portfolio",
  "graphic design",
  "social media",
  "commercial offer",
  "captcha",
  "spam folder",
  "whatsapp",
  "telegram",
  "skype",
  "free shipping",
  "shop now",
  "get yours",
  "wholesale",
  "web design",
  "monthly fee",
  "free trial",
  "limited offer",
  "special offer",
  "act now",
  "urgent",
];

/** Lower-case words of the text, letters and digits only. */
export function words(text: string): string[] {
  return text
    .toLowerCase()
    .normalize("NFKC")
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

/** How many of `terms` occur as whole words or whole phrases in `joined` (" w1 w2 … "). */
function countTerms(joined: string, terms: readonly string[]): number {
  let n = 0;
  for (const t of terms) if (joined.includes(` ${t} `)) n++;
  return n;
}

/** The links in a message (at most 50 looked at). */
export function findLinks(message: string): string[] {
  return (message.match(URL_RE) ?? []).slice(0, 50);
}

function hostOf(link: string): string | null {
  try {
    return new URL(link.startsWith("www.") ? `http://${link}` : link).hostname.toLowerCase();
  } catch {
    return null;
  }
}

/** A link to a file-sharing host, or to the sender's own domain (their website, their drawings). */
function isNeutralLink(link: string, emailDomain: string): boolean {
  const host = hostOf(link);
  if (!host) return false;
  const bare = host.replace(/^www\./, "");
  if (bare === emailDomain || bare.endsWith(`.${emailDomain}`)) return true;
  for (const h of FILE_HOSTS) if (bare === h || bare.endsWith(`.${h}`)) return true;
  return false;
}

function isCloaked(link: string): boolean {
  // A second URL inside the first is a redirect, whatever the host.
  if (/[?&=/:]https?(?::|%3a)/i.test(link.slice(8))) return true;
  // Redirect scripts (go.php?p=…, redirect?url=…, jump.cgi?…) forward to whatever follows.
  if (/\/(?:go|goto|redirect|redir|out|jump|away|link|click)\.(?:php|cgi|aspx?)\?/i.test(link))
    return true;
  let url: URL;
  try {
    url = new URL(link.startsWith("www.") ? `http://${link}` : link);
  } catch {
    return false;
  }
  const host = url.hostname.toLowerCase();
  // user@host tricks (http://facebook.com+email+@1310252231/…) and bare IP addresses.
  if (url.username || url.password) return true;
  if (/^[\d.]+$/.test(host) || host.startsWith("[")) return true;
  const bare = host.replace(/^www\./, "");
  if (CLOAK_HOSTS.has(bare) || CLOAK_HOSTS.has(bare.slice(bare.indexOf(".") + 1))) return true;
  return CLOAK_TLDS.has(host.slice(host.lastIndexOf(".") + 1));
}

/** Letters outside the Latin script: the form's languages (Slovenian, English) use Latin only. */
function mostlyUnexpectedScript(text: string): boolean {
  let letters = 0;
  let latin = 0;
  for (const ch of text) {
    if (!LETTER_RE.test(ch)) continue;
    letters++;
    if (LATIN_RE.test(ch)) latin++;
  }
  return letters >= 4 && latin / letters < 0.5;
}

/** One word of 6+ letters whose case flips at least twice inside it (`wfNvujbYnm`). */
function isRandomToken(text: string): boolean {
  const t = text.trim();
  if (t.length < 6 || t.length > 40 || !/^\p{L}+$/u.test(t)) return false;
  let flips = 0;
  let prevUpper: boolean | null = null;
  for (const ch of t) {
    const upper = ch !== ch.toLowerCase();
    if (prevUpper !== null && upper !== prevUpper) flips++;
    prevUpper = upper;
  }
  return flips >= 2;
}

/** Words of 8+ letters with 6 consonants in a row: keyboard mashing, not a language. */
function isGibberish(ws: readonly string[]): boolean {
  let n = 0;
  for (const w of ws) {
    if (w.length < 8 || DIGIT_RE.test(w)) continue;
    let run = 0;
    for (const ch of w) {
      run = VOWELS.has(ch) ? 0 : run + 1;
      if (run >= 6) {
        n++;
        break;
      }
    }
  }
  return n >= 2;
}

/**
 * Scores one submission. `fields` are the validated (normalised) values.
 * Returns the score, the reasons in the order found, and whether it is spam
 * (score ≥ SPAM_THRESHOLD).
 */
export function scoreSubmission(fields: Scored, facts: SpamFacts): SpamVerdict {
  const reasons: SpamReason[] = [];
  let score = 0;
  const add = (reason: SpamReason, weight: number) => {
    if (weight <= 0 || reasons.includes(reason)) return;
    reasons.push(reason);
    score += weight;
  };
  const message = fields.message;

  const links = findLinks(message);
  const emailDomain = fields.email.slice(fields.email.lastIndexOf("@") + 1).toLowerCase();
  // Free-mail domains are nobody's own website.
  const ownDomain = FREE_MAIL.has(emailDomain) ? "" : emailDomain;
  if (links.some((l) => !isNeutralLink(l, ownDomain))) add("link", WEIGHTS.link);
  if (links.length >= 3) add("many_links", WEIGHTS.many_links);
  if (links.some(isCloaked)) add("link_cloaked", WEIGHTS.link_cloaked);
  if (MARKUP_RE.test(message)) add("link_markup", WEIGHTS.link_markup);
  const ws = words(message);
  // Asking the reader to click a link is what phishing and lures do; a customer says "see".
  if (links.length > 0 && ws.some((w) => CLICK_WORDS.has(w)))
    add("click_request", WEIGHTS.click_request);
  if (NAME_LINK_RE.test(fields.name)) add("name_url", WEIGHTS.name_url);

  if (facts.disposableDomain) add("disposable_email", WEIGHTS.disposable_email);

  const r = facts.render;
  if (r.kind === "valid" && r.seconds < MIN_FILL_SECONDS) add("too_fast", WEIGHTS.too_fast);
  if (r.kind === "forged") add("token_forged", WEIGHTS.token_forged);
  if (r.kind === "expired") add("token_expired", WEIGHTS.token_expired);

  if (facts.sameMessageAddresses >= 2) add("same_message", WEIGHTS.same_message);
  else if (facts.sameMessageAddresses === 1) add("same_message", WEIGHTS.same_message_once);

  if (mostlyUnexpectedScript(message)) add("unexpected_script", WEIGHTS.unexpected_script);

  // A short message with no number, not one Slovenian or English word, and letters of
  // another alphabet: the form speaks those two languages, and a real request names a
  // quantity or a size. (Slovenian in telegraphic style has no foreign letters.)
  if (
    FOREIGN_LETTER_RE.test(message) &&
    ws.length >= 3 &&
    ws.length <= 15 &&
    !DIGIT_RE.test(message) &&
    links.length === 0 &&
    !reasons.includes("unexpected_script") &&
    !ws.some(isCommonWord)
  ) {
    add("foreign_language", WEIGHTS.foreign_language);
  }
  if (isGibberish(ws)) add("gibberish", WEIGHTS.gibberish);
  // Replies wanted at another address than the one given: the form's reply would go nowhere.
  const sender = fields.email.toLowerCase();
  const addresses = (message.match(EMAIL_IN_TEXT_RE) ?? []).slice(0, 20);
  if (addresses.some((a) => a.toLowerCase() !== sender))
    add("other_contact", WEIGHTS.other_contact);
  // Bots probe forms with a random string in every field.
  if (isRandomToken(fields.name) && isRandomToken(message)) add("form_probe", WEIGHTS.form_probe);

  const joined = ` ${ws.join(" ")} `;
  const termScore = (n: number, w: { each: number; max: number }) => Math.min(w.max, n * w.each);
  add("seo_terms", termScore(countTerms(joined, SEO_TERMS), WEIGHTS.seo_terms));
  const w = WEIGHTS.scam_terms;
  const scam =
    countTerms(joined, SCAM_STRONG) * w.strong +
    (countTerms(joined, SCAM_WEAK) + (DOLLAR_RE.test(message) ? 1 : 0)) * w.weak;
  add("scam_terms", Math.min(w.max, scam));
  add("pitch_terms", termScore(countTerms(joined, PITCH_TERMS), WEIGHTS.pitch_terms));

  // Without a render token the form was not the one this worker served: neutral alone
  // (a company's own plain form sends none), one more point beside another signal.
  if (r.kind === "absent" && score > 0) add("no_token", WEIGHTS.no_token);

  return { score, reasons, spam: score >= SPAM_THRESHOLD };
}
