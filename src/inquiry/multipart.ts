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
 * A part's header block may be this long: far above any real client's few
 * hundred bytes, and small enough that the parser's re-scan of an unfinished
 * header (once per chunk) stays cheap.
 */
export const MAX_PART_HEADER_BYTES = 512 * 1024;
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
 * Throws `AppError`: 400 `malformed_body` for broken framing or a part
 * without `form-data` disposition or name, 413 `payload_too_large` once the
 * part count, a header or the content passes its limit, before reading on.
 */
export async function* readMultipart(
  body: ReadableStream<Uint8Array>,
  contentType: string,
  limits: MultipartLimits,
): AsyncGenerator<FormEntry, void, undefined> {
  const boundary = getMultipartBoundary(contentType)?.trim();
  // RFC 2046 §5.1.1: 1 to 70 characters.
  if (!boundary || boundary.length > 70) throw new AppError("malformed_body");
  const parser = new MultipartParser(boundary, {
    maxHeaderSize: MAX_PART_HEADER_BYTES,
    maxFileSize: limits.maxBytes,
    maxTotalSize: limits.maxBytes,
    maxParts: limits.maxParts,
  });
  const reader = body.getReader();
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let complete = false;
  try {
    while (!complete) {
      const { value, done } = await reader.read();
      if (value && value.byteLength > 0) {
        pending.push(value);
        pendingBytes += value.byteLength;
      }
      if (pendingBytes > 0 && (done || pendingBytes >= MIN_WRITE_BYTES)) {
        const chunk = pending.length === 1 ? pending[0]! : concat(pending, pendingBytes);
        pending = [];
        pendingBytes = 0;
        for (const part of parser.write(chunk)) yield entryOf(part);
        complete = closed(parser);
      }
      if (done) break;
    }
    if (!complete) throw new AppError("malformed_body");
  } catch (err) {
    throw asAppError(err);
  } finally {
    // Stop the client's upload once we have an answer; nothing more is read.
    await reader.cancel().catch(() => undefined);
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
  // RFC 7578 §4.2: each part has `Content-Disposition: form-data` with a name.
  if (disposition.type !== "form-data" || !disposition.name) {
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

function decodeText(part: MultipartPart, contentType: string): string {
  const charset = /;\s*charset\s*=\s*"?([\w.:-]+)/i.exec(contentType)?.[1];
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset ?? "utf-8");
  } catch {
    decoder = new TextDecoder("utf-8");
  }
  return part.content.length === 1 ? decoder.decode(part.content[0]) : decoder.decode(part.bytes);
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
