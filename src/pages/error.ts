import type { ErrorCode, FieldError } from "../domain/errors.ts";
import type { Lang } from "../i18n/lang.ts";
import { BUILTIN_FIELDS, labelOf } from "../domain/fields.ts";
import type { FormDefinition } from "../domain/form.ts";
import { ERROR_MESSAGES, fieldErrorMessage } from "../i18n/messages.ts";
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
 * what was typed. `form`: the configured form (its fields' labels, the
 * company's name); null when the configuration could not be read.
 */
export function errorPage(
  lang: Lang,
  code: ErrorCode,
  fields: readonly FieldError[],
  back: BackLink | null,
  form: FormDefinition | null = null,
): SafeHtml {
  const table = form?.fields ?? BUILTIN_FIELDS;
  const items = fields.map(
    (f) =>
      html`<li>
        <strong>${labelOf(table, f.field, lang)}:</strong> ${fieldErrorMessage(f, lang)}
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
    "",
    form?.company ?? null,
  );
}

/** The page a browser gets for an unknown path. */
export function notFoundPage(lang: Lang, company: string | null = null): SafeHtml {
  return layout(
    lang,
    ERROR_MESSAGES.not_found[lang],
    html`<h1>${ERROR_MESSAGES.not_found[lang]}</h1>
      <p><a href="/?lang=${lang}">${T.back[lang]}</a></p>`,
    "",
    company,
  );
}
