import { KEEP_SENT_FILE_MS } from "../retention/purge.ts";
import { base64url, fromBase64url } from "../crypto/base64url.ts";
import type { DeliveryStatus } from "../domain/inquiry.ts";

/**
 * Links by which Resend fetches an inquiry's file from the worker (Resend's
 * `path` attachment, Resend docs "Send email" → attachments), so a send never
 * holds the file, its base64 or a 13 MB JSON body.
 *
 * A link is `<worker origin>/files/<inquiry id>/<mac>`, where `mac` is the
 * HMAC-SHA-256 (RFC 2104) of the inquiry id and its R2 key, base64url without
 * padding (RFC 4648 §5). Its key is derived by HKDF (RFC 5869) from
 * RESEND_API_KEY: only a worker that can send the mail can make or check a
 * link, no further secret is needed, and the same inquiry always gets the same
 * link, so a retry under the same Idempotency-Key sends the same body.
 * Rotating the API key ends the links of mails Resend has not fetched yet.
 */

export const FILES_PATH = "/files";
const INFO = new TextEncoder().encode("edge-inquiry attachment link v1");
const SALT = new TextEncoder().encode("edge-inquiry");

const keys = new Map<string, Promise<CryptoKey>>();

/** The HMAC key for links, derived once per isolate and API key. */
function linkKey(apiKey: string): Promise<CryptoKey> {
  let key = keys.get(apiKey);
  if (!key) {
    key = (async () => {
      const ikm = await crypto.subtle.importKey(
        "raw",
        new TextEncoder().encode(apiKey),
        "HKDF",
        false,
        ["deriveKey"],
      );
      return crypto.subtle.deriveKey(
        { name: "HKDF", hash: "SHA-256", salt: SALT, info: INFO },
        ikm,
        { name: "HMAC", hash: "SHA-256", length: 256 },
        false,
        ["sign", "verify"],
      );
    })();
    keys.clear(); // one API key at a time
    keys.set(apiKey, key);
  }
  return key;
}

function signed(inquiryId: string, r2Key: string): Uint8Array {
  return new TextEncoder().encode(`${inquiryId}\n${r2Key}`);
}

/** The MAC of a link: 32 bytes, 43 characters. */
function macBytes(text: string): Uint8Array | null {
  const bytes = text.length === 43 ? fromBase64url(text) : null;
  return bytes?.byteLength === 32 ? bytes : null;
}

/** The link's path for one inquiry's file: `/files/<id>/<mac>`. */
export async function filePath(apiKey: string, inquiryId: string, r2Key: string): Promise<string> {
  const mac = await crypto.subtle.sign("HMAC", await linkKey(apiKey), signed(inquiryId, r2Key));
  return `${FILES_PATH}/${inquiryId}/${base64url(new Uint8Array(mac))}`;
}

/** Whether `mac` (from a link) is the one for this inquiry's file; compared in constant time. */
export async function validMac(
  apiKey: string,
  inquiryId: string,
  r2Key: string,
  mac: string,
): Promise<boolean> {
  const bytes = macBytes(mac);
  if (!bytes) return false;
  return crypto.subtle.verify("HMAC", await linkKey(apiKey), bytes, signed(inquiryId, r2Key));
}

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * The origin file links may start with, or null when the file must go
 * inline: PUBLIC_URL (the worker's public origin, never a request's Host),
 * when Resend can reach it. An `https:` origin that is not loopback can be
 * reached from the internet; a loopback origin (`wrangler dev`) only by a mail
 * API on the same machine, i.e. when RESEND_BASE_URL is loopback too (the
 * development mail catcher). Anything else, or no PUBLIC_URL, goes inline.
 */
export function linkOrigin(
  publicUrl: string | null | undefined,
  resendBaseUrl: string,
): string | null {
  if (!publicUrl || !URL.canParse(publicUrl) || !URL.canParse(resendBaseUrl)) return null;
  const origin = new URL(publicUrl);
  const local = LOOPBACK.has(origin.hostname);
  if (local) return LOOPBACK.has(new URL(resendBaseUrl).hostname) ? origin.origin : null;
  return origin.protocol === "https:" ? origin.origin : null;
}

/** What the file route needs to know about an inquiry's file. Times in ms. */
export interface LinkedFile {
  key: string | null;
  status: DeliveryStatus;
  hold: boolean;
  sentAt: number | null;
}

/**
 * Whether a link may still serve the file: exactly while the file is kept for
 * a send. Not once the inquiry is `delivered` or
 * `dismissed`, 24 hours after it was `sent`, or erased (no row); not while it
 * is held (restricted: stored, not processed), nor when quarantined (never
 * mailed, so no link was ever given out).
 */
export function linkServes(file: LinkedFile, now: number): boolean {
  if (file.key === null || file.hold) return false;
  switch (file.status) {
    case "pending":
    case "failed":
    case "bounced":
      return true;
    case "sent":
      return file.sentAt !== null && now - file.sentAt < KEEP_SENT_FILE_MS;
    default:
      return false;
  }
}
