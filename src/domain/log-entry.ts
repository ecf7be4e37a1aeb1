/**
 * The technical log: per request to /inquiry exactly what the privacy notice
 * names (time, IP, browser type, referrer) plus the outcome, in its own
 * database (`LOG_DB`) so that no query can join it to an inquiry.
 */
export interface LogEntry {
  /** The request's minute: milliseconds since the epoch (UTC) with seconds and ms zero. */
  minute: number;
  /** The client's network, IPv4 /24 or IPv6 /48 (e.g. `203.0.113.0`, `2001:db8:abcd::`); "" if unknown. */
  network: string;
  /** The whole address, only with `LOG_IP=full`; otherwise null (the network is all that is kept). */
  ip: string | null;
  /** Family and major version, e.g. `Firefox 140`. */
  browser: string | null;
  /** Origin and path, e.g. `https://www.example.com/kontakt`. */
  referrer: string | null;
  /** `stored`, `honeypot`, `quarantined` or an error code. */
  outcome: string;
}
