import type { FieldError, FieldErrorCode } from "../domain/errors.ts";
import { formatBytes, kindNames, type FileKind } from "../domain/file-kinds.ts";
import { inspectFileKind, type Detection, type Refusal } from "./file-type.ts";
import { safeFilename } from "./filename.ts";

export interface Attachment {
  bytes: Uint8Array;
  filename: string;
  kind: FileKind;
  sha256: string;
}

export type AttachmentResult =
  { ok: true; attachment: Attachment | null } | { ok: false; error: FieldError };

/**
 * The values sent as `attachment`: none, one empty file input, or one real
 * file. A real file must be at most `maxBytes` and its content (see
 * `inspectFileKind`) one of `allowed`; it is stored under `safeFilename`.
 * Errors: `too_many_files`, `invalid_value` (not a file), `file_empty`,
 * `file_too_large`, `file_type_not_allowed`, or the code naming why a file
 * of an allowed kind is still refused (`file_has_macros`, …).
 */
export async function checkAttachment(
  values: readonly unknown[] | undefined,
  allowed: readonly FileKind[],
  maxBytes: number,
): Promise<AttachmentResult> {
  const field = "attachment";
  // An empty file input arrives as a nameless empty file; some clients send "".
  const sent = (values ?? []).filter(
    (v) => !(v === "" || (v instanceof File && v.size === 0 && v.name === "")),
  );
  if (sent.length === 0) return { ok: true, attachment: null };
  if (sent.length > 1) return { ok: false, error: { field, code: "too_many_files" } };
  const file = sent[0];
  if (!(file instanceof File)) return { ok: false, error: { field, code: "invalid_value" } };
  if (file.size === 0) return { ok: false, error: { field, code: "file_empty" } };
  if (file.size > maxBytes) {
    return {
      ok: false,
      error: { field, code: "file_too_large", params: { limit: formatBytes(maxBytes) } },
    };
  }
  const bytes = new Uint8Array(await file.arrayBuffer());
  const detected = await inspectFileKind(bytes);
  if (!detected.ok) return { ok: false, error: refusalError(detected, allowed) };
  if (!allowed.includes(detected.kind)) {
    return {
      ok: false,
      error: { field, code: "file_type_not_allowed", params: { limit: kindNames(allowed) } },
    };
  }
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return {
    ok: true,
    attachment: {
      bytes,
      kind: detected.kind,
      filename: safeFilename(file.name, detected.kind),
      sha256: [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join(""),
    },
  };
}

/** Codes that tell the visitor what to change; `unknown` has nothing more to say than the list. */
const REFUSAL_CODES: Record<Refusal, FieldErrorCode> = {
  unknown: "file_type_not_allowed",
  text_encoding: "file_text_encoding",
  hidden_content: "file_hidden_content",
  macros: "file_has_macros",
  archive_program: "file_archive_program",
  archive_unreadable: "file_archive_unreadable",
};

/**
 * A refusal says why only when the file would otherwise be welcome: telling
 * someone to save a text as UTF-8 is no help where text files are not taken.
 */
function refusalError(
  detected: Detection & { ok: false },
  allowed: readonly FileKind[],
): FieldError {
  const limit = kindNames(allowed);
  const welcome = detected.as !== undefined && allowed.includes(detected.as);
  const code = welcome ? REFUSAL_CODES[detected.reason] : "file_type_not_allowed";
  return { field: "attachment", code, params: { limit } };
}
