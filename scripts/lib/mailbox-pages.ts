// The mail catcher's pages: every mail the fake Resend accepted, shown as the
// staff would see it. The HTML part is the one place where markup from outside
// (a visitor's values, escaped by the worker; or a broken escape) is rendered,
// so it gets its own URL, served with a CSP sandbox and shown in an iframe
// sandboxed without scripts: a slip in the worker's escaping shows up here as
// visible markup, never as running code.
import type { AcceptedEmail, RecordedRequest, RefuseMode } from "../../tests/fakes/resend.ts";

export const PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; frame-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
/** For the HTML part: no scripts, no requests anywhere, framed only by the mailbox. */
export const HTML_PART_CSP =
  "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'";

export function escapeHtml(value: unknown): string {
  return String(value)
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

const list = (v: unknown): string =>
  v === undefined ? "" : (Array.isArray(v) ? v : [v]).map(String).join(", ");

const time = (ms: number) => new Date(ms).toISOString().replace("T", " ").slice(0, 19) + " UTC";

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
  body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 70rem; padding: 1rem 1.5rem; color: #1b1b1b; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid #ddd; vertical-align: top; }
  th { background: #f4f4f4; font-weight: 600; }
  .headers th { width: 10rem; background: none; color: #555; }
  iframe { width: 100%; height: 32rem; border: 1px solid #bbb; resize: vertical; background: #fff; }
  pre { white-space: pre-wrap; background: #f7f7f7; border: 1px solid #ddd; padding: .75rem; }
  .control { border: 1px solid #ccc; padding: .5rem 1rem; margin: 1rem 0; }
  .refusing { background: #fff1f0; border-color: #d33; }
  .muted { color: #666; }
</style>
</head>
<body>
${body}
</body>
</html>`;
}

function control(refusing: RefuseMode | null): string {
  const option = (value: string, label: string, selected: boolean) =>
    `<option value="${value}"${selected ? " selected" : ""}>${label}</option>`;
  return `<form class="control${refusing ? " refusing" : ""}" method="post" action="/_control">
  <p><strong>Sends:</strong> ${
    refusing === "hang"
      ? "every send <strong>hangs</strong> unanswered until the worker's send timeout gives up"
      : refusing
        ? `every send is <strong>refused with ${refusing}</strong>, as Resend would refuse it`
        : "accepted"
  }</p>
  <label>Answer the worker's sends with
    <select name="mode">
      ${option("accept", "accept (200)", refusing === null)}
      ${option("403", "refuse: 403 domain not verified", refusing === 403)}
      ${option("422", "refuse: 422 validation error", refusing === 422)}
      ${option("500", "refuse: 500 server error", refusing === 500)}
      ${option("hang", "hang: never answer", refusing === "hang")}
    </select>
  </label>
  <button type="submit">Apply</button>
</form>`;
}

export function listPage(
  emails: readonly AcceptedEmail[],
  refusing: RefuseMode | null,
  calls: readonly RecordedRequest[],
): string {
  const rows = [...emails]
    .reverse()
    .map(
      (e) => `<tr>
  <td>${escapeHtml(time(e.receivedAt))}</td>
  <td>${escapeHtml(list(e.body.from))}</td>
  <td>${escapeHtml(list(e.body.to))}</td>
  <td><a href="/messages/${encodeURIComponent(e.id)}">${escapeHtml(e.body.subject)}</a></td>
  <td>${e.attachments.length ? `${e.attachments.length} file${e.attachments.length > 1 ? "s" : ""}` : ""}</td>
</tr>`,
    )
    .join("\n");
  const refused = calls.filter((c) => c.status >= 400).length;
  const subjectOf = (body: unknown) =>
    typeof body === "object" && body !== null ? (body as { subject?: unknown }).subject : "";
  const recent = calls
    .slice(-10)
    .reverse()
    .map(
      (c) => `<tr>
  <td>${escapeHtml(time(c.at))}</td>
  <td>${c.status === 0 ? "no answer" : c.status}</td>
  <td>${escapeHtml(c.error ?? "")}</td>
  <td>${escapeHtml(subjectOf(c.body) ?? "")}</td>
</tr>`,
    )
    .join("\n");
  return layout(
    `Mailbox (${emails.length})`,
    `<h1>Mailbox</h1>
<p class="muted">Every mail the worker sent to this local stand-in for Resend, newest first.
${calls.length} API calls so far, ${refused} refused. <a href="/">Refresh</a></p>
${control(refusing)}
${
  emails.length
    ? `<table>
<thead><tr><th>Received</th><th>From</th><th>To</th><th>Subject</th><th>Files</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`
    : `<p>No mail yet. Submit the form at the worker's <code>/</code> and refresh.</p>`
}
${
  calls.length
    ? `<h2>Recent API calls</h2>
<table class="calls">
<thead><tr><th>Received</th><th>Answer</th><th>Error</th><th>Subject</th></tr></thead>
<tbody>
${recent}
</tbody>
</table>`
    : ""
}`,
  );
}

export function messagePage(e: AcceptedEmail): string {
  const base = `/messages/${encodeURIComponent(e.id)}`;
  const header = (name: string, value: unknown) =>
    value === undefined || value === ""
      ? ""
      : `<tr><th>${escapeHtml(name)}</th><td>${escapeHtml(list(value))}</td></tr>`;
  const extra = Object.entries(e.body.headers ?? {})
    .map(([k, v]) => header(k, v))
    .join("");
  const files = e.attachments
    .map(
      (a, i) =>
        `<li><a href="${base}/attachments/${i}" download="${escapeHtml(a.filename)}">${escapeHtml(a.filename)}</a>
  <span class="muted">${escapeHtml(a.contentType ?? "no type given")}, ${bytes(a.bytes.byteLength)}${
    a.path ? `, fetched from <code>${escapeHtml(a.path)}</code>` : ", sent inline"
  }</span></li>`,
    )
    .join("\n");
  return layout(
    e.body.subject,
    `<p><a href="/">← Mailbox</a></p>
<h1>${escapeHtml(e.body.subject)}</h1>
<table class="headers">
${header("From", e.body.from)}
${header("To", e.body.to)}
${header("Cc", e.body.cc)}
${header("Reply-To", e.body.reply_to)}
${header("Subject", e.body.subject)}
${header("Received", time(e.receivedAt))}
${header("Idempotency-Key", e.idempotencyKey ?? "")}
${header("Resend id", e.id)}
${extra}
</table>
${
  e.attachments.length
    ? `<h2>Attachments</h2>
<ul>
${files}
</ul>`
    : ""
}
<h2>HTML part</h2>
${
  typeof e.body.html === "string"
    ? `<iframe sandbox src="${base}/html" title="HTML part" referrerpolicy="no-referrer"></iframe>`
    : `<p class="muted">None.</p>`
}
<h2>Text part</h2>
${typeof e.body.text === "string" ? `<pre>${escapeHtml(e.body.text)}</pre>` : `<p class="muted">None.</p>`}`,
  );
}

export function notFoundPage(): string {
  return layout("Not found", `<p>No such mail. <a href="/">← Mailbox</a></p>`);
}

/** `Content-Disposition` for a download: an ASCII fallback and the UTF-8 name (RFC 6266). */
export function attachmentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\%]/g, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}
