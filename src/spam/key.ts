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
    fromBase64url(stored),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign", "verify"],
  );
}

export function base64url(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  // 32 bytes encode to at most one "=" of padding at the end.
  return btoa(s)
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/={1,2}$/, "");
}

/** Decodes base64url; throws on anything else. */
export function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new TypeError("not base64url");
  const s = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
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
  let mac: Uint8Array<ArrayBuffer>;
  try {
    mac = fromBase64url(signature);
  } catch {
    return false;
  }
  if (mac.byteLength !== 32) return false;
  return crypto.subtle.verify("HMAC", key, mac, new TextEncoder().encode(`${purpose}\0${data}`));
}
