import type { Config } from "../config/config.ts";
import type { Lang } from "../i18n/lang.ts";
import type { ErrorCode, FieldError } from "../domain/errors.ts";
import { labelOf, type FieldDef, type Option } from "../domain/fields.ts";
import { formatBytes, kindNames } from "../domain/file-kinds.ts";
import { ERROR_MESSAGES, fieldErrorMessage } from "../i18n/messages.ts";
import { PAGE_TEXTS as T, privacyNotice } from "../i18n/page-texts.ts";
import { html, type SafeHtml } from "./html.ts";
import { layout } from "./layout.ts";

/** What a visitor typed into the reference form, for showing it again: text only, never the file. */
export interface TypedValues {
  values: Partial<Record<string, string>>;
  /** A file was chosen: a browser cannot be handed it back, so the visitor is asked to choose it again. */
  fileSent: boolean;
}

/** A refused post shown on the form itself: what was typed and why it was refused. */
export interface FormState {
  typed: TypedValues;
  error: { code: ErrorCode; fields: readonly FieldError[] };
}

/**
 * GET /: the reference form; works without JavaScript, `form.js` enhances it.
 * With `state`, the same form after a refused no-JavaScript post: every typed
 * value back in its field (escaped), each field's error beside it and linked
 * by `aria-describedby`/`aria-invalid`, and an error summary that takes focus
 * (`autofocus`, `role="alert"`) and links to each field.
 */
export function formPage(
  config: Config,
  lang: Lang,
  state?: FormState,
  /** The render-time token (src/spam/render-token.ts); only on a freshly served form. */
  renderToken?: string,
): SafeHtml {
  const other: Lang = lang === "sl" ? "en" : "sl";
  const { form } = config;
  const value = (name: string) => state?.typed.values[name] ?? "";
  const errors = new Map((state?.error.fields ?? []).map((f) => [f.field, f] as const));
  const errorText = (name: string) => {
    const f = errors.get(name);
    if (f) return fieldErrorMessage(f, lang);
    if (name === "attachment" && state?.typed.fileSent) return T.chooseFileAgain[lang];
    return null;
  };
  const errorMessage = (name: string) => {
    const text = errorText(name);
    return text === null
      ? html`<p class="field-error" id="err-${name}" hidden></p>`
      : html`<p class="field-error" id="err-${name}">${text}</p>`;
  };
  // The file's row is shown only where files are taken at all.
  const shown = form.fields.filter((f) => f.type !== "file" || config.maxAttachmentBytes > 0);
  const onForm = new Set(shown.map((f) => f.name));
  const summary = state
    ? html`<div class="error-summary" id="error-summary" role="alert" tabindex="-1" autofocus>
        <h2>${ERROR_MESSAGES[state.error.code][lang]}</h2>
        ${
          state.error.fields.length
            ? html`<ul>
                ${state.error.fields.map((f) => {
                  const text = `${labelOf(form.fields, f.field, lang)}: ${fieldErrorMessage(f, lang)}`;
                  return onForm.has(f.field)
                    ? html`<li><a href="#f-${f.field}">${text}</a></li>`
                    : html`<li>${text}</li>`;
                })}
              </ul>`
            : ""
        }
      </div>`
    : "";
  const control = (f: FieldDef) => fieldControl(f, lang, value(f.name), errors.has(f.name), config);

  const body = html`<p class="lang">
      <a href="/?lang=${other}" hreflang="${other}" lang="${other}">${T.other[lang]}</a>
    </p>
    <h1>${T.title[lang]}</h1>
    <p>${T.intro[lang]}</p>
    ${summary}
    <div id="form-status" role="status" aria-live="polite" tabindex="-1" hidden></div>
    <form
      id="inquiry-form"
      method="post"
      action="/inquiry"
      enctype="multipart/form-data"
      novalidate
      data-network-error="${T.unconfirmed[lang]}"
      data-sending="${T.sending[lang]}"
      data-thanks="${T.thanksTitle[lang]}. ${T.thanksBody[lang]}"
    >
      <input type="hidden" name="_lang" value="${lang}" />
      <input type="hidden" name="_submission" value="${crypto.randomUUID()}" />
      ${renderToken ? html`<input type="hidden" name="_t" value="${renderToken}" />` : ""}
      ${shown.map((f) => {
        const hint = hintOf(f, lang, config);
        const text = `${f.label[lang]}${f.required ? " *" : ""}`;
        const label = html`<label for="f-${f.name}">${text}</label>`;
        // A checkbox reads best with its label after the box (WCAG 2.2 technique H44).
        return f.type === "checkbox"
          ? html`<div class="field check">${control(f)} ${label} ${errorMessage(f.name)}</div>`
          : html`<div class="field">
              ${label} ${hint ? html`<p class="hint" id="hint-${f.name}">${hint}</p>` : ""}
              ${control(f)} ${errorMessage(f.name)}
            </div>`;
      })}
      <div class="hp" aria-hidden="true">
        <label>${T.honeypot[lang]} <input name="_gotcha" tabindex="-1" autocomplete="off" /></label>
      </div>
      ${
        config.turnstileSiteKey
          ? html`<div
                class="cf-turnstile"
                data-sitekey="${config.turnstileSiteKey}"
                data-language="${lang}"
              ></div>
              ${errorMessage("cf-turnstile-response")}`
          : ""
      }
      <p class="privacy">
        ${privacyNotice(lang, config.retentionMonths)}
        ${form.privacyUrl ? html`<a href="${form.privacyUrl}">${T.privacyLink[lang]}</a>` : ""}
      </p>
      <button type="submit">${T.send[lang]}</button>
    </form>`;
  const scripts = html`<script src="/assets/form.js" defer></script>
    ${
      config.turnstileSiteKey
        ? html`<script
            src="https://challenges.cloudflare.com/turnstile/v0/api.js"
            async
            defer
          ></script>`
        : ""
    }`;
  const title = state ? `${T.errorPrefix[lang]}: ${T.title[lang]}` : T.title[lang];
  return layout(lang, title, body, scripts, form.company);
}

/** The hint under a field's label: what a file may be; a number's range. */
function hintOf(f: FieldDef, lang: Lang, config: Config): string | null {
  if (f.type === "file")
    return T.attachmentHint[lang]
      .replace("{max}", formatBytes(config.maxAttachmentBytes))
      .replace("{types}", kindNames(config.attachmentTypes));
  return null;
}

/**
 * One field's control, from its row: the HTML input type, `autocomplete`
 * token and length limits the validator enforces, so the two cannot drift.
 * `typed` is what the visitor sent (shown again after a refused post);
 * every value is escaped by `html`.
 */
function fieldControl(
  f: FieldDef,
  lang: Lang,
  typed: string,
  invalid: boolean,
  config: Config,
): SafeHtml {
  const id = `f-${f.name}`;
  const describedBy = `err-${f.name}${hintOf(f, lang, config) ? ` hint-${f.name}` : ""}`;
  const common = html`id="${id}" name="${f.name}"
  aria-describedby="${describedBy}"${f.required ? html` required` : ""}${invalid ? html` aria-invalid="true"` : ""}${f.autocomplete ? html` autocomplete="${f.autocomplete}"` : ""}`;
  const lengths = html`${f.min ? html` minlength="${f.min}"` : ""}${f.max !== undefined ? html` maxlength="${f.max}"` : ""}`;
  switch (f.type) {
    case "textarea":
      return html`<textarea ${common}${lengths} rows="${f.builtin ? 8 : 4}">${typed}</textarea>`;
    case "service":
    case "choice": {
      const options: readonly Option[] =
        f.type === "service" ? config.form.services : (f.options ?? []);
      const chosen = chosenOption(options, typed);
      return html`<select ${common}>
        <option value="">${f.type === "service" ? T.choose[lang] : T.chooseOption[lang]}</option>
        ${options.map((o) => {
          const label = o.label[lang];
          // A plain option's id is its label: no value attribute needed.
          const valueAttr = o.id === label ? "" : html` value="${o.id}"`;
          return o.id === chosen
            ? html`<option${valueAttr} selected>${label}</option>`
            : html`<option${valueAttr}>${label}</option>`;
        })}
      </select>`;
    }
    case "checkbox":
      return html`<input
        type="checkbox"
        ${common}${typed !== "" && typed !== "off" ? html` checked` : ""}
      />`;
    case "file": {
      const accept = config.attachmentTypes
        .flatMap((k) => k.extensions.map((e) => `.${e}`))
        .join(",");
      return html`<input ${common} type="file" accept="${accept}" />`;
    }
    case "number":
      return html`<input ${common} type="text" inputmode="decimal" value="${typed}" />`;
    case "date":
      return html`<input ${common} type="date" value="${typed}" />`;
    case "email":
      return html`<input ${common} type="email" ${lengths} value="${typed}" />`;
    case "phone":
      return html`<input ${common} type="tel" ${lengths} value="${typed}" />`;
    case "text":
      return html`<input ${common}${lengths} value="${typed}" />`;
  }
}

/** Which option a typed value names: its id or a label in either language. */
function chosenOption(options: readonly Option[], typed: string): string | null {
  const t = typed.trim();
  if (t === "") return null;
  return options.find((o) => o.id === t || o.label.sl === t || o.label.en === t)?.id ?? null;
}
