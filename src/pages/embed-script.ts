import type { Config } from "../config/config.ts";
import { LANGS } from "../i18n/lang.ts";
import { labelsIn } from "../domain/fields.ts";
import { PAGE_TEXTS as T } from "../i18n/page-texts.ts";

/**
 * How long a send may go without progress (no bytes uploaded, or no answer
 * once all were) before it is given up; a slow upload that keeps moving is
 * never cut (XMLHttpRequest upload `progress` events, XHR standard §3.5).
 */
export const SEND_TIMEOUT_MS = 30_000;

/**
 * GET /embed.js: the script a company's own page includes to enhance every
 * `<form data-inquiry>`. It posts by `fetch` with
 * `Accept: application/json` (a CORS-safelisted request, so no preflight;
 * the answer is readable for `ALLOWED_ORIGINS`), shows each field error
 * beside the control of that name (or in the form's own
 * `[data-inquiry-error="<field>"]` element) linked by `aria-describedby` and
 * `aria-invalid`, moves focus to an error summary (`role="alert"`) that
 * names each field by the page's own label,
 * announces sending and success in a polite live region, ignores a second
 * submit while one is under way, keeps what was typed unless it was stored,
 * and then follows REDIRECT_URL or shows the thank-you text. A send that
 * breaks off, or makes no progress for SEND_TIMEOUT_MS, is reported as what
 * it is: not confirmed, safe to send again, with what was typed kept. Each
 * filled form carries one `_submission` key (Idempotency-Key), kept across
 * such retries and renewed once stored, so a retry never makes a second inquiry. A page whose origin is not in
 * ALLOWED_ORIGINS gets the worker's own refusal (readable, see
 * `allowedOriginsOnly`) for the visitor, and the browser console names the
 * setting and the origin to add, for the developer. The form is used only through the
 * HTMLFormElement and Element prototypes, so controls named `action`,
 * `reset`, `elements` and the like cannot break it. A radio group is named by
 * its fieldset's legend (or `aria-label`); a field the page lacks by the
 * worker's own label for it.
 *
 * The page's language is `<html lang>` (`sl` or `en` as its primary subtag,
 * BCP 47, or as Java and PHP write locales: `en_US`, `sl_SI`; else DEFAULT_LANG),
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
        unconfirmed: T.unconfirmed[l],
        labels: labelsIn(config.form.fields, l),
      },
    ]),
  );
  const settings = JSON.stringify({
    texts,
    lang: config.defaultLang,
    redirect: config.redirectUrl,
    timeout: SEND_TIMEOUT_MS,
  });
  return SCRIPT.replace("__SETTINGS__", () => settings);
}

// Indentation and whole-line comments are for reading here; the served copy drops both
// (no string in it spans lines, and no line of code starts with "//").
const SCRIPT = `"use strict";
(function (S) {
  if (!window.fetch || !window.FormData || !window.XMLHttpRequest || !window.crypto) return;
  // BCP 47 "en-US", and the "en_US" of Java and PHP locales.
  var lang = (document.documentElement.lang || "").toLowerCase().split(/[-_]/)[0];
  if (!S.texts[lang]) lang = S.lang;
  var t = S.texts[lang];
  var count = 0;
  // A control named like a form member ("action", "reset", "elements", WordPress's hidden
  // "action") hides that member on the form element (HTML, HTMLFormElement's named
  // properties), so the form is used only through the prototypes' own members.
  var E = Element.prototype;
  var F = HTMLFormElement.prototype;
  var elementsOf = Object.getOwnPropertyDescriptor(F, "elements").get;

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
  // A fresh Idempotency-Key: 128 random bits as hex.
  function newKey() {
    var b = crypto.getRandomValues(new Uint8Array(16));
    return Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
  }
  function text(el) {
    var s = el ? el.textContent.trim() : "";
    return s.slice(-1) === "*" ? s.slice(0, -1).trim() : s;
  }

  function enhance(form) {
    if (E.hasAttribute.call(form, "data-inquiry-ready")) return;
    E.setAttribute.call(form, "data-inquiry-ready", "");
    var n = ++count;
    var busy = false;
    // One key per filled form: kept across retries, renewed once the inquiry is stored.
    var submission = newKey();
    // As the browser would post: the action attribute against the page's base URL.
    var action = new URL(E.getAttribute.call(form, "action") || "", document.baseURI).href;
    var find = function (sel) { return E.querySelector.call(form, sel); };
    // The render-time token: when this form was shown. Without it the post still works.
    var token = "";
    fetch(new URL("/spam/token", action).href, { credentials: "omit" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (j) { if (j && typeof j.t === "string") token = j.t; })
      .catch(function () {});
    var marked = [];
    var live = find("[data-inquiry-status]") || make("p", "inquiry-status");
    live.setAttribute("role", "status");
    live.setAttribute("aria-live", "polite");
    live.tabIndex = -1;
    var summary = find("[data-inquiry-summary]") || make("div", "inquiry-summary");
    summary.tabIndex = -1;
    summary.hidden = true;
    if (!live.parentNode) E.prepend.call(form, live);
    if (!summary.parentNode) live.insertAdjacentElement("afterend", summary);

    // Every control of that name: one, or a radio group's buttons.
    function controls(name) {
      var c = elementsOf.call(form).namedItem(name);
      return !c ? [] : c.setAttribute ? [c] : Array.prototype.slice.call(c);
    }
    // A group of radio buttons or checkboxes is named by its fieldset's legend or its label.
    function groupOf(list) {
      var c = list[0];
      return c && (c.type === "radio" || (c.type === "checkbox" && list.length > 1))
        ? c.closest("fieldset, [role=radiogroup], [role=group]")
        : null;
    }
    // The page's own name for the field, else the worker's (a field named differently is absent).
    function labelOf(field, list, group) {
      var s = "";
      if (group) {
        var by = group.getAttribute("aria-labelledby");
        s = group.getAttribute("aria-label") ||
          text(by ? document.getElementById(by.split(" ")[0]) : group.tagName === "FIELDSET" ? group.querySelector("legend") : null);
      } else if (list[0]) {
        s = text(list[0].labels && list[0].labels[0]) || list[0].getAttribute("aria-label") || "";
      }
      return s || t.labels[field] || "";
    }
    function box(name, list, group) {
      var all = E.querySelectorAll.call(form, "[data-inquiry-error]");
      for (var i = 0; i < all.length; i++) {
        if (all[i].getAttribute("data-inquiry-error") === name) return all[i];
      }
      if (!list.length) return null;
      var p = make("span", "inquiry-error");
      p.setAttribute("data-inquiry-error", name);
      if (group) group.appendChild(p);
      else list[list.length - 1].insertAdjacentElement("afterend", p);
      return p;
    }
    function clear() {
      summary.hidden = true;
      summary.removeAttribute("role");
      summary.textContent = "";
      marked.forEach(function (m) {
        m.box.hidden = true;
        m.box.textContent = "";
        m.list.forEach(function (c) {
          c.removeAttribute("aria-invalid");
          link(c, m.box.id, false);
        });
      });
      marked = [];
    }
    function fail(message, errors) {
      var heading = make("p", "inquiry-summary-message");
      heading.textContent = message;
      summary.appendChild(heading);
      var list = make("ul", "inquiry-summary-list");
      errors.forEach(function (e) {
        var cs = controls(e.field);
        var group = groupOf(cs);
        var b = box(e.field, cs, group);
        // Plain text, not links: unstyled links stacked in a list miss WCAG 2.5.8's
        // 24 px target size, and the script may not style the company's page.
        var item = document.createElement("li");
        var label = labelOf(e.field, cs, group);
        item.textContent = label ? label + ": " + e.message : e.message;
        list.appendChild(item);
        if (!b) return;
        if (!b.id) b.id = "inquiry-" + n + "-error-" + String(e.field).replace(/[^A-Za-z0-9_-]/g, "_");
        b.textContent = e.message;
        b.hidden = false;
        cs.forEach(function (c) {
          c.setAttribute("aria-invalid", "true");
          link(c, b.id, true);
        });
        marked.push({ box: b, list: cs });
      });
      if (list.firstChild) summary.appendChild(list);
      summary.setAttribute("role", "alert");
      summary.hidden = false;
      summary.focus();
    }

    EventTarget.prototype.addEventListener.call(form, "submit", function (event) {
      event.preventDefault();
      if (busy) return;
      busy = true;
      clear();
      var data = new FormData(form);
      if (!data.has("_lang")) data.append("_lang", lang);
      if (token && !data.has("_t")) data.append("_t", token);
      if (!data.has("_submission")) data.append("_submission", submission);
      var buttons = E.querySelectorAll.call(form, "button, input[type=submit]");
      buttons.forEach(function (b) { b.disabled = true; });
      E.setAttribute.call(form, "aria-busy", "true");
      live.textContent = t.sending;
      var xhr = new XMLHttpRequest();
      // Given up only after S.timeout without progress: a slow upload that keeps
      // moving is never cut; a worker that never answers does not leave the form busy.
      var timer = 0;
      function idle() {
        clearTimeout(timer);
        timer = setTimeout(function () { xhr.abort(); }, S.timeout);
      }
      function done(body) {
        clearTimeout(timer);
        if (body && body.ok) {
          submission = newKey();
          if (S.redirect) return window.location.assign(S.redirect);
          F.reset.call(form);
          live.textContent = t.thanks;
          live.focus();
        } else {
          live.textContent = "";
          if (body && body.code === "origin_not_allowed") {
            console.error("[inquiry form] Add this page's origin " + location.origin +
              " to the worker's ALLOWED_ORIGINS (comma-separated) and deploy again.");
          }
          // No answer: it may or may not have been stored; the key makes a retry safe.
          fail(body && body.message ? body.message : t.unconfirmed, (body && body.errors) || []);
        }
        busy = false;
        buttons.forEach(function (b) { b.disabled = false; });
        E.removeAttribute.call(form, "aria-busy");
        if (window.turnstile && find(".cf-turnstile")) window.turnstile.reset();
      }
      xhr.upload.addEventListener("progress", idle);
      xhr.upload.addEventListener("load", idle);
      xhr.addEventListener("progress", idle);
      xhr.addEventListener("load", function () {
        var body = null;
        try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
        done(body);
      });
      // Upload listeners make the post preflighted (XHR standard), and a refused origin's
      // preflight cannot be read: ask once more as a simple request (text/plain, refused
      // unread with 415 where the origin is allowed) so a refused origin is told the truth.
      xhr.addEventListener("error", function () {
        clearTimeout(timer);
        fetch(action, { method: "POST", body: "", headers: { Accept: "application/json", "Accept-Language": lang, "Content-Type": "text/plain" }, credentials: "omit" })
          .then(function (r) { return r.json(); })
          .then(function (body) { done(body && body.code === "origin_not_allowed" ? body : null); })
          .catch(function () { done(null); });
      });
      xhr.addEventListener("abort", function () { done(null); });
      xhr.open("POST", action);
      xhr.setRequestHeader("Accept", "application/json");
      // The page's language also for refusals made before the body (and _lang) is read;
      // Accept-Language is CORS-safelisted, so still no preflight (Fetch standard).
      xhr.setRequestHeader("Accept-Language", lang);
      xhr.send(data);
      idle();
    });
  }

  function start() {
    document.querySelectorAll("form[data-inquiry]").forEach(enhance);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})(__SETTINGS__);
`
  .replace(/^ *\/\/.*\n/gm, "")
  .replace(/^ +/gm, "");
