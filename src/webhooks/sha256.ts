// fast-sha256 as standardwebhooks calls it (`hmac(key, data)`: HMAC-SHA256,
// RFC 2104) on the runtime's own implementation (`node:crypto`, native in
// workerd under the nodejs_compat flag): wrangler.toml aliases the package
// here. fast-sha256 is 6 KB of pure-JavaScript SHA-256, HMAC, HKDF and PBKDF2
// in one CommonJS file a bundler cannot trim; the verification itself (the
// signed content, tolerance, constant-time comparison) stays the library's.
// tests/webhook-primitives.test.ts holds it to RFC 4231 and to fast-sha256.
import { createHmac } from "node:crypto";

export function hmac(key: Uint8Array, data: Uint8Array): Uint8Array {
  return new Uint8Array(createHmac("sha256", key).update(data).digest());
}
