import type { Lang } from "../i18n/lang.ts";
import { PAGE_TEXTS as T } from "../i18n/page-texts.ts";
import { html, type SafeHtml } from "./html.ts";
import { layout } from "./layout.ts";

/** GET /thanks: where a no-JavaScript post lands when no REDIRECT_URL is set. */
export function thanksPage(lang: Lang, company: string | null = null): SafeHtml {
  return layout(
    lang,
    T.thanksTitle[lang],
    html`<h1>${T.thanksTitle[lang]}</h1>
      <p>${T.thanksBody[lang]}</p>
      <p><a href="/?lang=${lang}">${T.back[lang]}</a></p>`,
    "",
    company,
  );
}
