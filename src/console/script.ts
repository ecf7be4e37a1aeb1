// The operator console's script, served from the worker's own origin (the page's CSP forbids
// inline code). Every value reaches the page through textContent, never as markup; the token
// lives in sessionStorage and travels only in the Authorization header.

/**
 * GET /admin/console.js: drives the console page (src/console/page.ts) through
 * the operator API alone, the same calls `npm run admin` makes. No eval, no
 * innerHTML, no outside resource; a person's address travels only in a JSON
 * body (POST /admin/inquiries/search and /erase), never in a URL.
 */
const SOURCE = String.raw`"use strict";
(function () {
  var root = document.getElementById("console");
  if (!root || !window.fetch || !window.sessionStorage) return;
  var T = JSON.parse(root.dataset.texts);
  var EDITABLE = JSON.parse(root.dataset.editable);
  var lang = document.documentElement.lang;
  var locale = lang === "sl" ? "sl-SI" : "en-GB";
  var access = root.dataset.auth === "access";
  // The tab's session only: gone when the tab closes, never a cookie, never in a URL.
  var KEY = "inquiry-admin-token";
  var ACTIONABLE = ["failed", "bounced", "quarantined"];
  var $ = function (id) { return document.getElementById(id); };
  var statusEl = $("status");
  var alertEl = $("alert");
  var seq = 0;

  function fill(text, params) {
    return Object.keys(params || {}).reduce(function (s, k) {
      return s.split("{" + k + "}").join(String(params[k]));
    }, text);
  }
  // Live regions announce a change: the same words twice must still be heard.
  function announce(region, text) {
    region.textContent = "";
    setTimeout(function () { region.textContent = text; }, 50);
  }
  function say(text) { alertEl.textContent = ""; announce(statusEl, text); }
  function fail(text) { statusEl.textContent = ""; announce(alertEl, text); }

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) return;
      if (k === "text") e.textContent = String(v);
      else if (k === "class") e.className = v;
      else if (k === "hidden") e.hidden = true;
      else if (k === "onclick") e.addEventListener("click", v);
      else if (k === "onsubmit") e.addEventListener("submit", function (ev) { ev.preventDefault(); v(ev); });
      else e.setAttribute(k, v === true ? "" : String(v));
    });
    (children || []).forEach(function (c) {
      if (c !== null && c !== undefined && c !== false)
        e.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return e;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function uid(prefix) { seq += 1; return prefix + "-" + seq; }

  function date(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) return String(iso);
    return d.toLocaleString(locale, { dateStyle: "medium", timeStyle: "short" });
  }
  function bytes(n) {
    var units = ["byte", "kilobyte", "megabyte", "gigabyte"];
    var i = 0, v = n;
    while (v >= 1000 && i < units.length - 1) { v /= 1000; i += 1; }
    try {
      return new Intl.NumberFormat(locale, { style: "unit", unit: units[i], unitDisplay: "short", maximumFractionDigits: 1 }).format(v);
    } catch (e) {
      return n + " B";
    }
  }

  function ApiError(status, data) {
    this.status = status;
    this.data = data;
    this.message =
      status === 0 ? T.network
      : status === 429 ? T.tooMany
      : status === 401 && !access ? T.wrongToken
      : (data && data.message) || T.network;
  }

  /** One call of the operator API: JSON in and out, the token as a bearer header. */
  async function api(method, path, body, okStatuses) {
    var headers = { Accept: "application/json", "Accept-Language": lang };
    var token = sessionStorage.getItem(KEY);
    if (!access && token) headers.Authorization = "Bearer " + token;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    var res, data = null;
    try {
      res = await fetch(path, {
        method: method,
        headers: headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: "same-origin",
        cache: "no-store",
        redirect: "error",
        signal: AbortSignal.timeout(30000),
      });
    } catch (e) {
      throw new ApiError(0, null);
    }
    try { data = await res.json(); } catch (e) { data = null; }
    if (res.ok || (okStatuses && okStatuses.indexOf(res.status) >= 0)) return { status: res.status, data: data || {} };
    var err = new ApiError(res.status, data);
    if (res.status === 401 && !access && path !== "/health") signedOut(err.message);
    throw err;
  }

  /** Runs work() with the button busy; a refusal is announced, never lost. */
  async function busy(button, work) {
    if (button) button.disabled = true;
    root.setAttribute("aria-busy", "true");
    try {
      return await work();
    } catch (e) {
      if (e instanceof ApiError) fail(e.message);
      else { fail(T.network); if (window.console) console.error(e && e.name); }
      return undefined;
    } finally {
      if (button) button.disabled = false;
      root.removeAttribute("aria-busy");
    }
  }

  // ---- sign-in ----
  function showApp() {
    $("sign-in").hidden = true;
    $("app").hidden = false;
    if ($("sign-out")) $("sign-out").hidden = false;
    loadAll();
  }
  function signedOut(message) {
    sessionStorage.removeItem(KEY);
    $("app").hidden = true;
    ["health-body", "d-list", "p-result", "r-body"].forEach(function (id) { clear($(id)); });
    $("d-count").textContent = "";
    if ($("sign-out")) $("sign-out").hidden = true;
    $("sign-in").hidden = false;
    if (message) fail(message);
    $("token").focus();
  }
  $("sign-in-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var input = $("token");
    var value = input.value.trim();
    if (!value) { input.setAttribute("aria-invalid", "true"); fail(T.wrongToken); input.focus(); return; }
    busy(ev.submitter, async function () {
      sessionStorage.setItem(KEY, value);
      try {
        await api("GET", "/admin/retention");
      } catch (e) {
        sessionStorage.removeItem(KEY);
        input.setAttribute("aria-invalid", "true");
        input.select();
        input.focus();
        throw e;
      }
      input.value = "";
      input.removeAttribute("aria-invalid");
      say(T.signedIn);
      showApp();
      $("top").focus();
    });
  });
  if ($("sign-out")) {
    $("sign-out").addEventListener("click", function () {
      signedOut("");
      say(T.signOut);
    });
  }

  function loadAll() {
    busy(null, loadHealth);
    busy(null, function () { return loadDeliveries(false); });
    busy(null, loadRetention);
  }

  // ---- health ----
  function problemItem(p) {
    var todo = T["todo_" + p.code] || fill(T.todo_config, { name: p.name || "" });
    var detail = (p.name ? p.name + ": " : "") + p.code + (p.problem ? " – " + p.problem : "");
    return el("li", {}, [
      el("p", { class: "todo" }, [el("strong", { text: T.todo + ": " }), todo]),
      el("p", { class: "detail", lang: "en", text: detail }),
    ]);
  }
  async function loadHealth() {
    var r = await api("GET", "/health", undefined, [503]);
    var d = r.data;
    var body = $("health-body");
    clear(body);
    var problems = d.problems || [];
    if (problems.length === 0 && d.ok) body.appendChild(el("p", { class: "ok", text: T.healthOk }));
    if (problems.length > 0) {
      body.appendChild(el("h3", { text: T.healthProblems }));
      body.appendChild(el("ul", { class: "problems" }, problems.map(problemItem)));
    }
    if ((d.warnings || []).length > 0) {
      body.appendChild(el("h3", { text: T.healthWarnings }));
      body.appendChild(el("ul", { class: "warnings" }, d.warnings.map(problemItem)));
    }
    if (d.deliveries) {
      body.appendChild(el("h3", { text: T.counts }));
      body.appendChild(dl(d.deliveries, function (k) { return T["status_" + k] || k; }));
    }
  }
  $("health-refresh").addEventListener("click", function (ev) {
    busy(ev.currentTarget, async function () { await loadHealth(); say(T.healthTitle + ": " + T.refresh); });
  });

  // ---- generic rendering of the API's JSON ----
  function label(key) { return T.keys[key] || key; }
  function valueText(key, v) {
    if (v === null || v === undefined || v === "") return T.none;
    if (typeof v === "boolean") return v ? T.yes : T.no;
    if (key === "size" && typeof v === "number") return bytes(v) + " (" + v + " B)";
    if (key === "status" && T["status_" + v]) return T["status_" + v];
    if (/_at$/.test(key) && typeof v === "string") return date(v);
    if (Array.isArray(v)) return v.map(function (x) { return typeof x === "object" ? JSON.stringify(x) : String(x); }).join(", ");
    return String(v);
  }
  /** Every member of obj, nested objects as nested lists: fields added later show too. */
  function dl(obj, name) {
    var list = el("dl", { class: "fields" });
    Object.keys(obj).forEach(function (k) {
      var v = obj[k];
      list.appendChild(el("dt", { text: name ? name(k) : label(k) }));
      var dd = el("dd", { "data-key": k });
      if (v !== null && typeof v === "object" && !Array.isArray(v)) dd.appendChild(dl(v));
      else {
        dd.textContent = valueText(k, v);
        if (k === "message") dd.className = "pre";
      }
      list.appendChild(dd);
    });
    return list;
  }

  // ---- deliveries ----
  var deliveries = { status: "failed", next: null, shown: 0 };
  async function loadDeliveries(more) {
    if (!more) deliveries.status = $("d-status").value;
    var url = "/admin/deliveries?status=" + encodeURIComponent(deliveries.status);
    if (more && deliveries.next) url += "&cursor=" + encodeURIComponent(deliveries.next);
    var r = await api("GET", url);
    var list = $("d-list");
    if (!more) { clear(list); deliveries.shown = 0; }
    var first = null;
    (r.data.deliveries || []).forEach(function (d) {
      var item = deliveryItem(d);
      first = first || item;
      list.appendChild(item);
      deliveries.shown += 1;
    });
    deliveries.next = r.data.next || null;
    $("d-more").hidden = !deliveries.next;
    $("d-count").textContent = deliveries.shown === 0 ? T.noDeliveries : fill(T.shown, { n: deliveries.shown });
    return first;
  }
  function deliveryItem(d) {
    var headingId = uid("d");
    var item = el("li", { class: "card", "data-id": d.id });
    var shown = {};
    Object.keys(d).forEach(function (k) { if (k !== "spam" || d.spam) shown[k] = d[k]; });
    item.appendChild(el("h3", { id: headingId, text: date(d.created_at) + " – " + (T["status_" + d.status] || d.status) }));
    item.appendChild(dl(shown));
    if (ACTIONABLE.indexOf(d.status) >= 0) {
      var again = d.status === "quarantined" ? T.release : T.retry;
      item.appendChild(el("p", { class: "actions" }, [
        el("button", { type: "button", "aria-describedby": headingId, text: again, onclick: function (ev) { deliveryAction("retry", d, item, ev.currentTarget); } }),
        el("button", { type: "button", class: "secondary", "aria-describedby": headingId, text: T.dismiss, onclick: function (ev) { deliveryAction("dismiss", d, item, ev.currentTarget); } }),
      ]));
    }
    return item;
  }
  function deliveryAction(kind, d, item, button) {
    busy(button, async function () {
      var r = await api("POST", "/admin/deliveries/" + kind, { ids: [d.id] });
      var n = kind === "retry" ? r.data.requeued : r.data.dismissed;
      var next = item.nextElementSibling || item.previousElementSibling;
      item.remove();
      deliveries.shown -= 1;
      $("d-count").textContent = deliveries.shown === 0 ? T.noDeliveries : fill(T.shown, { n: deliveries.shown });
      say(fill(n ? (kind === "retry" ? T.retried : T.dismissed) : T.unchanged, { id: d.id }));
      var target = next && next.querySelector("button");
      (target || $("d-count")).focus();
      await loadHealth();
    });
  }
  $("deliveries-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    busy(ev.submitter, async function () { await loadDeliveries(false); $("d-count").focus(); });
  });
  $("d-more").addEventListener("click", function (ev) {
    busy(ev.currentTarget, async function () {
      var first = await loadDeliveries(true);
      if (first) { first.setAttribute("tabindex", "-1"); first.focus(); }
    });
  });

  // ---- a person's request ----
  var person = null; // { email, id, inquiries }
  function fieldError(input, errorEl, text) {
    errorEl.textContent = text;
    errorEl.hidden = !text;
    if (text) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  }
  async function fetchPerson(query) {
    if (query.email) {
      var r = await api("POST", "/admin/inquiries/search", { email: query.email });
      return r.data.inquiries || [];
    }
    var one = await api("GET", "/admin/inquiries/" + encodeURIComponent(query.id), undefined, [404]);
    return one.status === 404 ? [] : [one.data.inquiry];
  }
  $("person-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var emailInput = $("p-email");
    var email = emailInput.value.trim();
    var id = $("p-id").value.trim();
    // An address typed as the id goes in the body as an address, never into the URL.
    if (!email && id.indexOf("@") >= 0) { email = id; id = ""; emailInput.value = email; $("p-id").value = ""; }
    fieldError(emailInput, $("p-email-err"), "");
    if (!email && !id) { fieldError(emailInput, $("p-email-err"), T.needOne); fail(T.needOne); emailInput.focus(); return; }
    busy(ev.submitter, async function () {
      var query = email ? { email: email, id: null } : { email: null, id: id };
      try {
        person = { email: query.email, id: query.id, inquiries: await fetchPerson(query) };
      } catch (e) {
        var errs = (e.data && e.data.errors) || [];
        if (errs.length > 0) { fieldError(emailInput, $("p-email-err"), errs[0].message); emailInput.focus(); }
        throw e;
      }
      renderPerson();
      $("p-found").focus();
    });
  });

  function renderPerson() {
    var box = $("p-result");
    clear(box);
    var n = person.inquiries.length;
    box.appendChild(el("h3", { id: "p-found", tabindex: "-1", text: n === 0 ? T.notFound : fill(T.found, { n: n }) }));
    say(n === 0 ? T.notFound : fill(T.found, { n: n }));
    if (n === 0) return;
    box.appendChild(el("p", { class: "actions" }, [
      el("button", { id: "p-export", type: "button", class: "secondary", text: T.exportJson, onclick: function (ev) { exportJson(ev.currentTarget); } }),
      el("button", { id: "p-erase", type: "button", class: "danger", text: T.erase, onclick: function () { showErase(); } }),
    ]));
    box.appendChild(el("div", { id: "p-confirm", class: "confirm", hidden: true }));
    person.inquiries.forEach(function (inq) { box.appendChild(inquiryCard(inq)); });
  }

  function inquiryCard(inq) {
    var headingId = uid("i");
    var card = el("article", { class: "card", "aria-labelledby": headingId, "data-id": inq.id });
    card.appendChild(el("h4", { id: headingId, tabindex: "-1", text: fill(T.inquiryFrom, { date: date(inq.created_at) }) }));
    card.appendChild(dl(inq));
    var reasonId = uid("reason");
    var hold = inq.hold
      ? el("p", { class: "actions" }, [
          el("button", { type: "button", class: "secondary", "data-action": "release", "aria-describedby": headingId, text: T.unhold, onclick: function (ev) { setHold(inq, false, "", ev.currentTarget); } }),
        ])
      : el("div", { class: "row" }, [
          el("label", { for: reasonId, text: T.holdReason }),
          el("input", { id: reasonId, type: "text", maxlength: "500", autocomplete: "off", "data-field": "reason" }),
          el("button", { type: "button", class: "secondary", "data-action": "hold", "aria-describedby": headingId, text: T.hold, onclick: function (ev) { setHold(inq, true, $(reasonId).value.trim(), ev.currentTarget); } }),
        ]);
    card.appendChild(hold);
    var form = rectifyForm(inq, card, headingId);
    card.appendChild(el("p", { class: "actions" }, [
      el("button", { type: "button", class: "secondary", "data-action": "rectify", "aria-expanded": "false", "aria-describedby": headingId, text: T.rectify, onclick: function (ev) {
        var open = form.hidden;
        form.hidden = !open;
        ev.currentTarget.setAttribute("aria-expanded", String(open));
        if (open) form.querySelector("input, textarea").focus();
      } }),
    ]));
    card.appendChild(form);
    return card;
  }

  function replaceCard(inq, card, focusSelector) {
    var index = person.inquiries.findIndex(function (x) { return x.id === inq.id; });
    if (index >= 0) person.inquiries[index] = inq;
    var fresh = inquiryCard(inq);
    card.replaceWith(fresh);
    (fresh.querySelector(focusSelector) || fresh.querySelector("h4")).focus();
  }

  function setHold(inq, hold, reason, button) {
    busy(button, async function () {
      var body = hold ? { hold: true, reason: reason || null } : { hold: false };
      await api("PUT", "/admin/inquiries/" + encodeURIComponent(inq.id) + "/hold", body);
      var updated = Object.assign({}, inq, { hold: hold, hold_reason: hold ? reason || null : null });
      // The stored row decides: read it back rather than guess what the worker kept.
      var r = await api("GET", "/admin/inquiries/" + encodeURIComponent(inq.id), undefined, [404]);
      if (r.status === 200) updated = r.data.inquiry;
      replaceCard(updated, button.closest("article"), hold ? "[data-action=release]" : "[data-action=hold]");
      say(hold ? T.heldNow : T.releasedNow);
    });
  }

  function rectifyForm(inq, card, headingId) {
    var form = el("form", { class: "rectify", hidden: true, novalidate: true, "aria-labelledby": headingId });
    var inputs = {};
    EDITABLE.forEach(function (f) {
      var id = uid("f");
      var errId = id + "-err";
      var stored = inq[f.name];
      var value = stored === null || stored === undefined ? "" : String(stored);
      var common = { id: id, name: f.name, "aria-describedby": errId, autocomplete: "off" };
      var input;
      if (f.type === "textarea") input = el("textarea", Object.assign({ rows: "5" }, common));
      else if (f.options) {
        input = el("select", common, [el("option", { value: "", text: "" })].concat(f.options.map(function (o) {
          return el("option", { value: o.id, text: o.label });
        })));
      } else if (f.type === "checkbox") input = el("input", Object.assign({ type: "checkbox" }, common));
      else {
        var types = { email: "email", phone: "tel", number: "text", date: "date" };
        input = el("input", Object.assign({ type: types[f.type] || "text" }, common));
        if (f.type === "number") input.setAttribute("inputmode", "decimal");
      }
      var read = f.type === "checkbox"
        ? function () { return input.checked ? "on" : ""; }
        : function () { return input.value; };
      if (f.type === "checkbox") input.checked = stored === true;
      else input.value = value;
      inputs[f.name] = { input: input, read: read, error: el("p", { id: errId, class: "field-error", hidden: true }), before: read() };
      var labelEl = el("label", { for: id, text: f.label + (f.required ? " *" : "") });
      form.appendChild(el("div", { class: f.type === "checkbox" ? "field check" : "field" }, [labelEl, input, inputs[f.name].error]));
    });
    form.appendChild(el("p", { class: "actions" }, [
      el("button", { type: "submit", text: T.save }),
      el("button", { type: "button", class: "secondary", text: T.cancel, onclick: function () {
        form.hidden = true;
        var toggle = card.querySelector("[data-action=rectify]");
        toggle.setAttribute("aria-expanded", "false");
        toggle.focus();
      } }),
    ]));
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var patch = {};
      EDITABLE.forEach(function (f) {
        var x = inputs[f.name];
        fieldError(x.input, x.error, "");
        if (x.read() !== x.before) patch[f.name] = x.read();
      });
      busy(ev.submitter, async function () {
        try {
          var r = await api("PATCH", "/admin/inquiries/" + encodeURIComponent(inq.id), patch);
          replaceCard(r.data.inquiry, card, "h4");
          say(T.rectified);
        } catch (e) {
          var first = null;
          ((e.data && e.data.errors) || []).forEach(function (fe) {
            var x = inputs[fe.field];
            if (x) { fieldError(x.input, x.error, fe.message); first = first || x.input; }
          });
          if (first) first.focus();
          throw e;
        }
      });
    });
    return form;
  }

  function exportJson(button) {
    busy(button, async function () {
      var inquiries = await fetchPerson(person);
      var doc = { exported_at: new Date().toISOString(), inquiries: inquiries };
      var blob = new Blob([JSON.stringify(doc, null, 2) + "\n"], { type: "application/json" });
      var url = URL.createObjectURL(blob);
      // No address in the file's name: downloads folders are seen by others.
      var file = "inquiries-export-" + doc.exported_at.slice(0, 10) + ".json";
      var a = el("a", { href: url, download: file, hidden: true });
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
      say(fill(T.exported, { file: file }));
    });
  }

  function showErase() {
    var box = $("p-confirm");
    clear(box);
    var will = [];
    person.inquiries.forEach(function (inq) {
      will.push(el("li", { text: fill(T.eraseItem, { id: inq.id, date: date(inq.created_at) }) }));
      if (inq.attachment) will.push(el("li", { text: fill(T.eraseFile, { file: inq.attachment.filename, size: bytes(inq.attachment.size) }) }));
    });
    if (person.email) will.push(el("li", { text: T.eraseLater }));
    box.appendChild(el("h4", { id: "p-confirm-h", tabindex: "-1", text: T.eraseTitle }));
    box.appendChild(el("p", { text: T.eraseWill }));
    box.appendChild(el("ul", { id: "p-will" }, will));
    box.appendChild(el("p", { text: T.eraseByHand }));
    box.appendChild(el("ul", { id: "p-by-hand" }, [T.byHandMail, T.byHandBackup, T.byHandOther].map(function (t) { return el("li", { text: t }); })));
    box.appendChild(el("p", { class: "actions" }, [
      el("button", { id: "p-erase-yes", type: "button", class: "danger", text: T.eraseConfirm, onclick: function (ev) { erase(ev.currentTarget); } }),
      el("button", { id: "p-erase-no", type: "button", class: "secondary", text: T.cancel, onclick: function () {
        box.hidden = true;
        clear(box);
        say(T.eraseCancelled);
        $("p-erase").focus();
      } }),
    ]));
    box.setAttribute("role", "region");
    box.setAttribute("aria-labelledby", "p-confirm-h");
    box.hidden = false;
    $("p-confirm-h").focus();
  }

  function erase(button) {
    busy(button, async function () {
      var n;
      if (person.email) {
        n = (await api("POST", "/admin/inquiries/erase", { email: person.email })).data.deleted;
      } else {
        n = (await api("DELETE", "/admin/inquiries/" + encodeURIComponent(person.id), undefined, [404])).data.deleted || 0;
      }
      person.inquiries = await fetchPerson(person);
      renderPerson();
      say(fill(T.erased, { n: n }));
      $("p-found").focus();
      busy(null, loadRetention);
    });
  }

  // ---- retention ----
  async function loadRetention() {
    var d = (await api("GET", "/admin/retention")).data;
    var box = $("r-body");
    clear(box);
    box.appendChild(el("p", { text: fill(T.retentionRule, { months: d.retention_months, days: d.log_retention_days }) }));
    var rows = [[T.retentionStored, String(d.inquiries)], [T.retentionHeld, String(d.held)], [T.retentionDue, String(d.due)]];
    if (d.oldest) {
      rows.push([T.retentionOldest, date(d.oldest)]);
      var purge = new Date(d.oldest);
      purge.setUTCMonth(purge.getUTCMonth() + Number(d.retention_months));
      rows.push([T.retentionNext, date(purge.toISOString())]);
    }
    var list = el("dl", { class: "fields" });
    rows.forEach(function (r) { list.appendChild(el("dt", { text: r[0] })); list.appendChild(el("dd", { text: r[1] })); });
    box.appendChild(list);
  }

  if (access || sessionStorage.getItem(KEY)) showApp();
})();
`;

// Indentation and whole-line comments are for reading here; the served copy drops both
// (no string in the script spans lines, and no line of code starts with "//").
export const CONSOLE_JS = SOURCE.split("\n")
  .map((line) => line.trim())
  .filter((line) => line !== "" && !line.startsWith("//"))
  .join("\n");
