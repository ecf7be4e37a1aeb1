import { isLang, type Lang } from "../domain/lang.ts";

export { isLang, LANGS, type Lang } from "../domain/lang.ts";

/**
 * The visitor's language: an explicit choice (`_lang`, `?lang=`) wins, then the
 * best `Accept-Language` match by q-value, then the configured default.
 */
export function pickLang(explicit: unknown, acceptLanguage: string | null, fallback: Lang): Lang {
  if (isLang(explicit)) return explicit;
  if (acceptLanguage) {
    let best: Lang | null = null;
    let bestQ = 0;
    for (const part of acceptLanguage.slice(0, 512).split(",")) {
      const [tag = "", ...params] = part.trim().toLowerCase().split(";");
      const primary = tag.split("-")[0];
      if (!isLang(primary)) continue;
      const qParam = params.find((p) => p.trim().startsWith("q="));
      const q = qParam ? Number(qParam.trim().slice(2)) : 1;
      if (Number.isFinite(q) && q > bestQ) {
        best = primary;
        bestQ = q;
      }
    }
    if (best) return best;
  }
  return fallback;
}
