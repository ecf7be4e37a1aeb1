/**
 * What a visitor's pasted text needs before any field rule looks at it, used
 * by every text field of the form, the JSON path and the operator's
 * rectification alike (they all go through `inquirySchema`), and by the file
 * name's clean-up.
 *
 * - Unicode NFC (UAX #15), so "č" typed or pasted as c + U+030C is one letter.
 * - Invisible direction and format marks removed: U+200E/F and U+061C
 *   (direction marks), U+202A–202E and U+2066–2069 (embeddings, overrides,
 *   isolates), U+200B (zero-width space), U+2060–2064 (word joiner, invisible
 *   operators), U+FEFF (byte-order mark), U+00AD (soft hyphen), U+180E.
 *   A phone app wraps a number in U+202D…U+202C; a word processor leaves
 *   soft hyphens; none of them is something the visitor sees or meant.
 * - U+200C/U+200D (zero-width non-joiner/joiner) are kept only between two
 *   non-ASCII, non-space characters, where they do work: emoji sequences
 *   (👩‍🔬), Persian, Indic scripts. Next to ASCII, a space or an end of the
 *   text they join nothing and are removed (so "041\u200D123" is a phone).
 * - Space characters (U+00A0, U+1680, U+2000–200A, U+202F, U+205F, U+3000)
 *   read as " "; in one-line fields a tab too.
 * - Dashes (U+2010–2015, U+2212, U+2E3A/B, U+FE58, U+FE63, U+FF0D) read as "-".
 * - In the message only: CRLF, CR, VT, FF, NEL, U+2028 and U+2029 become "\n".
 *
 * CR and LF in a one-line field are left in place on purpose: the field rule
 * refuses them (`invalid_characters`), so no header can be broken and the
 * visitor is told, rather than two lines silently becoming one.
 */
export type TextShape = "line" | "multiline";

const REMOVED = new Set([
  0x00ad, 0x061c, 0x180e, 0x200b, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2060,
  0x2061, 0x2062, 0x2063, 0x2064, 0x2066, 0x2067, 0x2068, 0x2069, 0xfeff,
]);
const JOINERS = new Set([0x200c, 0x200d]);
const SPACES = new Set([
  0x00a0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009,
  0x200a, 0x202f, 0x205f, 0x3000,
]);
const DASHES = new Set([
  0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212, 0x2e3a, 0x2e3b, 0xfe58, 0xfe63, 0xff0d,
]);
// VT, FF, NEL, LINE SEPARATOR, PARAGRAPH SEPARATOR (CR is handled with LF).
const LINE_BREAKS = new Set([0x0b, 0x0c, 0x85, 0x2028, 0x2029]);

const PLAIN = /^[\x20-\x7e\n]*$/;

/** A character a joiner can sit beside and still do something: not ASCII, not a space, not a mark we drop. */
function joinable(cp: number | undefined): boolean {
  if (cp === undefined || cp < 0x80) return false;
  return !REMOVED.has(cp) && !SPACES.has(cp) && !LINE_BREAKS.has(cp) && !JOINERS.has(cp);
}

/**
 * Returns `text` normalised as described above; linear in its length.
 * `shape` says whether the field keeps line breaks (`message`) or is one line.
 */
export function normalizeText(text: string, shape: TextShape): string {
  // Printable ASCII and LF: nothing to do, the common case.
  if (PLAIN.test(text)) return text;
  const cps = Array.from(text.normalize("NFC"), (c) => c.codePointAt(0)!);
  let out = "";
  for (let i = 0; i < cps.length; i++) {
    const cp = cps[i]!;
    if (REMOVED.has(cp)) continue;
    if (JOINERS.has(cp)) {
      if (joinable(cps[i - 1]) && joinable(cps[i + 1])) out += String.fromCodePoint(cp);
      continue;
    }
    if (SPACES.has(cp) || (cp === 0x09 && shape === "line")) out += " ";
    else if (DASHES.has(cp)) out += "-";
    else if (shape === "multiline" && cp === 0x0d) {
      out += "\n";
      if (cps[i + 1] === 0x0a) i++;
    } else if (shape === "multiline" && LINE_BREAKS.has(cp)) out += "\n";
    else out += String.fromCodePoint(cp);
  }
  return out;
}
