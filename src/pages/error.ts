import type { ErrorCode, FieldError } from "../http/errors.ts";
import type { Lang } from "../i18n/lang.ts";
import { ERROR_MESSAGES, FIELD_LABELS, fieldErrorMessage } from "../i18n/messages.ts";
import { PAGE_TEXTS as T } from "../i18n/page-texts.ts";
import { html, type SafeHtml } from "./html.ts";
import { layout } from "./layout.ts";

/** Where an error page's "back" link goes; `toForm`: the link is known to be the form's page. */
export interface BackLink {
  href: string;
  toForm: boolean;
}

/**
 * The page a browser's form navigation gets for a refusal, listing each field's
 * error, with a link back (to the form, or only to the website when that is all
 * that is known) and the advice to use the browser's Back button, which keeps
 * what was typed.
 */
export function errorPage(
  lang: Lang,
  code: ErrorCode,
  fields: readonly FieldError[],
  back: BackLink | null,
): SafeHtml {
  const items = fields.map(
    (f) =>
      html`<li>
        <strong>${FIELD_LABELS[f.field]?.[lang] ?? f.field}:</strong> ${fieldErrorMessage(f, lang)}
      </li>`,
  );
  return layout(
    lang,
    T.errorTitle[lang],
    html`<h1>${T.errorTitle[lang]}</h1>
      <p role="alert">${ERROR_MESSAGES[code][lang]}</p>
      ${
        items.length
          ? html`<ul class="errors">
              ${items}
            </ul>`
          : ""
      }
      ${back === null ? "" : html`<p><a href="${back.href}">${(back.toForm ? T.back : T.backToSite)[lang]}</a></p>`}
      <p class="hint">${T.backHint[lang]}</p>`,
  );
}

/** The page a browser gets for an unknown path. */
export function notFoundPage(lang: Lang): SafeHtml {
  return layout(
    lang,
    ERROR_MESSAGES.not_found[lang],
    html`<h1>${ERROR_MESSAGES.not_found[lang]}</h1>
      <p><a href="/?lang=${lang}">${T.back[lang]}</a></p>`,
  );
}
