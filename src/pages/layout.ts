import type { Lang } from "../i18n/lang.ts";
import { html, type SafeHtml } from "./html.ts";

/** The frame of every page: our own stylesheet, scripts only by `src` (the CSP forbids inline code). */
export function layout(
  lang: Lang,
  title: string,
  body: SafeHtml,
  scripts: SafeHtml | string = "",
): SafeHtml {
  return html`<!doctype html>
    <html lang="${lang}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="strict-origin-when-cross-origin" />
        <title>${title}</title>
        <link rel="stylesheet" href="/assets/form.css" />
        ${scripts}
      </head>
      <body>
        <main>${body}</main>
      </body>
    </html>`;
}
