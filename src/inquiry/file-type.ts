import { extensionOf, runnableKind } from "./runnable-names.ts";
import {
  firstStoredEntry,
  readEntry,
  readZip,
  u32,
  type ZipEntry,
  type ZipRead,
} from "./zip-archive.ts";
import { FILE_KINDS, type FileKind, type FileKindId } from "../domain/file-kinds.ts";

/**
 * Why a file is refused, so the visitor can be told what to do:
 * - `unknown`: not a kind we know (programs among them);
 * - `text_encoding`: text, but not UTF-8 or UTF-16 with a byte-order mark;
 * - `hidden_content`: two formats in one file (an archive appended to an image);
 * - `macros`: an office document that carries macros;
 * - `archive_program`: an archive holding a program, script, shortcut, page,
 *   macro document, another archive or `desktop.ini`, or an entry that hides
 *   its name or unpacks outside its folder;
 * - `archive_unreadable`: an archive we cannot see into (encrypted, a bomb,
 *   damaged, ZIP64).
 */
export type Refusal =
  | "unknown"
  | "text_encoding"
  | "hidden_content"
  | "macros"
  | "archive_program"
  | "archive_unreadable";

/** `as`: the kind the file would otherwise have been, when there is one. */
export type Detection =
  { ok: true; kind: FileKind } | { ok: false; reason: Refusal; as?: FileKind };

/**
 * How much of a file the sniffers read: this much from the start, and for
 * text as much from the end (archives: `ZIP_TAIL_BYTES` from the end).
 * Programs that open these formats decide from the start too (PDF readers
 * look for `%PDF-` in the first 1,024 bytes).
 */
export const HEAD_BYTES = 64 * 1024;
const PDF_HEADER_WITHIN = 1024;

const ascii = (bytes: Uint8Array, start: number, text: string): boolean => {
  if (bytes.length < start + text.length) return false;
  for (let i = 0; i < text.length; i++) if (bytes[start + i] !== text.charCodeAt(i)) return false;
  return true;
};

const be32 = (b: Uint8Array, o: number) =>
  (((b[o] ?? 0) << 24) | ((b[o + 1] ?? 0) << 16) | ((b[o + 2] ?? 0) << 8) | (b[o + 3] ?? 0)) >>> 0;

const refuse = (reason: Refusal, as?: FileKindId): Detection =>
  as ? { ok: false, reason, as: FILE_KINDS[as] } : { ok: false, reason };

/**
 * What `bytes` is, from a bounded head and tail (see `HEAD_BYTES`), never the
 * whole file: time and memory do not grow with the upload. Never throws.
 */
export function detectFileKind(bytes: Uint8Array): Detection {
  if (bytes.length === 0) return refuse("unknown");
  const zip = readZip(bytes);
  if (ascii(bytes, 0, "PK\x03\x04") || ascii(bytes, 0, "PK\x05\x06"))
    return classifyZip(bytes, zip);

  const kind = detectBinary(bytes) ?? detectText(bytes);
  if (typeof kind !== "string") return kind;
  // A second format inside one file: a mail client or unzip tool may open the
  // half the staff did not see checked. Refuse rather than guess.
  if (zip.state === "found" && zip.directory.entries.length > 0)
    return refuse("hidden_content", kind);
  if (zip.state === "unreadable") return refuse("hidden_content", kind);
  if (kind === "png" && pngCarriesMore(bytes)) return refuse("hidden_content", kind);
  return { ok: true, kind: FILE_KINDS[kind] };
}

/**
 * `detectFileKind`, and for Office Open XML documents also what their
 * `[Content_Types].xml` declares (ECMA-376 Part 2 §10.1): a macro-enabled
 * main part (`…macroEnabled.main+xml`), a VBA project
 * (`application/vnd.ms-office.vbaProject`) under any part name, or an
 * Excel 4.0 macro sheet. Reads that one entry, inflated to at most
 * `CONTENT_TYPES_MAX` bytes; one that is larger or does not inflate is
 * `archive_unreadable` (a real one is a few kilobytes).
 */
export async function inspectFileKind(bytes: Uint8Array): Promise<Detection> {
  const found = detectFileKind(bytes);
  if (!found.ok || !OOXML_KINDS.has(found.kind.id)) return found;
  const kind = found.kind.id as FileKindId;
  const zip = readZip(bytes);
  const entry =
    zip.state === "found"
      ? zip.directory.entries.find((e) => e.names[0] === "[Content_Types].xml")
      : undefined;
  const data = entry && (await readEntry(bytes, entry, CONTENT_TYPES_MAX));
  if (!data) return refuse("archive_unreadable", kind);
  const types = new TextDecoder().decode(data).toLowerCase();
  if (MACRO_CONTENT_TYPES.some((t) => types.includes(t))) return refuse("macros", kind);
  return found;
}
const OOXML_KINDS = new Set<string>(["docx", "xlsx", "pptx"]);
const CONTENT_TYPES_MAX = 256 * 1024;
const MACRO_CONTENT_TYPES = ["macroenabled", "application/vnd.ms-office.vbaproject", "macrosheet"];

/**
 * Signatures of programs and archives (Windows PE/DOS "MZ", ELF, Mach-O, a
 * script's "#!", ZIP, RAR, 7z, gzip, cabinet, OLE compound files): a file
 * that starts with one is that, whatever follows.
 */
const FOREIGN = [
  "MZ",
  "\x7fELF",
  "\xca\xfe\xba\xbe",
  "\xfe\xed\xfa",
  "\xce\xfa\xed\xfe",
  "\xcf\xfa\xed\xfe",
  "#!",
  "PK",
  "Rar!",
  "7z\xbc\xaf",
  "\x1f\x8b",
  "MSCF",
  "\xd0\xcf\x11\xe0",
];
const startsForeign = (b: Uint8Array) => FOREIGN.some((sig) => ascii(b, 0, sig));

function detectBinary(b: Uint8Array): FileKindId | null {
  const pdf = pdfHeaderAt(b);
  if (pdf === 0 || (pdf > 0 && !startsForeign(b))) return "pdf";
  if (ascii(b, 0, "\x89PNG\r\n\x1a\n") && ascii(b, 12, "IHDR")) return "png";
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return "jpeg";
  if (ascii(b, 0, "GIF87a") || ascii(b, 0, "GIF89a")) return "gif";
  if (ascii(b, 0, "RIFF") && ascii(b, 8, "WEBPVP8")) return "webp";
  if (isDwg(b)) return "dwg";
  if (ascii(b, 0, "AutoCAD Binary DXF\r\n\x1a\x00")) return "dxf";
  if (isBinaryStl(b)) return "stl";
  return null;
}

/**
 * Where `%PDF-` starts within the first 1,024 bytes, or -1: readers accept
 * junk before it (ISO 32000-2 Annex H.2 notes Acrobat's 1,024-byte window).
 */
function pdfHeaderAt(b: Uint8Array): number {
  const window = b.subarray(0, PDF_HEADER_WITHIN + 4);
  for (let at = window.indexOf(0x25); at !== -1; at = window.indexOf(0x25, at + 1)) {
    if (ascii(window, at, "%PDF-")) return at;
  }
  return -1;
}

/** AutoCAD's version string: AC1012 (R13) to AC1032 (2018 and later). */
function isDwg(b: Uint8Array): boolean {
  if (!ascii(b, 0, "AC10")) return false;
  const v = String.fromCharCode(b[4] ?? 0, b[5] ?? 0);
  return ["12", "13", "14", "15", "18", "21", "24", "27", "32"].includes(v);
}

/**
 * Whether a PNG has a ZIP local header after its IEND chunk (a polyglot whose
 * end record was stripped). Walks chunk lengths, at most `PNG_MAX_CHUNKS`.
 */
function pngCarriesMore(b: Uint8Array): boolean {
  let p = 8;
  for (let i = 0; i < PNG_MAX_CHUNKS && p + 12 <= b.length; i++) {
    const length = be32(b, p);
    if (ascii(b, p + 4, "IEND")) {
      const after = b.subarray(p + 12, p + 12 + HEAD_BYTES);
      return after.length >= 4 && findAscii(after, "PK\x03\x04") !== -1;
    }
    p += 12 + length;
  }
  return false;
}
const PNG_MAX_CHUNKS = 100_000;

function findAscii(b: Uint8Array, text: string): number {
  const first = text.charCodeAt(0);
  for (let at = b.indexOf(first); at !== -1; at = b.indexOf(first, at + 1)) {
    if (ascii(b, at, text)) return at;
  }
  return -1;
}

// --- ZIP and the formats built on it ---------------------------------------

/** Archives are never unpacked here, but the staff will unpack them. */
const ZIP_MAX_TOTAL_UNCOMPRESSED = 1024 * 1024 * 1024;
const ZIP_MAX_RATIO = 200;
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFDIR = 0o040000;
const lastSegment = (path: string) =>
  path.slice(Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\")) + 1);

function classifyZip(b: Uint8Array, zip: ZipRead): Detection {
  if (zip.state !== "found" || zip.directory.localHeaderAt !== 0) {
    return refuse("archive_unreadable", "zip");
  }
  const { entries } = zip.directory;
  const kind = zipKind(b, entries);
  const office = kind !== "zip";
  let total = 0;
  for (const e of entries) {
    if (e.encrypted) return refuse("archive_unreadable", kind);
    total += e.uncompressed;
    if (e.uncompressed > 1024 * 1024 && e.uncompressed > e.compressed * ZIP_MAX_RATIO) {
      return refuse("archive_unreadable", kind);
    }
    // A link points outside the archive. A file without an extension and with
    // an executable bit opens in Terminal on a double-click in macOS (one with
    // an extension opens in the program for that extension, as files copied
    // from a USB stick, all marked executable, must).
    if (e.unixMode !== null) {
      if ((e.unixMode & S_IFMT) === S_IFLNK) return refuse("archive_program", kind);
      const file = (e.unixMode & S_IFMT) !== S_IFDIR;
      if (
        file &&
        (e.unixMode & 0o111) !== 0 &&
        e.names.some((n) => extensionOf(lastSegment(n)) === "")
      ) {
        return refuse("archive_program", kind);
      }
    }
    for (const name of e.names) {
      // A name that hides part of itself (NUL, control characters) is never innocent.
      if (CONTROL.test(name) || escapesFolder(name) || isShellConfig(name)) {
        return refuse("archive_program", kind);
      }
      if (office && isMacroStore(name)) return refuse("macros", kind);
      const runs = runnableKind(name);
      // Inside an office document only programs count: its parts are not files
      // the staff open, and it may embed pages and legacy Office objects.
      if (runs === "program" || (runs && !office)) return refuse("archive_program", kind);
    }
  }
  if (total > ZIP_MAX_TOTAL_UNCOMPRESSED) return refuse("archive_unreadable", kind);
  return { ok: true, kind: FILE_KINDS[kind] };
}

const CONTROL = /[\x00-\x1f\x7f]/;

/**
 * An entry that unpacks outside the folder it is unpacked into ("zip slip"):
 * a `..` segment, an absolute path or a drive letter (APPNOTE 4.4.17 allows
 * none of them; some extractors follow them).
 */
function escapesFolder(name: string): boolean {
  if (name.startsWith("/") || name.startsWith("\\") || /^[a-z]:/i.test(name)) return true;
  return name.split(/[/\\]/).some((segment) => segment.trim() === "..");
}

/**
 * `desktop.ini` tells Windows Explorer how to show the folder it lies in: its
 * icon (from a file or a network share) and a shell handler by CLSID.
 */
function isShellConfig(name: string): boolean {
  const last = lastSegment(name).toLowerCase();
  // Windows drops trailing dots and spaces.
  let end = last.length;
  while (end > 0 && (last[end - 1] === "." || last[end - 1] === " ")) end--;
  return last.slice(0, end) === "desktop.ini";
}

/**
 * Macros inside office documents: VBA in Office Open XML (`vbaProject.bin`,
 * ECMA-376 / MS-OFFMACRO2) and Excel 4.0 macro sheets (`xl/macrosheets/`), and Basic or script libraries in OpenDocument
 * (`Basic/<library>/<module>.xml`, `Scripts/…`, as LibreOffice stores them;
 * the library index `script-lb.xml` alone holds no code).
 */
function isMacroStore(name: string): boolean {
  const path = name.replace(/\\/g, "/").toLowerCase();
  if (path === "vbaproject.bin" || path.endsWith("/vbaproject.bin")) return true;
  // Excel 4.0 macro sheets run without VBA.
  if (path.startsWith("xl/macrosheets/")) return true;
  if (path.startsWith("scripts/") && !path.endsWith("/")) return true;
  if (path.startsWith("basic/")) {
    const parts = path.split("/");
    return (
      parts.length >= 3 &&
      parts.at(-1) !== "" &&
      parts.at(-1) !== "script-lb.xml" &&
      parts.at(-1) !== "dialog-lb.xml"
    );
  }
  return false;
}

function zipKind(b: Uint8Array, entries: readonly ZipEntry[]): FileKindId {
  const names = new Set(entries.map((e) => e.names[0]));
  if (names.has("[Content_Types].xml")) {
    if (names.has("word/document.xml")) return "docx";
    if (names.has("xl/workbook.xml")) return "xlsx";
    if (names.has("ppt/presentation.xml")) return "pptx";
  }
  // OpenDocument: the first entry is an uncompressed file "mimetype" naming the type.
  const first = firstStoredEntry(b);
  if (first?.name === "mimetype") {
    const mime = new TextDecoder().decode(first.data);
    if (mime === FILE_KINDS.odt.mime) return "odt";
    if (mime === FILE_KINDS.ods.mime) return "ods";
  }
  return "zip";
}

// --- CAD and text ------------------------------------------------------------

/**
 * Binary STL (an 80-byte header, a triangle count, 50 bytes per triangle) has
 * no signature: any file of 84 + 50n bytes with n in the right place would
 * pass. So the header must not start like a program or archive, and the
 * triangles read from the head and the tail must look like geometry: every
 * number finite, coordinates within ±1e7, each normal zero, of unit length or
 * pointing along the triangle's own normal (numpy-stl writes them unscaled),
 * and most triangles not collapsed to a point or a line.
 */
function isBinaryStl(b: Uint8Array): boolean {
  if (b.length < 84 + 50) return false;
  const triangles = u32(b, 80);
  if (triangles === 0 || b.length !== 84 + triangles * 50 || startsForeign(b)) return false;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const sample = Math.min(triangles, STL_SAMPLE);
  let solid = 0;
  for (let i = 0; i < sample; i++) {
    // The first half of the sample from the start, the rest from the end.
    const t = i < sample / 2 ? i : triangles - (sample - i);
    const at = 84 + t * 50;
    const f = Array.from({ length: 12 }, (_, k) => view.getFloat32(at + k * 4, true));
    if (!f.every((x) => Math.abs(x) <= 1e7)) return false;
    const [nx, ny, nz, ax, ay, az, bx, by, bz, cx, cy, cz] = f as Vec12;
    // The geometric normal: (b - a) × (c - a).
    const [ux, uy, uz, vx, vy, vz] = [bx - ax, by - ay, bz - az, cx - ax, cy - ay, cz - az];
    const [gx, gy, gz] = [uy * vz - uz * vy, uz * vx - ux * vz, ux * vy - uy * vx];
    const n = Math.hypot(nx, ny, nz);
    const g = Math.hypot(gx, gy, gz);
    const along = g > 0 && Math.abs(nx * gx + ny * gy + nz * gz) > 0.99 * n * g;
    if (!(n < 0.001 || Math.abs(n - 1) < 0.01 || along)) return false;
    if (g > 0) solid++;
  }
  return solid * 2 > sample;
}
type Vec12 = [
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
];
const STL_SAMPLE = 2000;

/**
 * Characters that do not occur in text, as file(1) judges it (libmagic's
 * `text_chars`): C0 controls but BEL, BS, TAB, LF, VT, FF, CR and ESC; and DEL.
 */
const NOT_TEXT = /[\x00-\x06\x0e-\x1a\x1c-\x1f\x7f]/;

/**
 * Text, decoded as the programs that open it would: UTF-8 (with or without a
 * byte-order mark), or UTF-16 LE/BE with a byte-order mark (Notepad's
 * "Unicode"), then checked over the head and the tail. UTF-16 is only ever
 * plain text: CAD programs read their text formats as ASCII.
 */
function detectText(b: Uint8Array): FileKindId | Detection {
  const utf16 =
    b[0] === 0xff && b[1] === 0xfe
      ? "utf-16le"
      : b[0] === 0xfe && b[1] === 0xff
        ? "utf-16be"
        : null;
  const read = utf16 ? decodeEnds(b, utf16, 2) : decodeEnds(b, "utf-8", 1);
  const { head, tail } = read ?? { head: "\0", tail: "" };
  if (NOT_TEXT.test(head) || NOT_TEXT.test(tail)) {
    // UTF-16 without its BOM decodes as UTF-8 full of NULs.
    return utf16 || !looksLikeOtherText(b) ? refuse("unknown") : refuse("text_encoding", "txt");
  }
  if (utf16) return "txt";

  const start = head.replace(/^\uFEFF/, "").trimStart();
  if (start.startsWith("ISO-10303-21;")) return "step";
  if (startsLikeIges(start)) return "iges";
  if (startsLikeDxf(start)) return "dxf";
  if (
    /^solid\b/.test(start) &&
    /\bfacet\s+normal\b/.test(start) &&
    /\bendsolid\b/.test(tail || head)
  ) {
    return "stl";
  }
  return "txt";
}

/**
 * The first and (when the file is longer) the last `HEAD_BYTES` decoded, or
 * null if either is not valid in `encoding`. The tail starts on a character
 * boundary: UTF-8 skips continuation bytes, UTF-16 keeps to code-unit pairs
 * (a surrogate pair cut at the boundary is dropped, not judged).
 */
function decodeEnds(
  b: Uint8Array,
  encoding: "utf-8" | "utf-16le" | "utf-16be",
  unit: 1 | 2,
): { head: string; tail: string } | null {
  const decoder = () => new TextDecoder(encoding, { fatal: true, ignoreBOM: false });
  try {
    // Not streamed when it is the whole file: a sequence cut off by the end is an error.
    if (b.length <= HEAD_BYTES) return { head: decoder().decode(b), tail: "" };
    const head = decoder().decode(b.subarray(0, HEAD_BYTES), { stream: true });
    let from = Math.max(HEAD_BYTES, b.length - HEAD_BYTES);
    if (unit === 2) {
      from += from % 2;
      const hi = encoding === "utf-16le" ? b[from + 1]! : b[from]!;
      if (hi >= 0xdc && hi <= 0xdf) from += 2;
    } else {
      for (let i = 0; i < 3 && (b[from]! & 0xc0) === 0x80; i++) from++;
    }
    const tail = new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(
      b.subarray(from),
    );
    return { head, tail };
  } catch {
    return null;
  }
}

/**
 * Text in an encoding we do not take (a legacy 8-bit code page such as
 * Windows-1250, or UTF-16 without its byte-order mark): no control bytes but
 * the text ones, or every other byte zero. The visitor can fix these by
 * saving the file again as UTF-8.
 */
function looksLikeOtherText(b: Uint8Array): boolean {
  if (startsForeign(b)) return false;
  const zeros = [0, 0];
  let pairs = 0;
  // The head and (on an even offset, so byte pairs stay pairs) the tail.
  const tailFrom = Math.max(HEAD_BYTES, b.length - HEAD_BYTES) & ~1;
  for (const [from, to] of [
    [0, Math.min(b.length, HEAD_BYTES)],
    [tailFrom, b.length],
  ] as const) {
    for (let i = from; i < to; i++) {
      const c = b[i]!;
      if (c === 0) zeros[i % 2]!++;
      else if (c < 0x20 ? !TEXT_CONTROLS.has(c) : c === 0x7f) return false;
    }
    pairs += Math.max(0, Math.floor((to - from) / 2));
  }
  const [even, odd] = zeros as [number, number];
  if (even + odd === 0) return true;
  // UTF-16 of mostly Latin text: one byte of each pair zero, the other not.
  return pairs >= 2 && Math.max(even, odd) > pairs * 0.9 && Math.min(even, odd) < pairs * 0.1;
}
const TEXT_CONTROLS = new Set([0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1b]);

/** IGES: 80-column records with the section letter in column 73: S(tart), then G(lobal). */
function startsLikeIges(head: string): boolean {
  const lines = head.split("\n", IGES_MAX_START_LINES + 1);
  if ((lines[0]?.length ?? 0) < 73 || lines[0]![72] !== "S") return false;
  return lines.some((line) => line[72] === "G");
}
const IGES_MAX_START_LINES = 200;

/**
 * ASCII DXF: pairs of lines, a group code then its value. A drawing opens with
 * `0` / `SECTION`, after any number of `999` comment pairs (AutoCAD DXF
 * Reference, "DXF Format: ASCII DXF Files"). Read pair by pair: a pattern with
 * `[^\n]*\r?\n` inside a repeated group backtracks exponentially on a line
 * that does not match.
 */
function startsLikeDxf(head: string): boolean {
  const lines = head.split("\n", 2 * DXF_MAX_COMMENTS + 2);
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const code = lines[i]!.trim();
    if (code === "999") continue;
    return code === "0" && lines[i + 1]!.trim() === "SECTION";
  }
  return false;
}
const DXF_MAX_COMMENTS = 100;
