/**
 * base64url without padding (RFC 4648 §5), the spelling of the worker's MACs in
 * links and tokens.
 */
export function base64url(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  const b64 = btoa(s);
  let end = b64.length;
  while (b64[end - 1] === "=") end--;
  return b64.slice(0, end).replaceAll("+", "-").replaceAll("/", "_");
}

/**
 * Decodes base64url without padding, or null for anything else. Only the
 * canonical spelling decodes (RFC 4648 §3.5): the unused low bits of the last
 * character, which atob ignores, must be zero, so one value has one spelling.
 */
export function fromBase64url(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null;
  const bin = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return base64url(bytes) === text ? bytes : null;
}
