import type { Lang } from "../i18n/lang.ts";
import { html, type SafeHtml } from "./html.ts";

/**
 * The frame of every page: our own stylesheet, scripts only by `src` (the CSP
 * forbids inline code). With `company` (the form definition's), its name
 * heads the page and ends the title, so a visitor sees whose form it is.
 */
export function layout(
  lang: Lang,
  title: string,
  body: SafeHtml,
  scripts: SafeHtml | string = "",
  company: string | null = null,
): SafeHtml {
  return html`<!doctype html>
    <html lang="${lang}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="strict-origin-when-cross-origin" />
        <title>${company ? `${title} – ${company}` : title}</title>
        <link rel="stylesheet" href="/assets/form.css" />
        ${scripts}
      </head>
      <body>
        ${company ? html`<header><p class="company">${company}</p></header>` : ""}
        <main>${body}</main>
      </body>
    </html>`;
}
