import {
  getMultipartBoundary,
  MaxFileSizeExceededError,
  MaxHeaderSizeExceededError,
  MaxPartsExceededError,
  MaxTotalSizeExceededError,
  MultipartParser,
  type MultipartPart,
} from "@remix-run/multipart-parser";
import { AppError } from "../http/errors.ts";
import { parseDisposition } from "./content-disposition.ts";

/**
 * A part's header block may be this long: browsers send well under 1 KiB
 * (Content-Disposition with a file name of at most 255 characters, even
 * percent-encoded as RFC 5987 `filename*`, and Content-Type), and a longer
 * one is refused with 413 as soon as it passes the bound. At 512 KiB, 19
 * parts cost 180–420 ms of CPU in the parser's re-scans and the
 * Content-Disposition parsing; at this size, no more than ordinary content.
 */
export const MAX_PART_HEADER_BYTES = 8 * 1024;
/**
 * Chunks are gathered to at least this size before the parser sees them, so
 * a body trickling in tiny chunks cannot make it re-scan a long header once
 * per byte.
 */
const MIN_WRITE_BYTES = 16 * 1024;

export interface MultipartLimits {
  /** Parts beyond this refuse the body with 413 as soon as the next one ends. */
  maxParts: number;
  /** Bytes of part content in all, the same bound as the body's. */
  maxBytes: number;
}

/** One form entry: a text field's value, or a file (a part with a file name or a non-text type). */
export type FormEntry = [name: string, value: string | File];

/**
 * Reads a `multipart/form-data` body (RFC 7578) as it streams in, yielding
 * each part as soon as it is complete. Framing is @remix-run/multipart-parser's;
 * what it leaves out for form data is done here:
 * - `boundary` may be quoted or not (RFC 2046 §5.1.1, RFC 9110 §5.6.6);
 * - part headers' values may be quoted or not, file names in any of the ways
 *   clients encode them (see content-disposition.ts);
 * - a text part is decoded in its `charset` when it names one (RFC 7578 §4.4),
 *   else as UTF-8, an invalid byte becoming U+FFFD for the field rules to refuse;
 * - whatever follows the close delimiter is an epilogue and is ignored
 *   (RFC 2046 §5.1.1), even when it arrives in a later chunk.
 * Line breaks must be CRLF (RFC 2046 §5.1.1): the library finds delimiters
 * as CRLF "--" boundary and a header block's end as CRLF CRLF, so a bare-LF
 * body is refused; accepting it would mean rewriting the stream or the library.
 * Throws `AppError`: 400 `malformed_body` for broken framing or a part
 * without `form-data` disposition or name, 413 `payload_too_large` once the
 * part count, a header or the content passes its limit, before reading on.
 */
export async function* readMultipart(
  body: AsyncIterable<Uint8Array>,
  contentType: string,
  limits: MultipartLimits,
): AsyncGenerator<FormEntry, void, undefined> {
  const boundary = getMultipartBoundary(contentType)?.trim();
  // RFC 2046 §5.1.1: 1 to 70 characters.
  if (!boundary || boundary.length > 70) throw new AppError("malformed_body");
  const parser = withLinearSearch(
    () =>
      new MultipartParser(boundary, {
        maxHeaderSize: MAX_PART_HEADER_BYTES,
        maxFileSize: limits.maxBytes,
        maxTotalSize: limits.maxBytes,
        maxParts: limits.maxParts,
      }),
  );
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let complete = false;
  let first = true;
  const source = body[Symbol.asyncIterator]();
  try {
    while (!complete) {
      const { value, done } = await source.next();
      if (value && value.byteLength > 0) {
        pending.push(value);
        pendingBytes += value.byteLength;
      }
      if (pendingBytes > 0 && (done || pendingBytes >= MIN_WRITE_BYTES)) {
        let chunk = pending.length === 1 ? pending[0]! : concat(pending, pendingBytes);
        pending = [];
        pendingBytes = 0;
        if (first) chunk = withoutPreamble(chunk, boundary);
        first = false;
        for (const part of parser.write(chunk)) yield entryOf(part);
        complete = closed(parser);
      }
      if (done) break;
    }
    if (!complete) throw new AppError("malformed_body");
  } catch (err) {
    throw asAppError(err);
  } finally {
    // Stops reading (and the client's upload) once there is an answer.
    await source.return?.();
  }
}

interface Needle {
  /** Horspool's bad-character shift for the byte under the needle's last position. */
  skip: Uint8Array;
  /** The first byte occurs nowhere else in the needle. */
  firstUnique: boolean;
}
const needles = new WeakMap<Uint8Array, Needle>();

function needleOf(needle: Uint8Array): Needle {
  let n = needles.get(needle);
  if (!n) {
    const m = needle.length;
    const skip = new Uint8Array(256).fill(Math.min(m, 255));
    for (let k = 0; k < m - 1; k++) skip[needle[k]!] = Math.min(m - 1 - k, 255);
    n = { skip, firstUnique: needle.indexOf(needle[0]!, 1) === -1 };
    needles.set(needle, n);
  }
  return n;
}

/**
 * The first index of `needle` (at most 255 bytes) in `haystack` at or after
 * `start`, or -1. Horspool's bad-character shift keeps ordinary data fast;
 * where the needle's first byte occurs nowhere else in it, as CR in the
 * parser's CRLF "--" boundary (RFC 2046 §5.1.1 boundaries hold no CR), a
 * mismatch after j matching bytes also shifts by j, since no match can start
 * inside bytes that matched the needle's CR-free rest. Each byte is then
 * compared a bounded number of times: linear, whatever boundary a client picks.
 */
export function indexOfBytes(haystack: Uint8Array, needle: Uint8Array, start = 0): number {
  const m = needle.length;
  if (m === 0) return Math.min(start, haystack.length);
  const { skip, firstUnique } = needleOf(needle);
  const last = needle[m - 1]!;
  const end = haystack.length - m;
  let i = start;
  while (i <= end) {
    const c = haystack[i + m - 1]!;
    if (c === last) {
      let j = 0;
      while (j < m - 1 && haystack[i + j] === needle[j]) j++;
      if (j === m - 1) return i;
      if (firstUnique && j === 0) {
        // Not even the first byte: jump to its next occurrence (native search).
        i = haystack.indexOf(needle[0]!, i + 1);
        if (i < 0) return -1;
      } else i += Math.max(skip[c]!, firstUnique ? j : 1);
    } else {
      i += skip[c]!;
    }
  }
  return -1;
}

/**
 * Builds the parser with `indexOfBytes` as its search. Without Node's Buffer
 * (a Worker without nodejs_compat) @remix-run/multipart-parser 0.16 searches
 * with Boyer-Moore-Horspool in JavaScript, which a client that picks a
 * repetitive boundary ("aaaa…", 70 characters) and fills its file with the
 * same byte drives to one comparison per boundary character per body byte:
 * 7 s of CPU for 10 MiB. The library takes Buffer.prototype.indexOf when it
 * finds a Buffer while it is built (synchronously, here), so it is given one
 * that offers only that.
 */
function withLinearSearch<T>(build: () => T): T {
  const g = globalThis as { Buffer?: unknown };
  const had = Object.prototype.hasOwnProperty.call(g, "Buffer");
  const saved = g.Buffer;
  g.Buffer = {
    prototype: {
      indexOf(this: Uint8Array, needle: Uint8Array, start: number) {
        return indexOfBytes(this, needle, start);
      },
    },
  };
  try {
    return build();
  } finally {
    if (had) g.Buffer = saved;
    else delete g.Buffer;
  }
}

function entryOf(part: MultipartPart): FormEntry {
  let headers;
  try {
    headers = part.headers;
  } catch {
    // The library reads part headers as UTF-8 only; bytes in another charset end here.
    throw new AppError("malformed_body");
  }
  const disposition = parseDisposition(headers["content-disposition"] ?? "");
  // RFC 7578 §4.2: each part has one `Content-Disposition: form-data` with a name.
  if (disposition.type !== "form-data" || !disposition.name || disposition.repeated) {
    throw new AppError("malformed_body");
  }
  const contentType = headers["content-type"] ?? "";
  const mediaType = contentType.split(";", 1)[0]!.trim().toLowerCase();
  // A file is a part with a file name; a part typed as something other than
  // text (a client that omits the name of an uploaded PDF) is a file too.
  if (disposition.filename !== undefined || (mediaType !== "" && !mediaType.startsWith("text/"))) {
    return [
      disposition.name,
      new File(part.content, disposition.filename ?? "", { type: mediaType }),
    ];
  }
  return [disposition.name, decodeText(part, contentType)];
}

/**
 * One decoder for UTF-8, the charset of almost every part: `decode()` without
 * `{ stream: true }` keeps no state between calls (WHATWG Encoding §7.2), and
 * building one per part was a measurable share of reading a text submission.
 */
const UTF8 = new TextDecoder("utf-8");

function decodeText(part: MultipartPart, contentType: string): string {
  const charset = /;\s*charset\s*=\s*"?([\w.:-]+)/i.exec(contentType)?.[1];
  let decoder = UTF8;
  if (charset !== undefined) {
    try {
      decoder = new TextDecoder(charset);
    } catch {
      // An unknown label: read it as UTF-8, as with no charset.
    }
  }
  return part.content.length === 1 ? decoder.decode(part.content[0]) : decoder.decode(part.bytes);
}

/**
 * RFC 2046 §5.1.1: text before the first boundary (a preamble, or the CRLF
 * some clients put first) is to be ignored; the library expects the body to
 * start with the boundary, so the first chunk is started there. A body whose
 * first chunk holds no boundary is left as it is, for the parser to refuse.
 */
function withoutPreamble(chunk: Uint8Array, boundary: string): Uint8Array {
  const delimiter = new TextEncoder().encode(`\r\n--${boundary}`);
  if (startsWith(chunk, delimiter, 2)) return chunk;
  const at = indexOfBytes(chunk, delimiter);
  return at < 0 ? chunk : chunk.subarray(at + 2);
}

function startsWith(chunk: Uint8Array, delimiter: Uint8Array, from: number): boolean {
  if (chunk.length < delimiter.length - from) return false;
  for (let i = from; i < delimiter.length; i++) if (chunk[i - from] !== delimiter[i]) return false;
  return true;
}

/** The parser has seen the close delimiter: `finish()` throws until then. */
function closed(parser: MultipartParser): boolean {
  try {
    parser.finish();
    return true;
  } catch {
    return false;
  }
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

function asAppError(err: unknown): unknown {
  if (err instanceof AppError) return err;
  if (
    err instanceof MaxPartsExceededError ||
    err instanceof MaxHeaderSizeExceededError ||
    err instanceof MaxFileSizeExceededError ||
    err instanceof MaxTotalSizeExceededError
  ) {
    return new AppError("payload_too_large");
  }
  // Anything else from the parser or the stream (the byte limit's own error
  // included) is sorted out by the caller, which knows whether the limit tripped.
  return err;
}
