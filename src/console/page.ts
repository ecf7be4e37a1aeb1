import type { FieldDef } from "../domain/fields.ts";
import type { Lang } from "../i18n/lang.ts";
import { html, type SafeHtml } from "../pages/html.ts";
import { CONSOLE_TEXTS as T, consoleTexts } from "./texts.ts";

/** Where the console's own files are served (only while ADMIN_TOKEN is set, like the page). */
export const CONSOLE_SCRIPT_PATH = "/admin/console.js";
export const CONSOLE_STYLE_PATH = "/admin/console.css";

export interface ConsolePageOptions {
  /** `access`: Cloudflare Access signed this request in, so no token is asked. */
  auth: "token" | "access";
  /** The form's fields: their labels name the stored values, the rectifiable ones are editable. */
  fields: readonly FieldDef[];
}

/** What the script needs of a rectifiable field to offer the right control, in `lang`. */
function editableField(f: FieldDef, lang: Lang) {
  return {
    name: f.name,
    type: f.type,
    label: f.label[lang],
    required: f.required,
    options: f.options?.map((o) => ({ id: o.id, label: o.label[lang] })) ?? null,
  };
}

/**
 * GET /admin/ as a page: the frame of the operator console in `lang`. Its
 * script (CONSOLE_SCRIPT_PATH) does everything through the operator API and
 * reads its words from `data-texts` (JSON, escaped as an attribute), so the
 * page holds no data and no inline code: the CSP forbids both.
 */
export function consolePage(lang: Lang, opts: ConsolePageOptions): SafeHtml {
  const t = (k: keyof typeof T) => T[k][lang];
  const other: Lang = lang === "sl" ? "en" : "sl";
  const access = opts.auth === "access";
  const option = (s: "failed" | "bounced" | "pending" | "quarantined") =>
    html`<option value="${s}">${t(`status_${s}`)}</option>`;
  return html`<!doctype html>
    <html lang="${lang}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <meta name="robots" content="noindex" />
        <title>${t("title")}</title>
        <link rel="stylesheet" href="${CONSOLE_STYLE_PATH}" />
        <script src="${CONSOLE_SCRIPT_PATH}" defer></script>
      </head>
      <body>
        <header class="top">
          <h1 id="top" tabindex="-1">${t("title")}</h1>
          <p class="tools">
            <a href="/admin/?lang=${other}" lang="${other}" hreflang="${other}"
              >${T.otherLang[lang]}</a
            >
            ${
              access
                ? html`<a id="sign-out-access" href="/cdn-cgi/access/logout">${t("signOut")}</a>`
                : html`<button id="sign-out" type="button" class="secondary" hidden>
                    ${t("signOut")}
                  </button>`
            }
          </p>
        </header>
        <main
          id="console"
          data-auth="${opts.auth}"
          data-texts="${JSON.stringify(consoleTexts(lang, opts.fields))}"
          data-editable="${JSON.stringify(
            opts.fields.filter((f) => f.rectifiable).map((f) => editableField(f, lang)),
          )}"
        >
          <div id="status" class="status" role="status" aria-live="polite"></div>
          <div id="alert" class="alert" role="alert" aria-live="assertive"></div>
          <noscript><p class="alert">JavaScript is needed for the console.</p></noscript>
          <section id="sign-in" aria-labelledby="sign-in-h" ${access ? "hidden" : ""}>
            <h2 id="sign-in-h">${t("signInTitle")}</h2>
            <p>${t("signInIntro")}</p>
            <form id="sign-in-form" novalidate>
              <label for="token">${t("tokenLabel")}</label>
              <input
                id="token"
                name="token"
                type="password"
                autocomplete="off"
                spellcheck="false"
                required
              />
              <button type="submit">${t("signIn")}</button>
            </form>
          </section>
          <div id="app" hidden>
            ${access ? html`<p class="note">${t("signedInAccess")}</p>` : ""}
            <nav aria-label="${t("nav")}">
              <ul>
                <li><a href="#health">${t("healthTitle")}</a></li>
                <li><a href="#deliveries">${t("deliveriesTitle")}</a></li>
                <li><a href="#person">${t("personTitle")}</a></li>
                <li><a href="#retention">${t("retentionTitle")}</a></li>
              </ul>
            </nav>
            <section id="health" aria-labelledby="health-h">
              <h2 id="health-h">${t("healthTitle")}</h2>
              <div id="health-body"></div>
              <button id="health-refresh" type="button" class="secondary">${t("refresh")}</button>
            </section>
            <section id="deliveries" aria-labelledby="deliveries-h">
              <h2 id="deliveries-h">${t("deliveriesTitle")}</h2>
              <p>${t("deliveriesIntro")}</p>
              <form id="deliveries-form" class="row">
                <label for="d-status">${t("statusLabel")}</label>
                <select id="d-status" name="status">
                  ${option("failed")} ${option("bounced")} ${option("pending")}
                  ${option("quarantined")}
                </select>
                <button type="submit">${t("show")}</button>
              </form>
              <p id="d-count" tabindex="-1"></p>
              <ul id="d-list" class="cards"></ul>
              <button id="d-more" type="button" class="secondary" hidden>${t("more")}</button>
            </section>
            <section id="person" aria-labelledby="person-h">
              <h2 id="person-h">${t("personTitle")}</h2>
              <p>${t("personIntro")}</p>
              <form id="person-form" novalidate>
                <label for="p-email">${t("emailLabel")}</label>
                <input
                  id="p-email"
                  name="email"
                  type="email"
                  autocomplete="off"
                  spellcheck="false"
                  aria-describedby="p-email-err"
                />
                <p id="p-email-err" class="field-error" hidden></p>
                <label for="p-id">${t("idLabel")}</label>
                <input id="p-id" name="id" type="text" autocomplete="off" spellcheck="false" />
                <button type="submit">${t("find")}</button>
              </form>
              <div id="p-result"></div>
            </section>
            <section id="retention" aria-labelledby="retention-h">
              <h2 id="retention-h">${t("retentionTitle")}</h2>
              <div id="r-body"></div>
            </section>
          </div>
        </main>
      </body>
    </html>`;
}
