import type { Config } from "../config/config.ts";
import { LANGS } from "../i18n/lang.ts";
import { PAGE_TEXTS as T } from "../i18n/page-texts.ts";

/**
 * GET /embed.js: the script a company's own page includes to enhance every
 * `<form data-inquiry>` (README, "Your own form"). It posts by `fetch` with
 * `Accept: application/json` (a CORS-safelisted request, so no preflight;
 * the answer is readable for `ALLOWED_ORIGINS`), shows each field error
 * beside the control of that name (or in the form's own
 * `[data-inquiry-error="<field>"]` element) linked by `aria-describedby` and
 * `aria-invalid`, moves focus to an error summary (`role="alert"`) that
 * names each field by the page's own label,
 * announces sending and success in a polite live region, ignores a second
 * submit while one is under way, keeps what was typed unless it was stored,
 * and then follows REDIRECT_URL or shows the thank-you text.
 *
 * The page's language is `<html lang>` (`sl` or `en`, else DEFAULT_LANG),
 * sent as `_lang` so the worker answers in it. No inline code, no eval, no
 * `innerHTML`, no style: it runs where the page's CSP allows only the
 * worker's origin for scripts and fetches.
 */
export function embedScript(config: Config): string {
  const texts = Object.fromEntries(
    LANGS.map((l) => [
      l,
      {
        sending: T.sending[l],
        thanks: `${T.thanksTitle[l]}. ${T.thanksBody[l]}`,
        network: T.networkError[l],
      },
    ]),
  );
  const settings = JSON.stringify({
    texts,
    lang: config.defaultLang,
    redirect: config.redirectUrl,
  });
  return SCRIPT.replace("__SETTINGS__", () => settings);
}

// Indentation is for reading here; the served copy drops it (no string in it spans lines).
const SCRIPT = `"use strict";
(function (S) {
  if (!window.fetch || !window.FormData) return;
  var lang = (document.documentElement.lang || "").toLowerCase().split("-")[0];
  if (!S.texts[lang]) lang = S.lang;
  var t = S.texts[lang];
  var count = 0;

  function make(tag, cls) {
    var el = document.createElement(tag);
    el.className = cls;
    return el;
  }
  function tokens(el) {
    return (el.getAttribute("aria-describedby") || "").split(/\\s+/).filter(Boolean);
  }
  function link(el, id, on) {
    var list = tokens(el).filter(function (x) { return x !== id; });
    if (on) list.push(id);
    if (list.length) el.setAttribute("aria-describedby", list.join(" "));
    else el.removeAttribute("aria-describedby");
  }

  function enhance(form) {
    if (form.hasAttribute("data-inquiry-ready")) return;
    form.setAttribute("data-inquiry-ready", "");
    var n = ++count;
    var busy = false;
    // The render-time token (README, Spam): when this form was shown. Without it the post still works.
    var token = "";
    fetch(new URL("/spam/token", form.action).href, { credentials: "omit" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (j) { if (j && typeof j.t === "string") token = j.t; })
      .catch(function () {});
    var marked = [];
    var live = form.querySelector("[data-inquiry-status]") || make("p", "inquiry-status");
    live.setAttribute("role", "status");
    live.setAttribute("aria-live", "polite");
    live.tabIndex = -1;
    var summary = form.querySelector("[data-inquiry-summary]") || make("div", "inquiry-summary");
    summary.tabIndex = -1;
    summary.hidden = true;
    if (!live.parentNode) form.insertBefore(live, form.firstChild);
    if (!summary.parentNode) form.insertBefore(summary, live.nextSibling);

    function control(name) {
      var c = form.elements.namedItem(name);
      return c && !c.setAttribute ? c[0] : c;
    }
    function box(name, c) {
      var all = form.querySelectorAll("[data-inquiry-error]");
      for (var i = 0; i < all.length; i++) {
        if (all[i].getAttribute("data-inquiry-error") === name) return all[i];
      }
      if (!c) return null;
      var p = make("span", "inquiry-error");
      p.setAttribute("data-inquiry-error", name);
      c.insertAdjacentElement("afterend", p);
      return p;
    }
    function clear() {
      summary.hidden = true;
      summary.removeAttribute("role");
      summary.textContent = "";
      marked.forEach(function (m) {
        m.box.hidden = true;
        m.box.textContent = "";
        if (m.control) {
          m.control.removeAttribute("aria-invalid");
          link(m.control, m.box.id, false);
        }
      });
      marked = [];
    }
    function fail(message, errors) {
      var heading = make("p", "inquiry-summary-message");
      heading.textContent = message;
      summary.appendChild(heading);
      var list = make("ul", "inquiry-summary-list");
      errors.forEach(function (e) {
        var c = control(e.field);
        var b = box(e.field, c);
        // Plain text, not links: unstyled links stacked in a list miss WCAG 2.5.8's
        // 24 px target size, and the script may not style the company's page.
        var item = document.createElement("li");
        var label = c && c.labels && c.labels[0] ? c.labels[0].textContent.trim() : "";
        if (label.slice(-1) === "*") label = label.slice(0, -1).trim();
        item.textContent = label ? label + ": " + e.message : e.message;
        list.appendChild(item);
        if (!b) return;
        if (!b.id) b.id = "inquiry-" + n + "-error-" + String(e.field).replace(/[^A-Za-z0-9_-]/g, "_");
        b.textContent = e.message;
        b.hidden = false;
        if (c) {
          c.setAttribute("aria-invalid", "true");
          link(c, b.id, true);
        }
        marked.push({ box: b, control: c });
      });
      if (list.firstChild) summary.appendChild(list);
      summary.setAttribute("role", "alert");
      summary.hidden = false;
      summary.focus();
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (busy) return;
      busy = true;
      clear();
      var data = new FormData(form);
      if (!data.has("_lang")) data.append("_lang", lang);
      if (token && !data.has("_t")) data.append("_t", token);
      var buttons = form.querySelectorAll("button, input[type=submit]");
      buttons.forEach(function (b) { b.disabled = true; });
      form.setAttribute("aria-busy", "true");
      live.textContent = t.sending;
      fetch(form.action, {
        method: "POST",
        body: data,
        headers: { Accept: "application/json" },
        credentials: "omit",
      })
        .then(function (res) {
          return res.json().catch(function () { return null; });
        })
        .then(function (body) {
          if (body && body.ok) {
            if (S.redirect) return window.location.assign(S.redirect);
            form.reset();
            live.textContent = t.thanks;
            live.focus();
            return;
          }
          live.textContent = "";
          fail(body && body.message ? body.message : t.network, (body && body.errors) || []);
        })
        .catch(function () {
          live.textContent = "";
          fail(t.network, []);
        })
        .then(function () {
          busy = false;
          buttons.forEach(function (b) { b.disabled = false; });
          form.removeAttribute("aria-busy");
          if (window.turnstile && form.querySelector(".cf-turnstile")) window.turnstile.reset();
        });
    });
  }

  function start() {
    document.querySelectorAll("form[data-inquiry]").forEach(enhance);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})(__SETTINGS__);
`.replace(/^ +/gm, "");
