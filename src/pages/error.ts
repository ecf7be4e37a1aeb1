import type { ErrorCode, FieldError } from "../http/errors.ts";
import type { Lang } from "../i18n/lang.ts";
import { ERROR_MESSAGES, FIELD_LABELS, fieldErrorMessage } from "../i18n/messages.ts";
import { PAGE_TEXTS as T } from "../i18n/page-texts.ts";
import { html, type SafeHtml } from "./html.ts";
import { layout } from "./layout.ts";

/** The page a browser's form navigation gets for a refusal, listing each field's error. */
export function errorPage(
  lang: Lang,
  code: ErrorCode,
  fields: readonly FieldError[],
  backUrl: string | null,
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
      ${backUrl === null ? "" : html`<p><a href="${backUrl}">${T.back[lang]}</a></p>`}
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
