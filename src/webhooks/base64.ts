// @stablelib/base64 as standardwebhooks calls it (`encode`, `decode`), on the
// platform's own atob/btoa: wrangler.toml aliases the package here, which keeps
// its 3.6 KB of table-driven JavaScript out of the bundle. Standard base64
// (RFC 4648 §4) with padding, as the Standard Webhooks scheme uses; invalid
// input throws, as the library's own decode does. tests/webhook-primitives.test.ts
// holds it to RFC 4648 and to @stablelib/base64.
export function encode(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

export function decode(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}
