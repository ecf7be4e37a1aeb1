import { formatIp, parseIp, prefix } from "../net/ip.ts";

import type { LogEntry } from "../domain/log-entry.ts";

export type { LogEntry };

const MINUTE_MS = 60_000;

/**
 * The start of `now`'s minute. An inquiry keeps its exact time (ms); its log
 * entry only the minute, so time alone cannot pick one log entry for one inquiry.
 */
export function toMinute(now: number): number {
  return now - (now % MINUTE_MS);
}

/**
 * IPv4 to its /24, IPv6 to its /48 (IPv4-mapped IPv6 counts as IPv4): enough to
 * see abuse, not to name a household. Canonical text; null if `ip` is not an address.
 */
export function networkOf(ip: string): string | null {
  const parsed = parseIp(ip);
  if (!parsed) return null;
  return formatIp(prefix(parsed, parsed.version === 4 ? 24 : 48));
}

/** The whole address in canonical text (for `LOG_IP=full`); null if not an address. */
export function wholeIp(ip: string): string | null {
  const parsed = parseIp(ip);
  return parsed ? formatIp(parsed) : null;
}

// Each pattern is linear: no two quantifiers can match the same characters.
const BROWSERS: [RegExp, string][] = [
  [/\bEdg(?:e|A|iOS)?\/(\d+)/, "Edge"],
  [/\bOPR\/(\d+)/, "Opera"],
  [/\bSamsungBrowser\/(\d+)/, "Samsung Internet"],
  [/\bFirefox\/(\d+)/, "Firefox"],
  [/\bFxiOS\/(\d+)/, "Firefox"],
  [/\bCriOS\/(\d+)/, "Chrome"],
  [/\b(?:HeadlessChrome|Chrome|Chromium)\/(\d+)/, "Chrome"],
  [/\bVersion\/(\d+)(?:\.\d+)* (?:Mobile\/\S+ )?Safari\//, "Safari"],
  [/^curl\/(\d+)/, "curl"],
];

/**
 * Family and major version of a User-Agent (RFC 9110 §10.1.5), e.g.
 * `Firefox 140`; never the whole string. `Bot` for self-declared crawlers,
 * `Other` for the rest, null when there is none.
 */
export function browserOf(userAgent: string | null): string | null {
  if (!userAgent) return null;
  const ua = userAgent.slice(0, 512);
  for (const [pattern, family] of BROWSERS) {
    const m = pattern.exec(ua);
    if (m) return `${family} ${m[1]}`;
  }
  return /bot|crawler|spider/i.test(ua) ? "Bot" : "Other";
}

/** Origin and path of a Referer (RFC 9110 §10.1.3): a query string or fragment can carry personal data. */
export function referrerOf(referer: string | null): string | null {
  if (!referer) return null;
  try {
    const u = new URL(referer);
    if (u.protocol !== "https:" && u.protocol !== "http:") return null;
    return (u.origin + u.pathname).slice(0, 300);
  } catch {
    return null;
  }
}

/** The entry for one request to /inquiry answered with `outcome` at `now` (ms). */
export function logEntryFor(
  request: Request,
  now: number,
  outcome: string,
  ipMode: "truncated" | "full",
): LogEntry {
  const ip = request.headers.get("cf-connecting-ip");
  return {
    minute: toMinute(now),
    network: (ip && networkOf(ip)) ?? "",
    ip: ip && ipMode === "full" ? wholeIp(ip) : null,
    browser: browserOf(request.headers.get("user-agent")),
    referrer: referrerOf(request.headers.get("referer")),
    outcome,
  };
}
