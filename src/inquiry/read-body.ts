import { AppError } from "../http/errors.ts";
import { readMultipart } from "./multipart.ts";

export type BodyKind = "multipart" | "urlencoded" | "json";

/**
 * A submission as it arrived: every name with every value it was sent with,
 * in order. Values are strings, a multipart body's files `File`s (named as
 * the client encoded the name, path removed), and JSON's values as parsed.
 */
export interface RawSubmission {
  kind: BodyKind;
  fields: Map<string, unknown[]>;
}

/** Room for all text fields at their longest, percent-encoded, plus a Turnstile token. */
export const TEXT_BUDGET_BYTES = 128 * 1024;
/** A real form has about ten fields; thousands are an attack on the parser. */
export const MAX_FIELDS = 50;
/** No text field needs more than the 5,000-character message; a Turnstile token is ~2,000. */
export const MAX_FIELD_CHARS = 32 * 1024;

export function bodyKind(contentType: string | null): BodyKind | null {
  const type = (contentType ?? "").split(";", 1)[0]!.trim().toLowerCase();
  if (type === "multipart/form-data") return "multipart";
  if (type === "application/x-www-form-urlencoded") return "urlencoded";
  if (type === "application/json") return "json";
  return null;
}

/**
 * Reads the body within `maxAttachmentBytes` plus the text budget. The size is
 * refused from `Content-Length` before anything is read and, for chunked
 * bodies, while streaming. A multipart body is parsed as it streams in
 * (multipart.ts), so too many parts are refused before the rest is read.
 * Throws `AppError`: 415, 413 `payload_too_large`, 400 `malformed_body`.
 */
export async function readSubmission(
  request: Request,
  maxAttachmentBytes: number,
): Promise<RawSubmission> {
  const kind = bodyKind(request.headers.get("content-type"));
  if (!kind) throw new AppError("unsupported_media_type");
  const limit = TEXT_BUDGET_BYTES + (kind === "multipart" ? maxAttachmentBytes : 0);

  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) throw new AppError("payload_too_large");
  if (!request.body) throw new AppError("malformed_body");

  // A body that declares its length is read in one buffer of that size when it
  // fits one read: an ordinary text submission is about 1 KiB, and a 64 KiB
  // buffer per request was most of the isolate's memory under load.
  const length = Number(declared ?? NaN);
  const readBytes =
    Number.isSafeInteger(length) && length >= 0 ? Math.min(READ_BYTES, length + 1) : READ_BYTES;
  const chunks = bodyChunks(request.body, limit, readBytes);
  try {
    if (kind === "multipart") {
      const fields = new Fields();
      const parts = readMultipart(chunks, request.headers.get("content-type")!, {
        maxParts: MAX_FIELDS,
        maxBytes: limit,
      });
      for await (const [name, value] of parts) fields.add(name, value);
      return { kind, fields: fields.byName };
    }
    const received: Uint8Array[] = [];
    for await (const chunk of chunks) received.push(chunk);
    const bytes = await new Blob(received).bytes();
    const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
    if (kind === "urlencoded") return { kind, fields: collect(new URLSearchParams(text)) };
    return { kind, fields: parseJsonObject(text) };
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError("malformed_body");
  }
}

/** Bytes asked of the body per read: far fewer reads than the network's 4 KiB chunks. */
const READ_BYTES = 64 * 1024;

/**
 * The body's bytes as they arrive, in chunks of up to `readBytes` (at most
 * 64 KiB) where the body is a byte stream (every request from the network
 * is), else as the stream gives them. Throws 413 `payload_too_large` as soon as more than `limit`
 * bytes came, without reading on; leaving early cancels the upload.
 */
async function* bodyChunks(
  body: ReadableStream<Uint8Array>,
  limit: number,
  readBytes: number,
): AsyncGenerator<Uint8Array, void, undefined> {
  let byob: ReadableStreamBYOBReader | null = null;
  try {
    byob = body.getReader({ mode: "byob" });
  } catch {
    // A stream a script built, not a byte stream: read it as it comes.
  }
  const reader = byob ?? body.getReader();
  let seen = 0;
  try {
    for (;;) {
      // Reading at least 64 KiB at a time is a workerd extension; measured, it
      // costs a sixth of the CPU of reading the same body in its 4 KiB chunks.
      const { value, done } = byob
        ? await byob.readAtLeast(readBytes, new Uint8Array(readBytes))
        : await (reader as ReadableStreamDefaultReader<Uint8Array>).read();
      if (value && value.byteLength > 0) {
        seen += value.byteLength;
        if (seen > limit) throw new AppError("payload_too_large");
        yield value;
      }
      if (done) return;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

/**
 * Groups values by name, within the field-count, per-field and total text
 * limits (a multipart body may carry its file bytes, but not that much text).
 */
class Fields {
  readonly byName = new Map<string, unknown[]>();
  private count = 0;
  private text = 0;

  add(name: string, value: unknown): void {
    if (++this.count > MAX_FIELDS) throw new AppError("payload_too_large");
    const size = typeof value === "string" ? value.length : 0;
    this.text += size + name.length;
    if (size > MAX_FIELD_CHARS || this.text > TEXT_BUDGET_BYTES) {
      throw new AppError("payload_too_large");
    }
    const values = this.byName.get(name);
    if (values) values.push(value);
    else this.byName.set(name, [value]);
  }
}

function collect(entries: Iterable<[string, unknown]>): Map<string, unknown[]> {
  const fields = new Fields();
  for (const [name, value] of entries) fields.add(name, value);
  return fields.byName;
}

function parseJsonObject(text: string): Map<string, unknown[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new AppError("malformed_body");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new AppError("malformed_body");
  }
  const fields = collect(Object.entries(parsed));
  // JSON.parse keeps the last of two equal keys; the contract wants a visible error instead.
  for (const key of duplicateTopLevelKeys(text)) fields.get(key)?.push(undefined);
  return fields;
}

/** Keys that occur more than once in the top-level object of valid JSON text. */
export function duplicateTopLevelKeys(text: string): string[] {
  const seen = new Set<string>();
  const dupes: string[] = [];
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      if (depth === 1 && expectKey) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (seen.has(key)) dupes.push(key);
        seen.add(key);
        expectKey = false;
      }
      i = j;
    } else if (c === "{" || c === "[") {
      depth++;
      expectKey = depth === 1 && c === "{";
    } else if (c === "}" || c === "]") {
      depth--;
    } else if (c === "," && depth === 1) {
      expectKey = true;
    }
  }
  return dupes;
}
