/**
 * What an uploaded file *is*, decided from its bytes alone. The visitor's file
 * name and declared type are never consulted: they are what a liar controls.
 */
export interface FileKind {
  readonly id: string;
  readonly mime: string;
  /** The first is used when the stored file name needs a matching extension. */
  readonly extensions: readonly string[];
}

const kinds = {
  pdf: { mime: "application/pdf", extensions: ["pdf"] },
  png: { mime: "image/png", extensions: ["png"] },
  jpeg: { mime: "image/jpeg", extensions: ["jpg", "jpeg"] },
  webp: { mime: "image/webp", extensions: ["webp"] },
  gif: { mime: "image/gif", extensions: ["gif"] },
  docx: {
    mime: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    extensions: ["docx"],
  },
  xlsx: {
    mime: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    extensions: ["xlsx"],
  },
  pptx: {
    mime: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    extensions: ["pptx"],
  },
  odt: { mime: "application/vnd.oasis.opendocument.text", extensions: ["odt"] },
  ods: { mime: "application/vnd.oasis.opendocument.spreadsheet", extensions: ["ods"] },
  zip: { mime: "application/zip", extensions: ["zip"] },
  dwg: { mime: "image/vnd.dwg", extensions: ["dwg"] },
  dxf: { mime: "image/vnd.dxf", extensions: ["dxf"] },
  step: { mime: "model/step", extensions: ["step", "stp"] },
  iges: { mime: "model/iges", extensions: ["igs", "iges"] },
  stl: { mime: "model/stl", extensions: ["stl"] },
  txt: { mime: "text/plain", extensions: ["txt"] },
} as const satisfies Record<string, Omit<FileKind, "id">>;

export type FileKindId = keyof typeof kinds;

export const FILE_KINDS: Readonly<Record<FileKindId, FileKind>> = Object.fromEntries(
  Object.entries(kinds).map(([id, k]) => [id, { id, ...k }]),
) as unknown as Record<FileKindId, FileKind>;

export const FILE_KIND_IDS = Object.keys(kinds) as FileKindId[];

/** How the form and its error messages name allowed kinds: "PDF, PNG, …". */
export function kindNames(kinds: readonly FileKind[]): string {
  return kinds.map((k) => k.extensions[0]!.toUpperCase()).join(", ");
}

export function isFileKindId(value: string): value is FileKindId {
  return Object.hasOwn(kinds, value);
}

/** Why a file that looks like an archive is still refused. */
export type Refusal = "unknown" | "ambiguous" | "archive_suspicious";

export type Detection = { ok: true; kind: FileKind } | { ok: false; reason: Refusal };

const ascii = (bytes: Uint8Array, start: number, text: string): boolean => {
  if (bytes.length < start + text.length) return false;
  for (let i = 0; i < text.length; i++) if (bytes[start + i] !== text.charCodeAt(i)) return false;
  return true;
};

const u16 = (b: Uint8Array, o: number) => (b[o] ?? 0) | ((b[o + 1] ?? 0) << 8);
const u32 = (b: Uint8Array, o: number) => (u16(b, o) | (u16(b, o + 2) << 16)) >>> 0;

export function detectFileKind(bytes: Uint8Array): Detection {
  const zip = readZipDirectory(bytes);
  const binary = detectBinary(bytes, zip);
  if (binary === "ambiguous") return { ok: false, reason: "ambiguous" };
  if (binary === "archive_suspicious") return { ok: false, reason: "archive_suspicious" };
  if (binary) return { ok: true, kind: FILE_KINDS[binary] };
  const text = detectText(bytes);
  return text ? { ok: true, kind: FILE_KINDS[text] } : { ok: false, reason: "unknown" };
}

function detectBinary(
  b: Uint8Array,
  zip: ZipDirectory | null,
): FileKindId | Exclude<Refusal, "unknown"> | null {
  if (ascii(b, 0, "%PDF-")) {
    // A PDF with a whole ZIP appended is a polyglot: a mail client may open
    // either half. Refuse it rather than guess which one the sender meant.
    return zip && zip.entries.length > 0 ? "ambiguous" : "pdf";
  }
  if (ascii(b, 0, "\x89PNG\r\n\x1a\n") && ascii(b, 12, "IHDR")) return "png";
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return "jpeg";
  if (ascii(b, 0, "GIF87a") || ascii(b, 0, "GIF89a")) return "gif";
  if (ascii(b, 0, "RIFF") && ascii(b, 8, "WEBPVP8")) return "webp";
  if (/^AC10(1[2-8]|2[1-4]|27|32)$/.test(String.fromCharCode(...b.subarray(0, 6)))) return "dwg";
  if (ascii(b, 0, "AutoCAD Binary DXF\r\n\x1a\x00")) return "dxf";
  if (ascii(b, 0, "PK\x03\x04") || ascii(b, 0, "PK\x05\x06")) {
    if (!zip || zip.localHeaderAt !== 0) return "archive_suspicious";
    return classifyZip(b, zip);
  }
  if (isBinaryStl(b)) return "stl";
  return null;
}

// --- ZIP and the formats built on it ---------------------------------------

interface ZipEntry {
  name: string;
  compressed: number;
  uncompressed: number;
  encrypted: boolean;
}
interface ZipDirectory {
  entries: ZipEntry[];
  /** Offset of the first local header the directory points at. */
  localHeaderAt: number;
}

/**
 * Archives are never unpacked here, but the staff will unpack them. Refused:
 * bombs (these bounds), entries we cannot see into (encrypted), programs a
 * double-click would run, and Office files carrying VBA macros.
 */
const ZIP_RISKY_ENTRY =
  /\.(exe|com|scr|bat|cmd|pif|msi|msp|dll|cpl|jar|js|jse|vbs|vbe|wsf|wsh|hta|ps1|psm1|lnk|reg|sh|app|apk|dmg|iso)$/i;
const ZIP_MAX_ENTRIES = 10_000;
const ZIP_MAX_TOTAL_UNCOMPRESSED = 1024 * 1024 * 1024;
const ZIP_MAX_RATIO = 200;

/** Reads the central directory from the end-of-central-directory record, or null if there is none. */
function readZipDirectory(b: Uint8Array): ZipDirectory | null {
  const stop = Math.max(0, b.length - 22 - 0xffff);
  for (let eocd = b.length - 22; eocd >= stop; eocd--) {
    if (u32(b, eocd) !== 0x06054b50) continue;
    const count = u16(b, eocd + 10);
    const size = u32(b, eocd + 12);
    // The directory ends where the end record starts. Data prepended to the
    // archive (a PDF, a self-extractor) shifts everything by the same amount,
    // as unzip tools allow for; `shift` is that amount.
    const start = eocd - size;
    if (start < 0) continue;
    const shift = start - u32(b, eocd + 16);
    if (shift < 0) continue;
    const entries: ZipEntry[] = [];
    let p = start;
    let localHeaderAt = count === 0 ? 0 : Number.MAX_SAFE_INTEGER;
    for (let i = 0; i < count; i++) {
      if (p + 46 > eocd || u32(b, p) !== 0x02014b50) return null;
      const nameLen = u16(b, p + 28);
      const extraLen = u16(b, p + 30);
      const commentLen = u16(b, p + 32);
      localHeaderAt = Math.min(localHeaderAt, u32(b, p + 42) + shift);
      entries.push({
        encrypted: (u16(b, p + 8) & 1) === 1,
        compressed: u32(b, p + 20),
        uncompressed: u32(b, p + 24),
        name: new TextDecoder().decode(b.subarray(p + 46, p + 46 + nameLen)),
      });
      p += 46 + nameLen + extraLen + commentLen;
    }
    return { entries, localHeaderAt };
  }
  return null;
}

function classifyZip(b: Uint8Array, zip: ZipDirectory): FileKindId | "archive_suspicious" {
  const { entries } = zip;
  if (entries.length > ZIP_MAX_ENTRIES) return "archive_suspicious";
  let total = 0;
  for (const e of entries) {
    if (e.encrypted || ZIP_RISKY_ENTRY.test(e.name) || /(^|\/)vbaProject\.bin$/i.test(e.name)) {
      return "archive_suspicious";
    }
    // 0xFFFFFFFF marks ZIP64 sizes: never needed for files of our size.
    if (e.compressed === 0xffffffff || e.uncompressed === 0xffffffff) return "archive_suspicious";
    total += e.uncompressed;
    if (e.uncompressed > 1024 * 1024 && e.uncompressed > e.compressed * ZIP_MAX_RATIO) {
      return "archive_suspicious";
    }
  }
  if (total > ZIP_MAX_TOTAL_UNCOMPRESSED) return "archive_suspicious";

  const names = new Set(entries.map((e) => e.name));
  if (names.has("[Content_Types].xml")) {
    if (names.has("word/document.xml")) return "docx";
    if (names.has("xl/workbook.xml")) return "xlsx";
    if (names.has("ppt/presentation.xml")) return "pptx";
  }
  // OpenDocument: the first entry is an uncompressed file "mimetype" naming the type.
  if (ascii(b, 30, "mimetype") && u16(b, 26) === 8 && u16(b, 8) === 0) {
    const start = 30 + 8 + u16(b, 28);
    const mime = new TextDecoder().decode(b.subarray(start, start + u32(b, 18)));
    if (mime === FILE_KINDS.odt.mime) return "odt";
    if (mime === FILE_KINDS.ods.mime) return "ods";
  }
  return "zip";
}

// --- CAD and text ------------------------------------------------------------

function isBinaryStl(b: Uint8Array): boolean {
  if (b.length < 84 + 50) return false;
  const triangles = u32(b, 80);
  return triangles > 0 && b.length === 84 + triangles * 50;
}

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

/** Control characters that never occur in a plain-text document. */
const TEXT_FORBIDDEN = /[\x00-\x08\x0b\x0e-\x1f\x7f]/;

function detectText(b: Uint8Array): FileKindId | null {
  if (b.length === 0) return null;
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(b);
  } catch {
    return null;
  }
  if (TEXT_FORBIDDEN.test(text)) return null;
  const head = text.replace(/^\uFEFF/, "").trimStart();
  if (head.startsWith("ISO-10303-21;")) return "step";
  const firstLine = head.split(/\r?\n/, 1)[0] ?? "";
  if (firstLine.length >= 73 && firstLine[72] === "S" && /\n.{72}G/.test(head)) return "iges";
  if (startsLikeDxf(head)) return "dxf";
  if (/^solid\b/.test(head) && /\bfacet\s+normal\b/.test(head) && /\bendsolid\b/.test(head)) {
    return "stl";
  }
  return "txt";
}
