import type { Config } from "../config/config.ts";
import type { Lang } from "../i18n/lang.ts";
import type { AppError } from "../http/errors.ts";
import { ERROR_MESSAGES, FIELD_LABELS, fieldErrorMessage } from "../i18n/messages.ts";
import { PAGE_TEXTS as T, privacyNotice } from "../i18n/page-texts.ts";
import { formatBytes } from "../inquiry/attachment.ts";
import { kindNames } from "../inquiry/file-type.ts";
import { FIELD_LIMITS as L } from "../inquiry/limits.ts";
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
  error: AppError;
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
  const label = (field: string) => FIELD_LABELS[field]![lang];
  const value = (name: string) => state?.typed.values[name] ?? "";
  const errors = new Map((state?.error.fields ?? []).map((f) => [f.field, f] as const));
  const errorText = (name: string) => {
    const f = errors.get(name);
    if (f) return fieldErrorMessage(f, lang);
    if (name === "attachment" && state?.typed.fileSent) return T.chooseFileAgain[lang];
    return null;
  };
  const invalid = (name: string) => (errors.has(name) ? html` aria-invalid="true"` : "");
  const types = kindNames(config.attachmentTypes);
  const accept = config.attachmentTypes.flatMap((k) => k.extensions.map((e) => `.${e}`)).join(",");
  const field = (name: string, input: SafeHtml, required: boolean, hint?: string): SafeHtml =>
    html`<div class="field">
      <label for="f-${name}">${label(name)}${required ? " *" : ""}</label>
      ${hint ? html`<p class="hint" id="hint-${name}">${hint}</p>` : ""} ${input}
      ${errorMessage(name)}
    </div>`;
  const errorMessage = (name: string) => {
    const text = errorText(name);
    return text === null
      ? html`<p class="field-error" id="err-${name}" hidden></p>`
      : html`<p class="field-error" id="err-${name}">${text}</p>`;
  };
  const onForm = new Set(["name", "email", "phone", "company", "service", "message"]);
  if (config.maxAttachmentBytes > 0) onForm.add("attachment");
  const summary = state
    ? html`<div class="error-summary" id="error-summary" role="alert" tabindex="-1" autofocus>
        <h2>${ERROR_MESSAGES[state.error.code][lang]}</h2>
        ${
          state.error.fields.length
            ? html`<ul>
                ${state.error.fields.map((f) => {
                  const text = `${FIELD_LABELS[f.field]?.[lang] ?? f.field}: ${fieldErrorMessage(f, lang)}`;
                  return onForm.has(f.field)
                    ? html`<li><a href="#f-${f.field}">${text}</a></li>`
                    : html`<li>${text}</li>`;
                })}
              </ul>`
            : ""
        }
      </div>`
    : "";
  const described = (name: string, hint = false) => `err-${name}${hint ? ` hint-${name}` : ""}`;

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
      ${field("name", html`<input id="f-name" name="name" required minlength="${L.name.min}" maxlength="${L.name.max}" autocomplete="name" aria-describedby="${described("name")}" value="${value("name")}" ${invalid("name")} />`, true)}
      ${field("email", html`<input id="f-email" name="email" type="email" required maxlength="${L.email.max}" autocomplete="email" aria-describedby="${described("email")}" value="${value("email")}" ${invalid("email")} />`, true)}
      ${field("phone", html`<input id="f-phone" name="phone" type="tel" maxlength="${L.phone.max}" autocomplete="tel" aria-describedby="${described("phone")}" value="${value("phone")}" ${invalid("phone")} />`, false)}
      ${field("company", html`<input id="f-company" name="company" maxlength="${L.company.max}" autocomplete="organization" aria-describedby="${described("company")}" value="${value("company")}" ${invalid("company")} />`, false)}
      ${field(
        "service",
        html`<select
          id="f-service"
          name="service"
          required
          aria-describedby="${described("service")}"
          ${invalid("service")}
        >
          <option value="">${T.choose[lang]}</option>
          ${config.services.map((s) =>
            s === value("service")
              ? html`<option selected>${s}</option>`
              : html`<option>${s}</option>`,
          )}
        </select>`,
        true,
      )}
      ${field("message", html`<textarea id="f-message" name="message" required maxlength="${L.message.max}" rows="8" aria-describedby="${described("message")}" ${invalid("message")}>${value("message")}</textarea>`, true)}
      ${
        config.maxAttachmentBytes > 0
          ? field(
              "attachment",
              html`<input
                id="f-attachment"
                name="attachment"
                type="file"
                accept="${accept}"
                aria-describedby="${described("attachment", true)}"
                ${invalid("attachment")}
              />`,
              false,
              T.attachmentHint[lang]
                .replace("{max}", formatBytes(config.maxAttachmentBytes))
                .replace("{types}", types),
            )
          : ""
      }
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
      <p class="privacy">${privacyNotice(lang, config.retentionMonths)}</p>
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
  return layout(lang, title, body, scripts);
}
