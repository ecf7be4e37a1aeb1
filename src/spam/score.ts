import {
  isStrong,
  TAG_THRESHOLD,
  verdictOf,
  type SpamReason,
  type Verdict,
} from "../domain/spam-tag.ts";
import { hasImpossibleRun, isRandomToken } from "./gibberish.ts";
import { findLinks, registrableDomain, type FoundLink } from "./links.ts";
import { PAYMENT_TERMS, PITCH_TERMS, SCAM_STRONG, SCAM_WEAK, SEO_TERMS } from "./terms.ts";

/**
 * Spam scoring: a pure function of the submitted fields and of
 * facts the caller looked up (render token, disposable domain, recent
 * repeats). Every signal has a reason code and a weight. Doubt goes to the
 * customer: only a *strong* signal (src/domain/spam-tag.ts) makes a submission spam;
 * weak ones add up to "suspicious" at TAG_THRESHOLD, which is mailed tagged.
 * No language or script is a signal, and how the form was filled (render
 * token, time taken) counts only beside a signal in the content.
 * No outside service is asked.
 */

export { TAG_THRESHOLD, type SpamReason, type Verdict };

/** Fixed weights. Strong signals weigh 5 so a spam verdict always reads as a high score. */
export const WEIGHTS = {
  // strong: each alone is spam
  link_markup: 5,
  name_url: 5,
  link_deceptive: 5,
  disposable_link: 5,
  // weak: tag only (these three reach TAG_THRESHOLD alone)
  campaign: 4,
  form_probe: 4,
  payment_request: 4,
  link: 2,
  /** A link where a company's name belongs: what link-builders fill in; customers write a name. */
  company_link: 2,
  name_address: 2,
  many_links: 1,
  link_cloaked: 2,
  link_defanged: 2,
  click_request: 2,
  disposable_email: 2,
  same_message: 2,
  other_contact: 2,
  gibberish: 2,
  short_with_link: 1,
  /** Per distinct term found, up to `max`. */
  seo_terms: { each: 1, max: 3 },
  scam_terms: { strong: 2, weak: 1, max: 3 },
  pitch_terms: { each: 1, max: 3 },
  // how the form was filled: only beside a content signal
  too_fast: 1,
  token_forged: 2,
  token_expired: 1,
  no_token: 1,
} as const;

/** What the render-time token says (see ./render-token.ts). */
export type RenderCheck =
  | { kind: "absent" }
  | { kind: "forged" }
  | { kind: "expired" }
  | { kind: "valid"; seconds: number };

/** A person needs longer than this to fill the form in (autofill and paste can beat it). */
export const MIN_FILL_SECONDS = 3;

/** A message of at most this many words is short (./score.ts, `short_with_link`). */
export const SHORT_WORDS = 20;

/** Other addresses sending the same message in the window that make it a campaign (with a link). */
export const CAMPAIGN_ADDRESSES = 2;

export interface SpamFacts {
  render: RenderCheck;
  /** The address's domain is on the disposable-domain list. */
  disposableDomain: boolean;
  /** Other addresses that sent the same (normalised) message recently. */
  sameMessageAddresses: number;
  /**
   * Registrable domains of the company's own sites and addresses (ALLOWED_ORIGINS,
   * MAIL_FROM, MAIL_TO): a page of the company's may prefill a link to itself.
   */
  companyDomains?: readonly string[];
}

export interface SpamVerdict {
  score: number;
  /** Reason codes in the order found; each at most once. */
  reasons: SpamReason[];
  verdict: Verdict;
}

/**
 * The fields scored: `name` and `email` plus any others. Every string value
 * (nested in objects or arrays too, as a form definition's own fields may be)
 * is scored as visitor text, except `email` (judged by its domain) and
 * `service` (one of the company's own labels).
 */
export type ScoredFields = { readonly name: string; readonly email: string };

const NOT_TEXT = new Set(["email", "service"]);
const MAX_DEPTH = 3;

// Linear scans only: fixed prefixes with one bounded class each.
const MARKUP_RE = /<a\s[^>]{0,200}href|\[url[=\]]|\[\/url\]/i;
/** A link in the name (markup that is not a link, `<b>Nika</b>`, is not one). */
const NAME_LINK_RE = /https?:|www\.|<a\s|\[url/i;
const URL_WITH_SCHEME_RE = /(?:https?|ftp):\/\/\S+/gi;
const DOLLAR_RE = /\$\s?\d/;
const EMAIL_IN_TEXT_RE = /[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,5}/g;

const CLICK_WORDS = new Set(["click", "klik", "kliknite", "klikni"]);

/** Free-mail providers (registrable domains): a link to one is not the sender's own site. */
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
  "freemail.hu",
  "net.hr",
  "gmail.rs",
]);

/** Lower-case words of the text, letters and digits only. */
export function words(text: string): string[] {
  return text
    .toLowerCase()
    .normalize("NFKC")
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

/** Words of a text outside its links and addresses (tokens with a dot, slash or @). */
function proseWords(text: string): number {
  let n = 0;
  for (const token of text.split(/\s+/)) if (!/[./@]/.test(token)) n += words(token).length;
  return n;
}

/** The text's words, as a set and joined (" w1 w2 … ") for phrases. */
interface WordIndex {
  set: ReadonlySet<string>;
  joined: string;
}

function wordIndex(ws: readonly string[]): WordIndex {
  return { set: new Set(ws), joined: ` ${ws.join(" ")} ` };
}

/** How many of `terms` occur as whole words or whole phrases in the text. */
function countTerms(text: WordIndex, terms: readonly string[]): number {
  let n = 0;
  for (const t of terms) {
    if (t.includes(" ") ? text.joined.includes(` ${t} `) : text.set.has(t)) n++;
  }
  return n;
}

/** Every string value of `fields` but the excluded ones, nested values (objects, arrays, Maps) included. */
function textsOf(fields: object): string[] {
  const out: string[] = [];
  const walk = (value: unknown, depth: number) => {
    if (typeof value === "string") out.push(value);
    else if (depth >= MAX_DEPTH) return;
    else if (Array.isArray(value) || value instanceof Map)
      for (const v of value.values()) walk(v, depth + 1);
    else if (value && typeof value === "object")
      for (const v of Object.values(value)) walk(v, depth + 1);
  };
  for (const [key, value] of Object.entries(fields)) if (!NOT_TEXT.has(key)) walk(value, 0);
  return out;
}

/**
 * Scores one submission. `fields` are the validated (normalised) values.
 * Returns the score, the reasons in the order found, and the verdict
 * (src/domain/spam-tag.ts). Linear in the total length of the fields.
 */
export function scoreSubmission(fields: ScoredFields, facts: SpamFacts): SpamVerdict {
  const reasons: SpamReason[] = [];
  let score = 0;
  const add = (reason: SpamReason, weight: number) => {
    if (weight <= 0 || reasons.includes(reason)) return;
    reasons.push(reason);
    score += weight;
  };
  const texts = textsOf(fields);
  const all = texts.join("\n");

  const email = fields.email.toLowerCase();
  const emailDomain = registrableDomain(email.slice(email.lastIndexOf("@") + 1));
  // A free-mail domain is nobody's own website.
  // The sender's and the company's own sites are nobody else's: links there
  // (a drawing on the customer's server, a product page of the company's) weigh nothing.
  const ownDomains = new Set(
    [emailDomain, ...(facts.companyDomains ?? [])].filter((d) => d && !FREE_MAIL.has(d)),
  );
  const links: FoundLink[] = texts.flatMap((t) => findLinks(t, ownDomains));
  const foreign = links.filter((l) => l.kind !== "neutral");

  // Strong: each is something no customer does by accident.
  if (MARKUP_RE.test(all)) add("link_markup", WEIGHTS.link_markup);
  // The sender's own website beside their name ("Novak d.o.o. www.novak.si"
  // from info@novak.si) is a signature, not an advert: at most weak below.
  const nameLinks = findLinks(fields.name, ownDomains);
  const ownSiteOnly = nameLinks.length > 0 && nameLinks.every((l) => ownDomains.has(l.domain));
  if (NAME_LINK_RE.test(fields.name) && !ownSiteOnly) add("name_url", WEIGHTS.name_url);
  if (links.some((l) => l.kind === "deceptive")) add("link_deceptive", WEIGHTS.link_deceptive);
  if (facts.disposableDomain && foreign.length > 0) add("disposable_link", WEIGHTS.disposable_link);
  // user@host inside a URL (`ftp://user:pass@host/`) is a link's login, not an address.
  const addresses = (all.replace(URL_WITH_SCHEME_RE, " ").match(EMAIL_IN_TEXT_RE) ?? []).slice(
    0,
    20,
  );
  // Replies wanted at another address than the one given: the form's reply would go nowhere.
  const otherContact = addresses.some((a) => a.toLowerCase() !== email);
  // The same text from several addresses is a campaign when it also sends the
  // reader elsewhere; alone it may be a page's prefilled message. Even with a
  // link (a distributor's page prefilling its catalogue) it only tags.
  if (facts.sameMessageAddresses >= CAMPAIGN_ADDRESSES && (foreign.length > 0 || otherContact))
    add("campaign", WEIGHTS.campaign);
  // Bots probe forms with a random string in every field.
  const message = "message" in fields && typeof fields.message === "string" ? fields.message : "";
  if (isRandomToken(fields.name) && isRandomToken(message)) add("form_probe", WEIGHTS.form_probe);

  // Weak: each happens in real inquiries too.
  // An address or a bare domain as the name (autofill can misplace an address: weak).
  if (!reasons.includes("name_url") && (fields.name.includes("@") || nameLinks.length > 0))
    add("name_address", WEIGHTS.name_address);
  if (foreign.length > 0) add("link", WEIGHTS.link);
  const company = "company" in fields && typeof fields.company === "string" ? fields.company : "";
  if (findLinks(company, ownDomains).some((l) => l.kind !== "neutral"))
    add("company_link", WEIGHTS.company_link);
  if (foreign.length >= 3) add("many_links", WEIGHTS.many_links);
  if (links.some((l) => l.kind === "cloaked")) add("link_cloaked", WEIGHTS.link_cloaked);
  if (links.some((l) => l.defanged)) add("link_defanged", WEIGHTS.link_defanged);
  const ws = words(all);
  const index = wordIndex(ws);
  // Asking the reader to click a link is what lures do; a customer says "see".
  if (foreign.length > 0 && ws.some((w) => CLICK_WORDS.has(w)))
    add("click_request", WEIGHTS.click_request);
  // "Your invoice is overdue … pay here: <link>": phishing, even through a file
  // host (which is otherwise neutral). A customer sending a drawing via Drive
  // writes no overdue-payment demand.
  if (links.length > 0 && countTerms(index, PAYMENT_TERMS) > 0)
    add("payment_request", WEIGHTS.payment_request);
  if (facts.disposableDomain) add("disposable_email", WEIGHTS.disposable_email);
  if (facts.sameMessageAddresses > 0) add("same_message", WEIGHTS.same_message);
  if (otherContact) add("other_contact", WEIGHTS.other_contact);
  if (ws.some(hasImpossibleRun)) add("gibberish", WEIGHTS.gibberish);
  // A few words and a link to somewhere: what lures look like. A customer's
  // short note with a drawing links to a file host, which is neutral.
  if (foreign.length > 0 && proseWords(message) <= SHORT_WORDS)
    add("short_with_link", WEIGHTS.short_with_link);

  const per = (n: number, w: { each: number; max: number }) => Math.min(w.max, n * w.each);
  add("seo_terms", per(countTerms(index, SEO_TERMS), WEIGHTS.seo_terms));
  const w = WEIGHTS.scam_terms;
  const scam =
    countTerms(index, SCAM_STRONG) * w.strong +
    (countTerms(index, SCAM_WEAK) + (DOLLAR_RE.test(all) ? 1 : 0)) * w.weak;
  add("scam_terms", Math.min(w.max, scam));
  add("pitch_terms", per(countTerms(index, PITCH_TERMS), WEIGHTS.pitch_terms));

  // How the form was filled is no evidence on its own (autofill, a company's
  // own plain form without a token): it only adds beside a content signal.
  if (score > 0) {
    const r = facts.render;
    if (r.kind === "valid" && r.seconds < MIN_FILL_SECONDS) add("too_fast", WEIGHTS.too_fast);
    if (r.kind === "forged") add("token_forged", WEIGHTS.token_forged);
    if (r.kind === "expired") add("token_expired", WEIGHTS.token_expired);
    if (r.kind === "absent") add("no_token", WEIGHTS.no_token);
  }

  return { score, reasons, verdict: verdictOf(score, reasons) };
}

export { isStrong };
