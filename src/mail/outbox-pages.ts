import { Hono } from "hono";
import type { AppEnv } from "../http/app.ts";
import { html, type SafeHtml } from "../pages/html.ts";
import { layout } from "../pages/layout.ts";
import { page } from "../http/respond.ts";
import { formatBytes } from "../inquiry/attachment.ts";
import type { OutboxMessage } from "./send.ts";

function outboxPage(title: string, body: SafeHtml): Response {
  return page(layout("en", title, body));
}

/**
 * The local outbox: what would have been mailed, for development without a
 * Resend key (`npm run dev`). Absent unless LOCAL_OUTBOX is on and no key is set.
 */
export function outboxRoutes() {
  const outbox = new Hono<AppEnv>();

  outbox.use("*", async (c, next) => {
    if (!c.get("config").localOutbox) return c.notFound();
    await next();
  });

  outbox.get("/", async (c) => {
    const listed = await c.env.ATTACHMENTS.list({ prefix: "outbox/", limit: 1000 });
    const messages = listed.objects
      .filter((o) => o.key.endsWith("/message.json"))
      .sort((a, b) => b.uploaded.getTime() - a.uploaded.getTime())
      .slice(0, 200);
    const rows = await Promise.all(
      messages.map(async (o) => {
        const id = o.key.split("/")[1]!;
        const m = (await (await c.env.ATTACHMENTS.get(o.key))?.json()) as OutboxMessage | null;
        return html`<li>
          <a href="/outbox/${id}">${m?.subject ?? id}</a>
          <small>${m?.savedAt ?? ""}${m?.attachments?.length ? " · 📎" : ""}</small>
        </li>`;
      }),
    );
    return outboxPage(
      "Local outbox",
      html`<h1>Local outbox</h1>
        <p>
          Mail the worker would have sent through Resend (newest first). Set RESEND_API_KEY to send
          for real.
        </p>
        ${
          rows.length
            ? html`<ul>
                ${rows}
              </ul>`
            : html`<p>No mail yet. Submit the <a href="/">form</a>.</p>`
        }`,
    );
  });

  outbox.get("/:id", async (c) => {
    const id = c.req.param("id");
    const object = await c.env.ATTACHMENTS.get(`outbox/${id}/message.json`);
    if (!object) return c.notFound();
    const m = (await object.json()) as OutboxMessage;
    const a = m.attachments?.[0];
    return outboxPage(
      m.subject,
      html`<p><a href="/outbox">← Outbox</a></p>
        <h1>${m.subject}</h1>
        <dl>
          <dt>From</dt>
          <dd>${m.from}</dd>
          <dt>To</dt>
          <dd>${m.to.join(", ")}</dd>
          <dt>Reply-To</dt>
          <dd>${m.replyTo}</dd>
          <dt>Saved</dt>
          <dd>${m.savedAt}</dd>
          ${
            a
              ? html`<dt>Attachment</dt>
                  <dd>
                    <a href="/outbox/${id}/attachment" download="${a.filename}">${a.filename}</a>
                    (${formatBytes(a.size)}, ${a.contentType})
                  </dd>`
              : ""
          }
        </dl>
        <h2>Text part</h2>
        <pre style="white-space:pre-wrap">${m.text}</pre>
        <h2>HTML part</h2>
        <p>Shown as source: the outbox never renders mail markup.</p>
        <pre style="white-space:pre-wrap">${m.html}</pre>`,
    );
  });

  outbox.get("/:id/attachment", async (c) => {
    const object = await c.env.ATTACHMENTS.get(`outbox/${c.req.param("id")}/attachment`);
    if (!object) return c.notFound();
    const filename = object.customMetadata?.filename ?? "attachment";
    return new Response(object.body, {
      headers: {
        "content-type": object.httpMetadata?.contentType ?? "application/octet-stream",
        "content-disposition": `attachment; filename*=UTF-8''${encodeURIComponent(filename)}`,
      },
    });
  });

  return outbox;
}
