/** The default `MAX_ATTACHMENT_BYTES`: 10 MiB. */
export const DEFAULT_MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

/**
 * Resend takes at most 40,000,000 bytes per e-mail, counted after base64
 * (Resend API reference, "Send Email": attachments, 40MB per email).
 */
export const RESEND_MAX_EMAIL_BYTES = 40_000_000;

/** Room kept for the rest of the mail: text and HTML parts (a 5,000-character message escaped), headers, JSON. */
export const REST_OF_MAIL_BYTES = 1_000_000;

/** Bytes of base64 for `n` bytes of file: 4 characters per started group of 3 (RFC 4648 §4). */
export const base64Length = (n: number): number => Math.ceil(n / 3) * 4;

/**
 * The largest file whose base64 and the rest of the mail fit in one Resend
 * e-mail: 29,250,000 bytes (27.9 MiB).
 */
export const RESEND_ATTACHMENT_CEILING =
  Math.floor((RESEND_MAX_EMAIL_BYTES - REST_OF_MAIL_BYTES) / 4) * 3;

/**
 * The largest file a send fits in a worker's memory: 15 MiB (15,728,640 bytes).
 * An isolate has 128 MB (Cloudflare Workers limits, "Memory"). While a file is
 * mailed it is held about 5 times at once (the bytes read from R2, the base64
 * string, the JSON body and its UTF-8 encoding for `fetch`): 75 MiB for 15 MiB,
 * which leaves about a third of the isolate for the runtime, the code and a
 * second request's upload arriving meanwhile. Past this a single send can end
 * the isolate, and every scheduled run with it.
 */
export const MEMORY_ATTACHMENT_CEILING = 15 * 1024 * 1024;

/** The highest `MAX_ATTACHMENT_BYTES` the worker accepts: the lower of the two ceilings. */
export const MAX_ATTACHMENT_BYTES_LIMIT = Math.min(
  RESEND_ATTACHMENT_CEILING,
  MEMORY_ATTACHMENT_CEILING,
);

/** `ADMIN_TOKEN` must have at least this many characters (e.g. `openssl rand -hex 32` gives 64). */
export const ADMIN_TOKEN_MIN_LENGTH = 32;
