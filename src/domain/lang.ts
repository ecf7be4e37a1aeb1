/** The languages the worker speaks to visitors, staff and operators (`_lang`, `DEFAULT_LANG`). */
export const LANGS = ["sl", "en"] as const;
export type Lang = (typeof LANGS)[number];

export function isLang(value: unknown): value is Lang {
  return value === "sl" || value === "en";
}
