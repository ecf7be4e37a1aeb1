/**
 * IP addresses as `cf-connecting-ip` carries them, parsed by hand (no regular
 * expression, so nothing can backtrack) into bytes, cut to a prefix and
 * written back in one canonical text form (RFC 5952 for IPv6).
 */

/** An IPv4 address (4 bytes) or an IPv6 address (16 bytes); IPv4-mapped IPv6 is read as IPv4. */
export interface Ip {
  version: 4 | 6;
  bytes: number[];
}

/** The longest IPv6 text with an IPv4 tail (45 characters); anything longer is not an address. */
const MAX_TEXT = 45;

/**
 * Parses dotted-quad IPv4 (RFC 791: four decimals 0–255, no leading zeros, as
 * inet_pton) or IPv6 in any RFC 4291 §2.2 text form: full, zero-compressed
 * (`::`), with an IPv4 tail. `::ffff:a.b.c.d` (RFC 4291 §2.5.5.2, also in hex
 * groups) is the IPv4 address a.b.c.d. A zone (`%eth0`) or anything else: null.
 */
export function parseIp(text: string): Ip | null {
  const s = text.trim();
  if (s.length === 0 || s.length > MAX_TEXT) return null;
  if (!s.includes(":")) {
    const v4 = parseIpv4(s);
    return v4 ? { version: 4, bytes: v4 } : null;
  }
  const v6 = parseIpv6(s.toLowerCase());
  if (!v6) return null;
  const mapped = v6.slice(0, 10).every((b) => b === 0) && v6[10] === 0xff && v6[11] === 0xff;
  return mapped ? { version: 4, bytes: v6.slice(12) } : { version: 6, bytes: v6 };
}

function parseIpv4(s: string): number[] | null {
  const parts = s.split(".");
  if (parts.length !== 4) return null;
  const bytes: number[] = [];
  for (const p of parts) {
    if (p.length < 1 || p.length > 3 || (p.length > 1 && p[0] === "0")) return null;
    let n = 0;
    for (const ch of p) {
      if (ch < "0" || ch > "9") return null;
      n = n * 10 + (ch.charCodeAt(0) - 48);
    }
    if (n > 255) return null;
    bytes.push(n);
  }
  return bytes;
}

/** Hex groups (1–4 digits each); the last piece may be an IPv4 tail worth two groups. */
function parseGroups(pieces: string[], allowV4Tail: boolean): number[] | null {
  const groups: number[] = [];
  for (const [i, p] of pieces.entries()) {
    if (allowV4Tail && i === pieces.length - 1 && p.includes(".")) {
      const v4 = parseIpv4(p);
      if (!v4) return null;
      groups.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      continue;
    }
    if (p.length < 1 || p.length > 4) return null;
    let n = 0;
    for (const ch of p) {
      const d = "0123456789abcdef".indexOf(ch);
      if (d < 0) return null;
      n = n * 16 + d;
    }
    groups.push(n);
  }
  return groups;
}

function parseIpv6(s: string): number[] | null {
  const halves = s.split("::");
  if (halves.length > 2) return null;
  let groups: number[] | null;
  if (halves.length === 1) {
    groups = parseGroups(s.split(":"), true);
    if (!groups || groups.length !== 8) return null;
  } else {
    const head = halves[0] ? parseGroups(halves[0].split(":"), false) : [];
    const tail = halves[1] ? parseGroups(halves[1].split(":"), true) : [];
    // "::" stands for at least one group of zeros.
    if (!head || !tail || head.length + tail.length > 7) return null;
    groups = [...head, ...Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  }
  return groups.flatMap((g) => [g >> 8, g & 0xff]);
}

/** `ip` with every bit past the first `bits` set to zero. */
export function prefix(ip: Ip, bits: number): Ip {
  const bytes = ip.bytes.map((b, i) => {
    const keep = Math.min(8, Math.max(0, bits - i * 8));
    return b & ((0xff << (8 - keep)) & 0xff);
  });
  return { version: ip.version, bytes };
}

/** Canonical text: dotted quad, or RFC 5952 §4 (lower case, longest zero run as `::`). */
export function formatIp(ip: Ip): string {
  if (ip.version === 4) return ip.bytes.join(".");
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((ip.bytes[i]! << 8) | ip.bytes[i + 1]!);
  // The first longest run of two or more zero groups is shortened (RFC 5952 §4.2).
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  const hex = (gs: number[]) => gs.map((g) => g.toString(16)).join(":");
  if (best < 0) return hex(groups);
  return `${hex(groups.slice(0, best))}::${hex(groups.slice(best + bestLen))}`;
}

/**
 * The rate limiter's key for a client: an IPv4 address as it is, an IPv6
 * address by its /64, the smallest block one subscriber gets (RFC 6177 §3,
 * RFC 7421), so that one household or server with a /64 cannot spread its
 * posts over 2^64 keys. Unparsable or missing: one shared key.
 */
export function rateLimitKey(clientIp: string | null): string {
  const ip = clientIp ? parseIp(clientIp) : null;
  if (!ip) return "unknown";
  return ip.version === 4 ? formatIp(ip) : `${formatIp(prefix(ip, 64))}/64`;
}
