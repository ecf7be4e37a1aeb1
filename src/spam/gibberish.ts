/**
 * Keyboard mashing and bot-generated strings, measured the same way in every
 * alphabetic language: German compounds (Längsschnitt: 7 consonants in a row),
 * Hungarian, Finnish, Slovene and Croatian words (prst, vrh, čtvrt) and
 * Cyrillic or Greek text all stay far below the limits here.
 */

/**
 * Vowels (and y/й, which carry syllables) of the Latin, Cyrillic and Greek
 * alphabets, without diacritics: a letter is compared after NFD with its marks
 * removed, so ä, ő, č and ё are read as a, o, c and е.
 */
const VOWELS = new Set("aeiouy" + "аеиоуыэюяіїєй" + "αεηιουω");
const ALPHABETIC_RE = /[\p{Script=Latin}\p{Script=Cyrillic}\p{Script=Greek}]/u;
const MARKS_RE = /\p{M}/gu;

/**
 * Consonants in a row that no language of the region writes: German peaks at
 * 8 (Angstschweiß), Czech's tongue-twister čtvrthrst at 9.
 */
export const MAX_CONSONANT_RUN = 9;

/**
 * Whether a lower-cased word (letters only) holds a run of more than
 * MAX_CONSONANT_RUN consonants of an alphabetic script. Letters of other
 * scripts (CJK, Arabic, Hebrew, …) break a run: no vowel measure applies to them.
 */
export function hasImpossibleRun(word: string): boolean {
  if (word.length <= MAX_CONSONANT_RUN) return false;
  let run = 0;
  for (const ch of word.normalize("NFD").replace(MARKS_RE, "")) {
    if (!ALPHABETIC_RE.test(ch) || VOWELS.has(ch)) run = 0;
    else if (++run > MAX_CONSONANT_RUN) return true;
  }
  return false;
}

/**
 * One word of 6–40 letters whose case flips at least twice after its first
 * letter and does not read as camel case (`wfNvujbYnm`, `gnqtlBifU`,
 * `xKjdhUeYbQ`): generated, not typed. Camel case — every capital after the
 * first part starting a run of at least four letters, one capital each, as in MacKenzie,
 * McDonald, DeAngelo, PriceList — is how people write names and products.
 */
export function isRandomToken(text: string): boolean {
  const t = text.trim();
  if (t.length < 6 || t.length > 40 || !/^\p{L}+$/u.test(t)) return false;
  let flips = 0;
  let prevUpper: boolean | null = null;
  /** Letters since the last capital that followed a small letter (-1: still in the first part). */
  let part = -1;
  let shortPart = false;
  for (const ch of t) {
    const upper = ch !== ch.toLowerCase();
    if (prevUpper !== null && upper !== prevUpper) flips++;
    if (upper && prevUpper === false) {
      if (part >= 0 && part < CAMEL_PART) shortPart = true;
      part = 1;
    } else if (part >= 0) {
      // Two capitals in a row inside a word (`EDvz`) are no camel case either.
      if (upper && prevUpper) shortPart = true;
      part++;
    }
    prevUpper = upper;
  }
  if (part >= 0 && part < CAMEL_PART) shortPart = true;
  return flips >= 2 && shortPart;
}

/** Letters a camel-case part after the first has at least (Kenzie, Donald, List, Phone). */
const CAMEL_PART = 4;
