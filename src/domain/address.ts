import { domainToUnicode } from "node:url";

/**
 * The forms one e-mail address is stored and asked for in, as `email_key`s:
 * the local part lowercased, and the domain as the URL standard's host parser
 * gives it (IDNA UTS #46 ToASCII: `ŽAGA.si` → `xn--aga-b3a.si`, what a browser's
 * `<input type=email>` submits), then the same domain in Unicode (`žaga.si`,
 * what the person writes in a letter; Node's `domainToUnicode`, UTS #46
 * ToUnicode), so an address finds its inquiries in either form.
 *
 * Null for what is no address: no `@`, an empty local part, a domain the host
 * parser refuses or that holds URL syntax (`/`, `?`, `#`, `:`…), or without a
 * dot between labels. Cost linear in the input (no regular expression).
 */
export function addressKeys(address: string): string[] | null {
  const a = asciiAddress(address);
  if (!a) return null;
  const unicode = domainToUnicode(a.domain);
  const keys = [`${a.local}@${a.domain}`];
  if (unicode && unicode !== a.domain) keys.push(`${a.local}@${unicode}`);
  return keys;
}

/** The key a new or rectified row is stored under: the ASCII form, else the address lowercased. */
export function addressKey(address: string): string {
  const a = asciiAddress(address);
  // Only the ASCII form: ToUnicode here was 2 % of a text submission's isolate CPU (npm run bench).
  return a ? `${a.local}@${a.domain}` : address.trim().toLowerCase();
}

/** The local part lowercased and the domain in ASCII (see `addressKeys`), or null. */
function asciiAddress(address: string): { local: string; domain: string } | null {
  const s = address.trim();
  const at = s.lastIndexOf("@");
  if (at <= 0 || at === s.length - 1) return null;
  const local = s.slice(0, at);
  const domain = s.slice(at + 1);
  for (const ch of s) if (ch.trim() === "" || ch < " ") return null;
  for (const ch of domain) if ("/?#:@[]\\%".includes(ch)) return null;
  let ascii: string;
  try {
    ascii = new URL(`http://${domain}/`).hostname;
  } catch {
    return null;
  }
  if (ascii.indexOf(".") <= 0 || ascii.endsWith(".") || ascii.includes("..")) return null;
  return { local: local.toLowerCase(), domain: ascii };
}
