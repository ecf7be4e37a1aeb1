/**
 * A ZIP archive's table of contents, read the way unzip tools find it (PKWARE
 * APPNOTE 6.3.10): the end-of-central-directory record near the end, the
 * central directory it points at, and each entry's local header. Nothing is
 * decompressed. The work is bounded and linear: one tail window of
 * `ZIP_TAIL_BYTES`, at most `MAX_ENTRIES` entries in at most
 * `MAX_DIRECTORY_BYTES`, one local header per entry, checked to lie apart
 * before any name is decoded, and at most `MAX_ARCHIVE_NAME_BYTES` of names
 * decoded (each at most `MAX_NAME_BYTES`).
 */

export interface ZipEntry {
  /**
   * Every name the entry goes by: the central directory's, the local header's,
   * and the Unicode Path extra field (0x7075, APPNOTE 4.6.9) of either, which
   * tools such as 7-Zip and Info-ZIP prefer when present.
   */
  names: string[];
  compressed: number;
  uncompressed: number;
  /** General purpose flag bit 0 (APPNOTE 4.4.4). */
  encrypted: boolean;
  /** The Unix st_mode when "version made by" says Unix (APPNOTE 4.4.2, 4.4.15), else null. */
  unixMode: number | null;
  /** Compression method (APPNOTE 4.4.5): 0 stored, 8 deflated. */
  method: number;
  /** Offset of the entry's data, past its local header. */
  dataAt: number;
}

export interface ZipDirectory {
  entries: ZipEntry[];
  /** Offset of the first local header: 0 for an archive nothing is prepended to. */
  localHeaderAt: number;
}

/**
 * `found`: a directory that reads in full. `unreadable`: an end record exists
 * but its directory is cut off, too large, split over disks, ZIP64, or there
 * are more end records than a real archive has. `none`: no end record.
 */
export type ZipRead =
  { state: "found"; directory: ZipDirectory } | { state: "unreadable" } | { state: "none" };

export const MAX_ENTRIES = 10_000;
export const MAX_DIRECTORY_BYTES = 4 * 1024 * 1024;
/**
 * How far from the end an end record is looked for. APPNOTE puts it within
 * 22 + 0xFFFF bytes (the longest comment), but readers search further:
 * Info-ZIP's unzip reads whole buffers and found an archive 70 KiB from the
 * end, and 7-Zip scans further still. A hidden archive anywhere in the last
 * MiB is found; beyond that, in a file of our sizes, the bytes would have to
 * look like a whole directory to a reader that searches the entire file.
 */
export const ZIP_TAIL_BYTES = 1024 * 1024;
/** Where APPNOTE says an end record can be: the record and the longest comment. */
const CLASSIC_TAIL = 22 + 0xffff;
/** End records a real archive has one of; more in the tail window is a decoy. */
const MAX_END_RECORDS = 4;

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const DESCRIPTOR = 0x08074b50;
const UNICODE_PATH = 0x7075;
const HOST_UNIX = 3;

/** Little-endian unsigned integers, as ZIP stores them; 0 past the end. */
export const u16 = (b: Uint8Array, o: number) => (b[o] ?? 0) | ((b[o + 1] ?? 0) << 8);
export const u32 = (b: Uint8Array, o: number) => (u16(b, o) | (u16(b, o + 2) << 16)) >>> 0;
const utf8 = new TextDecoder("utf-8");

export function readZip(b: Uint8Array): ZipRead {
  const stop = Math.max(0, b.length - ZIP_TAIL_BYTES);
  const classic = b.length - CLASSIC_TAIL;
  let records = 0;
  let unreadable = false;
  // Searched within the window only: lastIndexOf on the whole file would walk
  // all of it when the window holds no "P".
  const window = b.subarray(stop);
  for (let at = b.length - 22; at >= stop; at--) {
    const found = window.lastIndexOf(0x50, at - stop);
    if (found === -1) break;
    at = stop + found;
    if (u32(b, at) !== EOCD) continue;
    if (++records > MAX_END_RECORDS) return { state: "unreadable" };
    const directory = readDirectory(b, at);
    // Beyond APPNOTE's window only a directory that reads in full counts: four
    // random bytes spelling an end record in a large photo are not an archive.
    if (directory === "unreadable") unreadable ||= at >= classic;
    else if (directory) return { state: "found", directory };
  }
  return unreadable ? { state: "unreadable" } : { state: "none" };
}

/** The directory an end record at `eocd` points at; null when the record is not a real one. */
function readDirectory(b: Uint8Array, eocd: number): ZipDirectory | "unreadable" | null {
  if (u16(b, eocd + 4) !== 0 || u16(b, eocd + 6) !== 0) return "unreadable";
  const count = u16(b, eocd + 10);
  const size = u32(b, eocd + 12);
  const offset = u32(b, eocd + 16);
  // 0xFFFF / 0xFFFFFFFF defer to a ZIP64 record: never needed at our sizes.
  if (count === 0xffff || size === 0xffffffff || offset === 0xffffffff) return "unreadable";
  if (count > MAX_ENTRIES || size > MAX_DIRECTORY_BYTES) return "unreadable";
  // The directory ends where the end record starts. Data prepended to the
  // archive (a self-extractor, a polyglot's other half) shifts every offset
  // by the same amount, as unzip tools allow for.
  const start = eocd - size;
  const shift = start - offset;
  if (start < 0 || shift < 0) return null;

  // First pass: where each entry lies, from fixed-size fields only. Entries
  // that share or overlap a local header are refused here, before any name is
  // decoded: otherwise one 64 KiB name could be decoded once per entry.
  const layout: { central: number; local: number }[] = [];
  const spans: [from: number, to: number][] = [];
  let localHeaderAt = count === 0 ? 0 : Number.MAX_SAFE_INTEGER;
  let p = start;
  for (let i = 0; i < count; i++) {
    if (p + 46 > eocd || u32(b, p) !== CENTRAL) return i === 0 ? null : "unreadable";
    const next = p + 46 + u16(b, p + 28) + u16(b, p + 30) + u16(b, p + 32);
    if (next > eocd) return "unreadable";
    const local = u32(b, p + 42) + shift;
    if (local + 30 > eocd || u32(b, local) !== LOCAL) return "unreadable";
    localHeaderAt = Math.min(localHeaderAt, local);
    let end = local + 30 + u16(b, local + 26) + u16(b, local + 28) + u32(b, p + 20);
    // Flag bit 3: a data descriptor follows the data (APPNOTE 4.3.9), with or without its signature.
    if ((u16(b, p + 8) & 8) !== 0) end += u32(b, end) === DESCRIPTOR ? 16 : 12;
    spans.push([local, end]);
    layout.push({ central: p, local });
    p = next;
  }
  if (!tiles(spans, count === 0 ? start : localHeaderAt, start)) return "unreadable";

  // Second pass: the names, each distinct byte string decoded once, all of
  // them together at most MAX_NAME_BYTES.
  const names = new NameDecoder();
  const entries: ZipEntry[] = [];
  for (const { central: c, local } of layout) {
    const nameLen = u16(b, c + 28);
    const localName = u16(b, local + 26);
    const localExtra = u16(b, local + 28);
    const all = [
      b.subarray(c + 46, c + 46 + nameLen),
      ...unicodePaths(b, c + 46 + nameLen, u16(b, c + 30)),
      b.subarray(local + 30, local + 30 + localName),
      ...unicodePaths(b, local + 30 + localName, localExtra),
    ];
    const decoded = names.decode(all);
    if (!decoded) return "unreadable";
    entries.push({
      names: decoded,
      encrypted: (u16(b, c + 8) & 1) === 1,
      compressed: u32(b, c + 20),
      uncompressed: u32(b, c + 24),
      unixMode: b[c + 5] === HOST_UNIX ? u32(b, c + 38) >>> 16 : null,
      method: u16(b, c + 10),
      dataAt: local + 30 + localName + localExtra,
    });
  }
  return { entries, localHeaderAt };
}

/**
 * Names longer than this are refused: no file system extracts one (Linux
 * PATH_MAX is 4,096 bytes; Windows paths stop at 32,767 UTF-16 units).
 */
export const MAX_NAME_BYTES = 4096;
/**
 * Name bytes one archive may have decoded, all entries and all their names
 * together: 10,000 entries of 100-byte paths. With the directory's own bounds
 * this keeps an archive's cost linear in its size with a small constant.
 */
export const MAX_ARCHIVE_NAME_BYTES = 1024 * 1024;

/** Decodes an entry's names as UTF-8, each distinct byte string once, within the archive's budget. */
class NameDecoder {
  private left = MAX_ARCHIVE_NAME_BYTES;

  /** The distinct names of one entry (the first is the central directory's), or null past a bound. */
  decode(forms: Uint8Array[]): string[] | null {
    // Two names and a Unicode Path for each at most: more is no archiver's.
    if (forms.length > 4) return null;
    const out: string[] = [];
    const seen: Uint8Array[] = [];
    for (const bytes of forms) {
      if (bytes.length > MAX_NAME_BYTES) return null;
      // Most entries repeat one name in the directory and the local header.
      if (seen.some((s) => sameBytes(s, bytes))) continue;
      this.left -= bytes.length;
      if (this.left < 0) return null;
      seen.push(bytes);
      out.push(utf8.decode(bytes));
    }
    return out;
  }
}

function sameBytes(x: Uint8Array, y: Uint8Array): boolean {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/**
 * Whether the entries fill the space before the directory exactly, one after
 * another. A gap can hide a local header that a streaming extractor (one that
 * reads local headers in order, as macOS and Java tools do) would unpack
 * though the directory does not list it; an overlap is how a small archive
 * unpacks to gigabytes.
 */
function tiles(spans: [number, number][], from: number, to: number): boolean {
  spans.sort((x, y) => x[0] - y[0]);
  let at = from;
  for (const [start, end] of spans) {
    if (start !== at) return false;
    at = end;
  }
  return at === to;
}

/** Names in Unicode Path extra fields: version (1 byte), CRC-32 of the plain name, UTF-8 name. */
function unicodePaths(b: Uint8Array, start: number, length: number): Uint8Array[] {
  const names: Uint8Array[] = [];
  const end = Math.min(start + length, b.length);
  for (let p = start; p + 4 <= end;) {
    const id = u16(b, p);
    const size = u16(b, p + 2);
    if (id === UNICODE_PATH && size >= 5 && p + 4 + size <= end) {
      names.push(b.subarray(p + 9, p + 4 + size));
    }
    p += 4 + size;
  }
  return names;
}

/** The bytes of an entry stored uncompressed at the very start (OpenDocument's `mimetype`). */
export function firstStoredEntry(b: Uint8Array): { name: string; data: Uint8Array } | null {
  if (u32(b, 0) !== LOCAL || u16(b, 8) !== 0) return null;
  const nameLen = u16(b, 26);
  const dataAt = 30 + nameLen + u16(b, 28);
  const size = u32(b, 18);
  if (size > 1024 || dataAt + size > b.length) return null;
  return {
    name: utf8.decode(b.subarray(30, 30 + nameLen)),
    data: b.subarray(dataAt, dataAt + size),
  };
}

/**
 * Compressed bytes handed to the inflater at a time. Deflate expands at most
 * about 1,032:1 (RFC 1951 §3.2.5: a 258-byte match in a few bits), so one
 * slice yields at most ~130 KiB. workerd's inflater takes a few slices ahead
 * of what has been read; at 1 KiB a slice a bomb still inflated ~33 MB before
 * the cap was seen (8x an ordinary upload's CPU), at 128 bytes about 4 MB
 * (npm run measure:archives: within 3x).
 */
export const INFLATE_SLICE_BYTES = 128;

/**
 * An entry's bytes, stored or deflated (APPNOTE 4.4.5 methods 0 and 8), or
 * null when it is larger than `limit` bytes packed or unpacked, uses another
 * method, or does not inflate. Inflates `INFLATE_SLICE_BYTES` of input at a
 * time and stops once the output passes `limit`: an inflater given the whole
 * entry at once inflates all of it (250 MB from a 255 KB entry) before anyone
 * can stop it, so a bomb would cost its full size in CPU. `inflater` makes
 * the raw-deflate stream (RFC 1951); tests pass one that counts what it is fed.
 */
export async function readEntry(
  b: Uint8Array,
  entry: ZipEntry,
  limit: number,
  inflater: () => ReadableWritablePair<Uint8Array, BufferSource> = () =>
    new DecompressionStream("deflate-raw"),
): Promise<Uint8Array | null> {
  if (entry.compressed > limit || entry.dataAt + entry.compressed > b.length) return null;
  const data = b.subarray(entry.dataAt, entry.dataAt + entry.compressed);
  if (entry.method === 0) return data.slice();
  if (entry.method !== 8) return null;
  const stream = inflater();
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  let over = false;
  // Read while writing: the inflater's queue holds little, so each write waits for the reader.
  const reading = (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      total += value.length;
      if (total > limit) {
        over = true;
        await reader.cancel();
        return;
      }
      chunks.push(value);
    }
  })();
  // A corrupt stream can fail the read while a write is still pending: handle it now, so the
  // rejection is never unhandled in between (it is awaited below).
  reading.catch(() => {});
  try {
    for (let at = 0; at < data.length && !over; at += INFLATE_SLICE_BYTES) {
      await writer.write(data.slice(at, at + INFLATE_SLICE_BYTES));
    }
    if (!over) await writer.close();
    await reading;
  } catch {
    // A corrupt stream errors both sides; the cancel after `over` errors the writer.
    await reading.catch(() => {});
    return null;
  }
  if (over) return null;
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
