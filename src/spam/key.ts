import { base64url, fromBase64url } from "../crypto/base64url.ts";
import { getOrCreateState } from "../store/spam.ts";

/**
 * The worker's own HMAC-SHA256 key (WebCrypto): 32 random bytes the worker
 * creates the first time it needs them and keeps in D1, so it needs no secret
 * of its own (the configuration's secret names are fixed). It signs render
 * tokens and release links. Read once per isolate.
 */
const cache = new WeakMap<D1Database, Promise<CryptoKey>>();

export function workerKey(db: D1Database): Promise<CryptoKey> {
  let key = cache.get(db);
  if (!key) {
    key = loadKey(db);
    cache.set(db, key);
    // A failed read must not stick: the next request tries again.
    key.catch(() => cache.delete(db));
  }
  return key;
}

async function loadKey(db: D1Database): Promise<CryptoKey> {
  const candidate = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const stored = await getOrCreateState(db, "hmac_key", candidate);
  return crypto.subtle.importKey(
    "raw",
    fromBase64url(stored) ?? new Uint8Array(0), // importKey refuses an empty key
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign", "verify"],
  );
}

/** HMAC-SHA256 of `purpose` and `data` (kept apart by a NUL), base64url. */
export async function sign(key: CryptoKey, purpose: string, data: string): Promise<string> {
  const mac = await crypto.subtle.sign(
    "HMAC",
    key,
    new TextEncoder().encode(`${purpose}\0${data}`),
  );
  return base64url(new Uint8Array(mac));
}

/** Checks a signature from `sign` in constant time (WebCrypto's verify). */
export async function verify(
  key: CryptoKey,
  purpose: string,
  data: string,
  signature: string,
): Promise<boolean> {
  const mac = fromBase64url(signature);
  if (mac?.byteLength !== 32) return false;
  return crypto.subtle.verify("HMAC", key, mac, new TextEncoder().encode(`${purpose}\0${data}`));
}
