import type { FileKind } from "../domain/file-kinds.ts";
import { normalizeText } from "./normalize.ts";
import { extensionOf, runnableKind } from "./runnable-names.ts";

// Control characters, bidi overrides/isolates (which make "gpj.exe" read as
// "exe.jpg"), zero-width characters and the characters Windows forbids.
const UNSAFE = /[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff<>:"/\\|?*]/g;
/**
 * Windows device names, which open the device instead of a file whatever
 * extension follows ("CON.pdf", "con .pdf"): Microsoft's "Naming Files,
 * Paths, and Namespaces" lists CON, PRN, AUX, NUL, COM0-9 and LPT0-9 with
 * the superscript digits ¹ ² ³; CONIN$, CONOUT$ and CLOCK$ are devices too.
 */
const WINDOWS_DEVICE =
  /^(?:con|prn|aux|nul|(?:com|lpt)[0-9\u00b9\u00b2\u00b3]|conin\$|conout\$|clock\$)$/i;
const MAX_LENGTH = 100;
const MAX_INPUT = 1024;

/**
 * A file name that is safe to store, to put in a mail header and to save on
 * the staff's disk, whose extension matches what the content really is.
 */
export function safeFilename(original: string, kind: FileKind): string {
  // No file system keeps more than 255 characters; a longer "name" is cut
  // before any pattern runs over it.
  const lastSegment = (original.split(/[/\\]/).pop() ?? "").slice(0, MAX_INPUT);
  // Hidden marks first become a visible "_" (a name is not prose: the staff
  // should see that something was there), then NFC and plain spaces and dashes.
  const name = normalizeText(lastSegment.replace(UNSAFE, "_"), "line")
    .replace(/\s+/g, " ")
    .replace(/^[.\s_]+|(?<![.\s])[.\s]+$/g, "");

  const dot = name.lastIndexOf(".");
  let stem = dot > 0 ? name.slice(0, dot) : name;
  const ext = dot > 0 ? name.slice(dot + 1).toLowerCase() : "";
  let finalExt = kind.extensions.includes(ext) ? ext : kind.extensions[0]!;
  // "photo.png.lnk" holding a PNG is "photo.png", not "photo.png.png".
  if (ext !== finalExt && kind.extensions.includes(extensionOf(stem))) {
    finalExt = extensionOf(stem);
    stem = stem.slice(0, stem.lastIndexOf("."));
  }
  // "setup.exe.pdf" shows as "setup.exe" where Windows hides known extensions.
  let end = stem.length;
  while (end > 0 && (stem[end - 1] === "." || stem[end - 1] === " ")) end--;
  stem = stem.slice(0, end);
  while (extensionOf(stem) !== "" && runnableKind(stem) === "program") {
    const dot = stem.lastIndexOf(".");
    stem = `${stem.slice(0, dot)}_${stem.slice(dot + 1)}`;
  }
  // Cut by code points so a surrogate pair is never split.
  stem = [...stem]
    .slice(0, MAX_LENGTH - finalExt.length - 1)
    .join("")
    .trimEnd();
  // Judged on the final name, after every trim: "CON .pdf" is saved as "CON.pdf".
  if (stem === "" || isWindowsDevice(stem)) stem = `attachment${stem ? `_${stem}` : ""}`;
  return `${stem}.${finalExt}`;
}

/** Whether Windows reads `stem` (the name before its extension) as a device. */
function isWindowsDevice(stem: string): boolean {
  // Windows reads the device name up to the first dot, without trailing spaces.
  const dot = stem.indexOf(".");
  return WINDOWS_DEVICE.test((dot === -1 ? stem : stem.slice(0, dot)).trimEnd());
}
