/**
 * The technical log the README describes: exactly what the privacy notice names
 * (time, IP, browser type, referrer) plus the outcome, in a table of its own.
 */
export interface LogEntry {
  at: number;
  ip: string | null;
  browser: string | null;
  referrer: string | null;
  outcome: string;
}

/** IPv4 to its /24, IPv6 to its /48: enough to see abuse, not to name a household. */
export function truncateIp(ip: string, mode: "truncated" | "full"): string | null {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (v4) return mode === "full" ? ip : `${v4[1]}.${v4[2]}.${v4[3]}.0`;
  if (!/^[0-9a-f:.]+$/i.test(ip) || !ip.includes(":")) return null;
  if (mode === "full") return ip.toLowerCase();
  const groups = expandIpv6(ip);
  if (!groups) return null;
  return `${groups.slice(0, 3).join(":")}::`;
}

function expandIpv6(ip: string): string[] | null {
  const halves = ip.toLowerCase().split("::");
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(":") : [];
  const tail = halves[1] ? halves[1].split(":") : [];
  // An embedded IPv4 tail (::ffff:1.2.3.4) only matters past the /48 we keep.
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 0) return null;
  const groups = [...head, ...Array<string>(Math.max(missing, 0)).fill("0"), ...tail];
  return groups.map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? String(parseInt(g, 16).toString(16)) : g));
}

const BROWSERS: [RegExp, string][] = [
  [/\bEdg(?:e|A|iOS)?\/(\d+)/, "Edge"],
  [/\bOPR\/(\d+)/, "Opera"],
  [/\bSamsungBrowser\/(\d+)/, "Samsung Internet"],
  [/\bFirefox\/(\d+)/, "Firefox"],
  [/\bFxiOS\/(\d+)/, "Firefox"],
  [/\bCriOS\/(\d+)/, "Chrome"],
  [/\b(?:HeadlessChrome|Chrome|Chromium)\/(\d+)/, "Chrome"],
  [/\bVersion\/(\d+)[^ ]* (?:Mobile\/\S+ )?Safari\//, "Safari"],
  [/^curl\/(\d+)/, "curl"],
];

/** Family and major version, e.g. "Firefox 140"; never the whole user agent string. */
export function browserOf(userAgent: string | null): string | null {
  if (!userAgent) return null;
  const ua = userAgent.slice(0, 512);
  for (const [pattern, family] of BROWSERS) {
    const m = pattern.exec(ua);
    if (m) return `${family} ${m[1]}`;
  }
  return /bot|crawler|spider/i.test(ua) ? "Bot" : "Other";
}

/** Origin and path only: a query string or fragment can carry personal data. */
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

export function logEntryFor(
  request: Request,
  at: number,
  outcome: string,
  ipMode: "truncated" | "full",
): LogEntry {
  const ip = request.headers.get("cf-connecting-ip");
  return {
    at,
    ip: ip ? truncateIp(ip.trim(), ipMode) : null,
    browser: browserOf(request.headers.get("user-agent")),
    referrer: referrerOf(request.headers.get("referer")),
    outcome,
  };
}

/** The insert of one log line, for the caller to run or queue. */
export function logStatement(db: D1Database, e: LogEntry): D1PreparedStatement {
  return db
    .prepare("INSERT INTO tech_log (at, ip, browser, referrer, outcome) VALUES (?, ?, ?, ?, ?)")
    .bind(e.at, e.ip, e.browser, e.referrer, e.outcome);
}
