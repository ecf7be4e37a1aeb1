import type { Config } from "../config/config.ts";
import type { Lang } from "../i18n/lang.ts";
import { FIELD_LABELS } from "../i18n/messages.ts";
import { PAGE_TEXTS as T, privacyNotice } from "../i18n/page-texts.ts";
import { formatBytes } from "../inquiry/attachment.ts";
import { kindNames } from "../inquiry/file-type.ts";
import { FIELD_LIMITS as L } from "../inquiry/limits.ts";
import { html, type SafeHtml } from "./html.ts";
import { layout } from "./layout.ts";

/** GET /: the reference form; works without JavaScript, `form.js` enhances it. */
export function formPage(config: Config, lang: Lang): SafeHtml {
  const other: Lang = lang === "sl" ? "en" : "sl";
  const label = (field: string) => FIELD_LABELS[field]![lang];
  const types = kindNames(config.attachmentTypes);
  const accept = config.attachmentTypes.flatMap((k) => k.extensions.map((e) => `.${e}`)).join(",");
  const field = (name: string, input: SafeHtml, required: boolean, hint?: string): SafeHtml =>
    html`<div class="field">
      <label for="f-${name}">${label(name)}${required ? " *" : ""}</label>
      ${hint ? html`<p class="hint" id="hint-${name}">${hint}</p>` : ""} ${input}
      <p class="field-error" id="err-${name}" hidden></p>
    </div>`;
  const described = (name: string, hint = false) => `err-${name}${hint ? ` hint-${name}` : ""}`;

  const body = html`<p class="lang">
      <a href="/?lang=${other}" hreflang="${other}" lang="${other}">${T.other[lang]}</a>
    </p>
    <h1>${T.title[lang]}</h1>
    <p>${T.intro[lang]}</p>
    <div id="form-status" role="status" aria-live="polite" tabindex="-1" hidden></div>
    <form
      id="inquiry-form"
      method="post"
      action="/inquiry"
      enctype="multipart/form-data"
      novalidate
      data-network-error="${T.networkError[lang]}"
      data-sending="${T.sending[lang]}"
      data-thanks="${T.thanksTitle[lang]}. ${T.thanksBody[lang]}"
    >
      <input type="hidden" name="_lang" value="${lang}" />
      ${field("name", html`<input id="f-name" name="name" required minlength="${L.name.min}" maxlength="${L.name.max}" autocomplete="name" aria-describedby="${described("name")}" />`, true)}
      ${field("email", html`<input id="f-email" name="email" type="email" required maxlength="${L.email.max}" autocomplete="email" aria-describedby="${described("email")}" />`, true)}
      ${field("phone", html`<input id="f-phone" name="phone" type="tel" maxlength="${L.phone.max}" autocomplete="tel" aria-describedby="${described("phone")}" />`, false)}
      ${field("company", html`<input id="f-company" name="company" maxlength="${L.company.max}" autocomplete="organization" aria-describedby="${described("company")}" />`, false)}
      ${field(
        "service",
        html`<select
          id="f-service"
          name="service"
          required
          aria-describedby="${described("service")}"
        >
          <option value="">${T.choose[lang]}</option>
          ${config.services.map((s) => html`<option>${s}</option>`)}
        </select>`,
        true,
      )}
      ${field("message", html`<textarea id="f-message" name="message" required maxlength="${L.message.max}" rows="8" aria-describedby="${described("message")}"></textarea>`, true)}
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
              <p class="field-error" id="err-cf-turnstile-response" hidden></p>`
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
  return layout(lang, T.title[lang], body, scripts);
}
