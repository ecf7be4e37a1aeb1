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

/** A size as the form's hint and the staff mail state it: "10 MB", "512 KB", "80 B" (1 KB = 1024 B). */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${+(n / (1024 * 1024)).toFixed(1)} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} B`;
}
