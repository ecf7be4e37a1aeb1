import type { Lang } from "./lang.ts";

/** A noun's form for each CLDR plural category a language uses; `other` always. */
type Forms = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };

/**
 * The nouns our messages count, in the case their sentence needs. Slovenian
 * has four forms after a number, chosen by its last two digits (CLDR plural
 * rules for `sl`: one 1, 101…; two 2, 102…; few 3–4, 103–104…; other the rest):
 * "vsaj 1 znak, 2 znaka, 3 znake, 5 znakov".
 */
export const NOUNS = {
  /** After "vsaj"/"največ" (accusative, genitive plural from 5 on). */
  characters: {
    sl: { one: "znak", two: "znaka", few: "znake", other: "znakov" },
    en: { one: "character", other: "characters" },
  },
  /** After "največ" (accusative, genitive plural from 5 on). */
  values: {
    sl: { one: "vrednost", two: "vrednosti", few: "vrednosti", other: "vrednosti" },
    en: { one: "value", other: "values" },
  },
  /** After "s … do" (instrumental). */
  digitsWith: {
    sl: { one: "števko", two: "števkama", few: "števkami", other: "števkami" },
    en: { one: "digit", other: "digits" },
  },
} satisfies Record<string, Record<Lang, Forms>>;

export type Noun = keyof typeof NOUNS;

const rules = new Map<Lang, Intl.PluralRules>();

/** "2 znaka", "5 characters": the number and the noun's form for it (Intl.PluralRules). */
export function countOf(n: number, noun: Noun, lang: Lang): string {
  let r = rules.get(lang);
  if (!r) rules.set(lang, (r = new Intl.PluralRules(lang)));
  const forms: Forms = NOUNS[noun][lang];
  return `${n} ${forms[r.select(n)] ?? forms.other}`;
}

export function isNoun(name: string): name is Noun {
  return Object.hasOwn(NOUNS, name);
}
