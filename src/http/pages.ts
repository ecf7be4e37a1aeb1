import type { Config } from "../config/config.ts";
import type { Lang } from "../i18n/lang.ts";
import { ERROR_MESSAGES, FIELD_LABELS, fieldMessage } from "../i18n/messages.ts";
import { formatBytes } from "../inquiry/attachment.ts";
import { kindNames } from "../inquiry/file-type.ts";
import type { ErrorCode, FieldError } from "./errors.ts";
import { html, type SafeHtml } from "./html.ts";

const T = {
  title: { sl: "Povpraševanje", en: "Inquiry" },
  intro: {
    sl: "Opišite, kaj potrebujete, in odgovorili vam bomo čim prej. Polja z * so obvezna.",
    en: "Tell us what you need and we will answer as soon as we can. Fields marked * are required.",
  },
  choose: { sl: "Izberite storitev", en: "Choose a service" },
  attachmentHint: {
    sl: "Neobvezno, ena datoteka do {max}: {types}.",
    en: "Optional, one file up to {max}: {types}.",
  },
  send: { sl: "Pošlji povpraševanje", en: "Send inquiry" },
  sending: { sl: "Pošiljanje …", en: "Sending …" },
  privacy: {
    sl: "Vaše podatke uporabimo le za odgovor na povpraševanje in jih izbrišemo po 24 mesecih, če ne pride do sodelovanja.",
    en: "We use your data only to answer your inquiry and delete them after 24 months if no business follows.",
  },
  honeypot: { sl: "Tega polja ne izpolnjujte", en: "Leave this field empty" },
  thanksTitle: { sl: "Hvala za povpraševanje", en: "Thank you for your inquiry" },
  thanksBody: {
    sl: "Vaše povpraševanje smo prejeli in shranili. Odgovorili vam bomo na navedeni e-poštni naslov.",
    en: "We have received and stored your inquiry. We will answer to the e-mail address you gave.",
  },
  back: { sl: "Nazaj na obrazec", en: "Back to the form" },
  backHint: {
    sl: "Vnosi v obrazcu so ohranjeni, če se vrnete z gumbom Nazaj v brskalniku.",
    en: "Your entries are kept if you return with your browser's Back button.",
  },
  errorTitle: {
    sl: "Povpraševanja ni bilo mogoče sprejeti",
    en: "The inquiry could not be accepted",
  },
  networkError: {
    sl: "Povezava ni uspela. Preverite internetno povezavo in poskusite znova.",
    en: "The connection failed. Please check your internet connection and try again.",
  },
  other: { sl: "English", en: "Slovenščina" },
} as const;

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
      ${field("name", html`<input id="f-name" name="name" required minlength="2" maxlength="120" autocomplete="name" aria-describedby="${described("name")}" />`, true)}
      ${field("email", html`<input id="f-email" name="email" type="email" required maxlength="254" autocomplete="email" aria-describedby="${described("email")}" />`, true)}
      ${field("phone", html`<input id="f-phone" name="phone" type="tel" maxlength="32" autocomplete="tel" aria-describedby="${described("phone")}" />`, false)}
      ${field("company", html`<input id="f-company" name="company" maxlength="160" autocomplete="organization" aria-describedby="${described("company")}" />`, false)}
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
      ${field("message", html`<textarea id="f-message" name="message" required maxlength="5000" rows="8" aria-describedby="${described("message")}"></textarea>`, true)}
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
      <p class="privacy">${T.privacy[lang]}</p>
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

export function thanksPage(lang: Lang): SafeHtml {
  return layout(
    lang,
    T.thanksTitle[lang],
    html`<h1>${T.thanksTitle[lang]}</h1>
      <p>${T.thanksBody[lang]}</p>
      <p><a href="/?lang=${lang}">${T.back[lang]}</a></p>`,
  );
}

export function errorPage(
  lang: Lang,
  code: ErrorCode,
  fields: readonly FieldError[],
  backUrl: string,
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
      <p><a href="${backUrl}">${T.back[lang]}</a></p>
      <p class="hint">${T.backHint[lang]}</p>`,
  );
}

export function fieldErrorMessage(f: FieldError, lang: Lang): string {
  return f.detail ?? fieldMessage(f.code, lang, f.params);
}

export function notFoundPage(lang: Lang): SafeHtml {
  return layout(
    lang,
    ERROR_MESSAGES.not_found[lang],
    html`<h1>${ERROR_MESSAGES.not_found[lang]}</h1>
      <p><a href="/?lang=${lang}">${T.back[lang]}</a></p>`,
  );
}
