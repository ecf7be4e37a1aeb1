import type * as PublicSuffixList from "./public-suffix.ts";
import rootZoneTlds from "tlds" with { type: "json" };

/**
 * Links in visitor text, read the way a mail client or a browser would follow
 * them: `https://…` and `www.…` links, bare domains (`rankboost.io`) and
 * defanged ones (`profit-bot[.]com`, `hxxp://…`), with Outlook Safe Links and
 * Google redirect links unwrapped to the link they carry. Domains are read
 * with the Public Suffix List's ICANN section (tldts-icann), never by pattern: `acme.co.uk` and
 * `mail.acme.co.uk` are one registrable domain, `d.o.o.` and `1.4301` are none.
 */

let suffixes: typeof PublicSuffixList | null = null;

/**
 * Loads the Public Suffix List (tldts-icann) on first use. Its module builds
 * its trie when evaluated, about 7 ms of CPU that would otherwise be spent in
 * the worker's global scope on every cold start (Cloudflare, "Workers startup
 * time"), whatever the request. Call it before `findLinks` or `registrableDomain`.
 */
export async function loadPublicSuffixes(): Promise<void> {
  suffixes ??= await import("./public-suffix.ts");
}

function parse(host: string): ReturnType<typeof PublicSuffixList.parse> {
  if (!suffixes) throw new Error("loadPublicSuffixes() has not finished");
  return suffixes.parse(host);
}

/** What one link is, after unwrapping. */
export type LinkKind =
  /** A file-sharing or maps host, or the sender's own domain: what customers paste. */
  | "neutral"
  /** A shortener, an unknown redirect, a bare IP address or a free throwaway domain: hides where it goes. */
  | "cloaked"
  /** `user@host` tricks (`http://bank.com+login@evil.example/`): made to mislead a reader. */
  | "deceptive"
  | "plain";

export interface FoundLink {
  /** The URL as followed (after unwrapping known redirectors). */
  url: string;
  /** Registrable domain (public-suffix aware), or the IP address. */
  domain: string;
  kind: LinkKind;
  /** Written without a scheme: `www.x.com` or a bare `x.com`. */
  bare: boolean;
  /** Written defanged (`x[.]com`, `hxxp://`): nobody defangs a link meant to help. */
  defanged: boolean;
}

/** At most this many whitespace-separated tokens of a text are looked at for links. */
const MAX_TOKENS = 2000;
/** At most this many links per text (a message with more is judged on these). */
const MAX_LINKS = 50;
/** Redirector wrappers unwrapped one inside another, at most. */
const MAX_UNWRAP = 3;

/** Where customers put drawings and files for a supplier (registrable domains or hosts). */
const FILE_HOSTS = new Set([
  "we.tl",
  "wetransfer.com",
  "drive.google.com",
  "docs.google.com",
  "photos.google.com",
  "photos.app.goo.gl",
  "dropbox.com",
  "dropboxusercontent.com",
  "db.tt",
  "onedrive.live.com",
  "1drv.ms",
  "sharepoint.com",
  "box.com",
  "icloud.com",
  "filemail.com",
  "fromsmash.com",
  "swisstransfer.com",
  "imgur.com",
]);

/** Maps: a customer's address or a delivery point. `goo.gl` only for its `/maps/` links. */
function isMapsLink(host: string, domainName: string, path: string): boolean {
  if (host === "maps.app.goo.gl" || host === "maps.apple.com") return true;
  if (host === "goo.gl") return path.startsWith("/maps");
  if (domainName === "google") return host.startsWith("maps.") || path.startsWith("/maps");
  return false;
}

/** URL shorteners and anonymous redirect or publishing hosts. */
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
/**
 * The top-level domains of the IANA root zone (`tlds`, from
 * https://data.iana.org/TLD/tlds-alpha-by-domain.txt). tldts-icann reports no
 * `isIcann` for a listed suffix, and an unlisted one (`file.pdf`) falls back to
 * its last label (PSL algorithm, rule `*`): this set tells the two apart.
 */
const ROOT_ZONE = new Set(rootZoneTlds);
/** Free top-level domains that throwaway sites use (Freenom's). */
const CLOAK_TLDS = new Set(["tk", "ml", "ga", "cf", "gq"]);
/**
 * Public suffixes that are also file extensions (`drawing.zip`, `video.mov`):
 * written bare they name a file, not a site.
 */
const FILE_SUFFIXES = new Set(["zip", "mov", "py", "sh", "pl", "md", "rs", "ps", "cc", "ai"]);

// Each pattern is anchored or a fixed literal: linear on any token.
const DEFANG_RE = /\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)/gi;
const HXXP_RE = /^h[xX]{2}p(s?):\/\//;
/** A scheme, with or without its slashes: browsers follow `http:host` too. */
const SCHEME_RE = /https?:|ftp:/i;
/** A URL ends where HTML, BBCode or a sentence around it starts. */
const URL_END_RE = /["'<>[\]{}`\\]/;
/** Punctuation a sentence puts after a link, not part of it. */
const TRAILING = new Set(".,;:!?)");
const LEADING_RE = /^[(<"'*]+/;
const BARE_RE = /^[\p{L}\p{N}][\p{L}\p{N}.-]*\.\p{L}{2,}(?:[/:?#]\S*)?$/u;
/** What separates host-like runs in a user name (`bank.com+login`). */
const NOT_HOST_CHAR_RE = /[^\p{L}\p{N}.-]/u;
/** A URL inside a URL's path or query (after unwrapping the known redirectors): a redirect. */
const NESTED_URL_RE = /(?:https?|www)(?::|%3a|\.)/i;
const REDIRECT_SCRIPT_RE =
  /\/(?:go|goto|redirect|redir|out|jump|away|link|click)\.(?:php|cgi|aspx?)$/i;

/**
 * The links in `text`, at most MAX_LINKS, in order. `ownDomains` are
 * registrable domains whose links are `neutral`: the sender's own and the
 * company's (never a free-mail provider's). Linear in the text's length.
 */
export function findLinks(text: string, ownDomains: ReadonlySet<string>): FoundLink[] {
  const found: FoundLink[] = [];
  let tokens = 0;
  for (const raw of text.split(/\s+/)) {
    if (++tokens > MAX_TOKENS || found.length >= MAX_LINKS) break;
    if (raw.length < 4 || raw.length > 4096) continue;
    const link = readToken(raw, ownDomains);
    if (link) found.push(link);
  }
  return found;
}

function readToken(raw: string, ownDomains: ReadonlySet<string>): FoundLink | null {
  let token = raw;
  let defanged = false;
  if (token.includes("[") || token.includes("(") || token.includes("{")) {
    const undone = token.replace(DEFANG_RE, ".");
    defanged = undone !== token;
    token = undone;
  }
  const at = token.search(SCHEME_RE);
  const hx = at < 0 ? HXXP_RE.exec(token.replace(LEADING_RE, "")) : null;
  if (hx) {
    token = `http${hx[1]}://${token.replace(LEADING_RE, "").slice(hx[0].length)}`;
    defanged = true;
  }
  const start = hx ? 0 : at;
  if (start >= 0) {
    const scheme = /^(?:https?|ftp):\/*/i.exec(token.slice(start))![0];
    const rest = `${scheme.slice(0, scheme.indexOf(":"))}://${token.slice(start + scheme.length)}`;
    const from = rest.indexOf("//") + 2;
    const end = rest.slice(from).search(URL_END_RE);
    const href = trimEnd(end < 0 ? rest : rest.slice(0, from + end));
    return classify(href, false, defanged, ownDomains);
  }
  const word = trimEnd(token.replace(LEADING_RE, ""));
  if (word.includes("@") || !word.includes(".")) return null;
  if (/^www\./i.test(word)) return classify(`http://${word}`, true, defanged, ownDomains);
  if (!BARE_RE.test(word)) return null;
  const host = word.split(/[/:?#]/, 1)[0]!;
  const p = parse(host);
  // A bare word counts as a domain only under a top-level domain of the root zone, and
  // not when that suffix is a file extension or the word is capitalised after
  // its dot like a sentence run together ("price.Best").
  const tld = host.slice(host.lastIndexOf(".") + 1);
  if (!ROOT_ZONE.has(tld.toLowerCase()) || !p.domain || !p.publicSuffix) return null;
  if (FILE_SUFFIXES.has(p.publicSuffix) || tld !== p.publicSuffix.split(".").pop()) return null;
  return classify(`http://${word}`, true, defanged, ownDomains);
}

/** `text` without the sentence punctuation at its end (a loop: a `$`-anchored class would rescan). */
function trimEnd(text: string): string {
  let end = text.length;
  while (end > 0 && TRAILING.has(text[end - 1]!)) end--;
  return text.slice(0, end);
}

/** Outlook Safe Links and Google's /url redirect carry the real link in a parameter. */
function unwrap(url: URL): URL {
  for (let i = 0; i < MAX_UNWRAP; i++) {
    const host = url.hostname.toLowerCase();
    let inner: string | null = null;
    // Microsoft Defender for Office 365 Safe Links: https://<region>.safelinks.protection.outlook.com/?url=<encoded>&data=…
    if (host.endsWith(".safelinks.protection.outlook.com")) inner = url.searchParams.get("url");
    // Google's click redirect: https://www.google.<tld>/url?q=<url> (or url=<url>).
    else if (url.pathname === "/url" && parse(host).domainWithoutSuffix === "google")
      inner = url.searchParams.get("q") ?? url.searchParams.get("url");
    if (!inner || !/^https?:\/\//i.test(inner)) return url;
    try {
      url = new URL(inner);
    } catch {
      return url;
    }
  }
  return url;
}

function classify(
  href: string,
  bare: boolean,
  defanged: boolean,
  ownDomains: ReadonlySet<string>,
): FoundLink | null {
  let url: URL;
  try {
    url = unwrap(new URL(href));
  } catch {
    return null;
  }
  const host = url.hostname.toLowerCase();
  const p = parse(host);
  const ip = p.isIp === true || host.startsWith("[");
  const domain = ip ? host : (p.domain ?? host);
  const link = (kind: LinkKind): FoundLink => ({ url: url.href, domain, kind, bare, defanged });
  // RFC 3986 §7.6: userinfo that reads like a host (`bank.com+login@evil.example`)
  // misleads the reader; a plain user name (`https://maja@bitbucket.org/…`,
  // a git clone URL) or `ftp://user:pass@host/` names the real host.
  if (userinfoLooksLikeHost(url.username)) return link("deceptive");
  const path = url.pathname;
  if (
    ownDomains.has(domain) ||
    FILE_HOSTS.has(domain) ||
    FILE_HOSTS.has(host) ||
    isMapsLink(host, p.domainWithoutSuffix ?? "", path)
  )
    return link("neutral");
  const nested = `${path.slice(1)}${url.search}`;
  // A bare IP address may be a customer's own file server: hidden, not a lie.
  if (
    ip ||
    CLOAK_HOSTS.has(host) ||
    CLOAK_HOSTS.has(domain) ||
    CLOAK_TLDS.has(p.publicSuffix ?? "") ||
    NESTED_URL_RE.test(nested) ||
    (url.search !== "" && REDIRECT_SCRIPT_RE.test(path))
  )
    return link("cloaked");
  return link("plain");
}

/** Whether a URL's (percent-encoded) user name holds a domain name: `bank.com+login`, not `maja` or `jan.novak`. */
function userinfoLooksLikeHost(username: string): boolean {
  if (!username) return false;
  let user = username;
  try {
    user = decodeURIComponent(username);
  } catch {
    // Malformed escapes: read as written.
  }
  for (const run of user.split(NOT_HOST_CHAR_RE)) {
    const dot = run.lastIndexOf(".");
    if (dot > 0 && ROOT_ZONE.has(run.slice(dot + 1).toLowerCase())) return true;
  }
  return false;
}

/** The registrable domain of an e-mail address's domain (public-suffix aware), or "". */
export function registrableDomain(host: string): string {
  return parse(host.toLowerCase()).domain ?? "";
}
