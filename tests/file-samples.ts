/** Small but structurally real files of every accepted kind, made in code. */

const enc = new TextEncoder();

export function concat(...parts: (Uint8Array | string | number[])[]): Uint8Array {
  const arrays = parts.map((p) =>
    typeof p === "string" ? enc.encode(p) : p instanceof Uint8Array ? p : Uint8Array.from(p),
  );
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  let o = 0;
  for (const a of arrays) {
    out.set(a, o);
    o += a.length;
  }
  return out;
}

/** Latin-1 string to bytes, for binary magic written as text. */
export function bin(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

function crc32(bytes: Uint8Array): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

const le16 = (n: number) => [n & 255, (n >>> 8) & 255];
const le32 = (n: number) => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255];

export interface ZipFileSpec {
  name: string;
  data: Uint8Array | string;
  /** Pretend the entry is this large uncompressed (to model a bomb without building one). */
  declaredSize?: number;
  /** The name in the local header, when it differs from the central directory's. */
  localName?: string;
  /** Extra fields (APPNOTE 4.5), the same in the central directory and the local header. */
  extra?: Uint8Array;
  /** Made on Unix with this st_mode in the external attributes (e.g. 0o100755). */
  unixMode?: number;
  /** General purpose flag bit 0: encrypted. */
  encrypted?: boolean;
  /** `data` deflated (raw, RFC 1951), stored with method 8 instead of `data` itself. */
  deflated?: Uint8Array;
}

/** `text` as raw deflate (RFC 1951), as ZIP's method 8 stores it. */
export async function deflateRaw(text: string): Promise<Uint8Array> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("deflate-raw"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** A valid ZIP of stored (uncompressed) entries. */
export function zip(entries: ZipFileSpec[]): Uint8Array {
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    const data = typeof e.data === "string" ? enc.encode(e.data) : e.data;
    const name = enc.encode(e.name);
    const localName = enc.encode(e.localName ?? e.name);
    const extra = e.extra ?? new Uint8Array();
    const crc = crc32(data);
    const size = e.declaredSize ?? data.length;
    const method = e.declaredSize || e.deflated ? 8 : 0;
    const packed = e.deflated ?? data;
    const flags = (e.encrypted ? 1 : 0) | 0x800;
    const local = concat(
      [0x50, 0x4b, 3, 4, 20, 0, ...le16(flags), ...le16(method), 0, 0, 0, 0],
      le32(crc),
      le32(packed.length),
      le32(size),
      le16(localName.length),
      le16(extra.length),
      localName,
      extra,
      packed,
    );
    centrals.push(
      concat(
        [0x50, 0x4b, 1, 2, 20, e.unixMode === undefined ? 0 : 3, 20, 0],
        le16(flags),
        le16(method),
        [0, 0, 0, 0],
        le32(crc),
        le32(packed.length),
        le32(size),
        le16(name.length),
        le16(extra.length),
        [0, 0, 0, 0, 0, 0],
        le32(e.unixMode === undefined ? 0 : e.unixMode * 0x10000),
        le32(offset),
        name,
        extra,
      ),
    );
    locals.push(local);
    offset += local.length;
  }
  const central = concat(...centrals);
  const end = concat(
    [0x50, 0x4b, 5, 6, 0, 0, 0, 0],
    le16(entries.length),
    le16(entries.length),
    le32(central.length),
    le32(offset),
    [0, 0],
  );
  return concat(...locals, central, end);
}

/** A Unicode Path extra field (0x7075, APPNOTE 4.6.9) naming `unicodeName` for an entry called `plainName`. */
export function unicodePathExtra(plainName: string, unicodeName: string): Uint8Array {
  const name = enc.encode(unicodeName);
  return concat([0x75, 0x70], le16(5 + name.length), [1], le32(crc32(enc.encode(plainName))), name);
}

const contentTypes =
  '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>';

export const samples = {
  pdf: () =>
    concat("%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"),
  png: () =>
    concat(
      bin("\x89PNG\r\n\x1a\n"),
      [0, 0, 0, 13],
      "IHDR",
      [0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0],
      [0x1f, 0x15, 0xc4, 0x89],
      [0, 0, 0, 0],
      "IEND",
      [0xae, 0x42, 0x60, 0x82],
    ),
  jpeg: () =>
    concat([0xff, 0xd8, 0xff, 0xe0, 0, 16], "JFIF\0", [1, 1, 0, 0, 1, 0, 1, 0, 0, 0xff, 0xd9]),
  webp: () => concat("RIFF", [26, 0, 0, 0], "WEBPVP8 ", [14, 0, 0, 0], new Uint8Array(14)),
  gif: () =>
    concat(
      "GIF89a",
      [1, 0, 1, 0, 0, 0, 0, 0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x44, 1, 0, 0x3b],
    ),
  docx: () =>
    zip([
      { name: "[Content_Types].xml", data: contentTypes },
      { name: "_rels/.rels", data: "<Relationships/>" },
      { name: "word/document.xml", data: "<w:document/>" },
    ]),
  xlsx: () =>
    zip([
      { name: "[Content_Types].xml", data: contentTypes },
      { name: "xl/workbook.xml", data: "<workbook/>" },
    ]),
  pptx: () =>
    zip([
      { name: "[Content_Types].xml", data: contentTypes },
      { name: "ppt/presentation.xml", data: "<p:presentation/>" },
    ]),
  odt: () =>
    zip([
      { name: "mimetype", data: "application/vnd.oasis.opendocument.text" },
      { name: "content.xml", data: "<office:document-content/>" },
    ]),
  ods: () =>
    zip([
      { name: "mimetype", data: "application/vnd.oasis.opendocument.spreadsheet" },
      { name: "content.xml", data: "<office:document-content/>" },
    ]),
  zip: () => zip([{ name: "drawings/part-1.txt", data: "part one" }]),
  dwg: () => concat("AC1032", new Uint8Array(200).fill(7)),
  dxf: () => concat("  0\r\nSECTION\r\n  2\r\nHEADER\r\n  0\r\nENDSEC\r\n  0\r\nEOF\r\n"),
  step: () =>
    concat(
      "ISO-10303-21;\nHEADER;\nFILE_DESCRIPTION(('part'),'2;1');\nENDSEC;\nDATA;\nENDSEC;\nEND-ISO-10303-21;\n",
    ),
  iges: () =>
    concat(
      `${"Part exported for quotation".padEnd(72)}S      1\n`,
      `${"1H,,1H;,4HPART,8Hpart.igs;".padEnd(72)}G      1\n`,
      `${"".padEnd(72)}T      1\n`,
    ),
  stl: () =>
    concat(
      "solid part\n facet normal 0 0 1\n  outer loop\n   vertex 0 0 0\n   vertex 1 0 0\n   vertex 0 1 0\n  endloop\n endfacet\nendsolid part\n",
    ),
  stlBinary: () =>
    stlBinary([
      // A unit square in the z = 0 plane, as two triangles facing up.
      [
        [0, 0, 1],
        [0, 0, 0],
        [10, 0, 0],
        [10, 10, 0],
      ],
      [
        [0, 0, 1],
        [0, 0, 0],
        [10, 10, 0],
        [0, 10, 0],
      ],
    ]),
  txt: () => concat("Dimensions: 120 x 80 mm\nMaterial: S235\nQuantity: 200\n"),
};

export type SampleKind = keyof typeof samples;

/** A Windows executable: "MZ", a DOS stub and a PE header. */
export function exe(): Uint8Array {
  const b = new Uint8Array(512);
  b.set(bin("MZ"), 0);
  b.set(le32(128), 60);
  b.set(bin("PE\0\0"), 128);
  return b;
}

/** A PDF of about `bytes` bytes (a real header and trailer around filler). */
export function pdfOfSize(bytes: number): Uint8Array {
  const head = samples.pdf();
  const out = new Uint8Array(bytes);
  out.set(head, 0);
  out.fill(0x20, head.length);
  return out;
}

type Vec = [number, number, number];

/** Binary STL: an 80-byte header, a count, then normal and three vertices per triangle. */
export function stlBinary(triangles: [Vec, Vec, Vec, Vec][], header = "binary stl"): Uint8Array {
  const b = new Uint8Array(84 + 50 * triangles.length);
  b.set(enc.encode(header).subarray(0, 80), 0);
  const view = new DataView(b.buffer);
  view.setUint32(80, triangles.length, true);
  triangles.forEach((t, i) => {
    t.flat().forEach((v, k) => view.setFloat32(84 + i * 50 + k * 4, v, true));
  });
  return b;
}

/** Text in UTF-16 with its byte-order mark, as Notepad's "Unicode" saves it. */
export function utf16(text: string, order: "le" | "be"): Uint8Array {
  const out = new Uint8Array(2 + text.length * 2);
  const view = new DataView(out.buffer);
  view.setUint16(0, 0xfeff, order === "le");
  for (let i = 0; i < text.length; i++)
    view.setUint16(2 + i * 2, text.charCodeAt(i), order === "le");
  return out;
}

/** `archive` with `hidden` (raw bytes, e.g. a local header and its data) put before its directory, which does not list it. */
export function withHiddenBeforeDirectory(archive: Uint8Array, hidden: Uint8Array): Uint8Array {
  const end = archive.length - 22;
  const view = new DataView(archive.buffer, archive.byteOffset, archive.byteLength);
  const offset = view.getUint32(end + 16, true);
  const out = concat(archive.subarray(0, offset), hidden, archive.subarray(offset));
  new DataView(out.buffer).setUint32(out.length - 22 + 16, offset + hidden.length, true);
  return out;
}

/** `archive` (of one entry) with its directory record listed twice: two entries sharing one local header. */
export function withOverlappingEntry(archive: Uint8Array): Uint8Array {
  const end = archive.length - 22;
  const view = new DataView(archive.buffer, archive.byteOffset, archive.byteLength);
  const size = view.getUint32(end + 12, true);
  const offset = view.getUint32(end + 16, true);
  const record = archive.subarray(offset, offset + size);
  const out = concat(archive.subarray(0, offset), record, record, archive.subarray(end));
  const v = new DataView(out.buffer);
  v.setUint16(out.length - 22 + 8, 2, true);
  v.setUint16(out.length - 22 + 10, 2, true);
  v.setUint32(out.length - 22 + 12, size * 2, true);
  return out;
}

/**
 * The archive the third review used to exhaust the worker's memory: one local
 * header at offset 0 with a `nameBytes` name and a Unicode Path extra of about
 * the same size, and a central directory of `entries` small records all
 * pointing at it (1,000 entries: 177 KB; 10,000: 591 KB).
 */
export function sharedLocalHeaderZip(entries: number, nameBytes = 0xffff): Uint8Array {
  const name = new Uint8Array(nameBytes).fill(0x61);
  const unicode = new Uint8Array(0xffff - 9).fill(0x62);
  const extra = concat([0x75, 0x70], le16(5 + unicode.length), [1], le32(0), unicode);
  const local = concat(
    [0x50, 0x4b, 3, 4, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    le32(0),
    le32(0),
    le32(0),
    le16(name.length),
    le16(extra.length),
    name,
    extra,
  );
  const record = (i: number) => {
    const n = enc.encode(`f${i}`);
    return concat(
      [0x50, 0x4b, 1, 2, 20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0],
      le32(0),
      le32(0),
      le32(0),
      le16(n.length),
      le16(0),
      [0, 0, 0, 0, 0, 0],
      le32(0),
      le32(0),
      n,
    );
  };
  const central = concat(...Array.from({ length: entries }, (_, i) => record(i)));
  const end = concat(
    [0x50, 0x4b, 5, 6, 0, 0, 0, 0],
    le16(entries),
    le16(entries),
    le32(central.length),
    le32(local.length),
    [0, 0],
  );
  return concat(local, central, end);
}
