// Served from the worker's own origin so the pages' CSP can forbid inline code.

export const FORM_CSS = `*{box-sizing:border-box}
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;background:#f6f7f9;margin:0}
main{max-width:40rem;margin:0 auto;padding:1.5rem 1rem 3rem}
h1{font-size:1.6rem;margin:.5rem 0 1rem}
.lang{text-align:right;margin:0}
.field{margin:0 0 1rem}
label{display:block;font-weight:600;margin-bottom:.25rem}
input,select,textarea{width:100%;font:inherit;padding:.5rem .6rem;border:1px solid #8a8f98;border-radius:6px;background:#fff}
input[type=file]{padding:.4rem;background:#fff}
input:focus,select:focus,textarea:focus,button:focus,a:focus{outline:3px solid #1d5fd6;outline-offset:1px}
[aria-invalid=true]{border-color:#b3261e;border-width:2px}
.hint{color:#4a4f57;font-size:.9rem;margin:.1rem 0 .35rem}
.field-error{color:#b3261e;font-weight:600;margin:.3rem 0 0}
.privacy{font-size:.9rem;color:#4a4f57}
button{font:inherit;font-weight:600;padding:.7rem 1.3rem;border:0;border-radius:6px;background:#1d5fd6;color:#fff;cursor:pointer}
button[disabled]{opacity:.6;cursor:wait}
#form-status{padding:.8rem 1rem;border-radius:6px;margin:0 0 1rem}
#form-status.success{background:#e3f4e8;border:1px solid #2e7d4f}
#form-status.error{background:#fbe9e7;border:1px solid #b3261e}
.errors{padding-left:1.2rem}
.error-summary{padding:.8rem 1rem;border:2px solid #b3261e;border-radius:6px;background:#fbe9e7;margin:0 0 1rem}
.error-summary h2{font-size:1.1rem;margin:0 0 .4rem}
.error-summary ul{margin:0;padding-left:1.2rem}
.error-summary a{color:#8c1d18;font-weight:600}
.hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}
`;

export const FORM_JS = `"use strict";
(function () {
  var form = document.getElementById("inquiry-form");
  if (!form || !window.XMLHttpRequest || !window.FormData) return;
  var status = document.getElementById("form-status");
  var button = form.querySelector("button[type=submit]");
  // A refused no-JavaScript post came back as this form with its error summary.
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();

  function say(text, kind) {
    status.textContent = text;
    status.className = kind;
    status.setAttribute("role", kind === "error" ? "alert" : "status");
    status.hidden = false;
  }
  function clearErrors() {
    status.hidden = true;
    if (summary) { summary.remove(); summary = null; }
    form.querySelectorAll(".field-error").forEach(function (p) { p.hidden = true; p.textContent = ""; });
    form.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearErrors();
    var label = button.textContent;
    button.disabled = true;
    button.textContent = form.dataset.sending;
    // Given up only after 30 s without progress: a slow upload that keeps moving is
    // never cut, and a worker that never answers does not leave the form busy for good.
    // The form's _submission key makes sending again after a broken-off send safe.
    var xhr = new XMLHttpRequest();
    var timer = 0;
    function idle() {
      clearTimeout(timer);
      timer = setTimeout(function () { xhr.abort(); }, 30000);
    }
    function done(data) {
      clearTimeout(timer);
      button.disabled = false;
      button.textContent = label;
      if (window.turnstile) window.turnstile.reset();
      if (data && data.ok) {
        form.reset();
        form.hidden = true;
        say(form.dataset.thanks, "success");
        status.focus();
        return;
      }
      var first = null;
      ((data && data.errors) || []).forEach(function (e) {
        var p = document.getElementById("err-" + e.field);
        var input = form.elements.namedItem(e.field);
        if (p) { p.textContent = e.message; p.hidden = false; }
        if (input && input.setAttribute) {
          input.setAttribute("aria-invalid", "true");
          first = first || input;
        }
      });
      say(data && data.message ? data.message : form.dataset.networkError, "error");
      if (first) first.focus();
    }
    xhr.upload.addEventListener("progress", idle);
    xhr.upload.addEventListener("load", idle);
    xhr.addEventListener("progress", idle);
    xhr.addEventListener("load", function () {
      var data = null;
      try { data = JSON.parse(xhr.responseText); } catch (e) { data = null; }
      done(data);
    });
    xhr.addEventListener("error", function () { done(null); });
    xhr.addEventListener("abort", function () { done(null); });
    xhr.open("POST", form.action);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.send(new FormData(form));
    idle();
  });
})();
`;
