// The floor the benchmark compares the worker against: the one rate-limit call
// every conforming worker must make, parse the body, write one D1 row (and one
// R2 object when there is a file), answer, then post the same kind of mail
// payload once to Resend, the file inline as base64. No validation, no file
// checks, no logs, no retries: whatever the real worker costs beyond this is its own.
// With REQUIRED_WRITES=1 it also makes the two other writes the contract asks
// of every conforming worker (a technical-log row per request, in its own
// database, and the "sent" mark once Resend accepts), both after the answer.
// Its bindings are slowed and failed by the same plan as the worker's
// (testing/entry.ts, var BINDING_PLAN), so both pay the same per storage call.
import { instrumented } from "../../testing/entry.ts";

interface Env {
  DB: D1Database;
  LOG_DB: D1Database;
  REQUIRED_WRITES: string;
  FILES: R2Bucket;
  MAIL_TO: string;
  MAIL_FROM: string;
  RESEND_API_KEY: string;
  RESEND_BASE_URL: string;
  SUBMIT_LIMITER: RateLimit;
}

const FIELDS = ["name", "email", "phone", "company", "service", "message"] as const;

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 32768) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 32768));
  }
  return btoa(binary);
}

const floor = {
  async fetch(request, env, ctx): Promise<Response> {
    // The one thing beside the form: the readiness probe the benchmark waits for.
    if (request.method === "GET") return Response.json({ ok: true, storage: "ok" });
    const ip = request.headers.get("cf-connecting-ip") ?? "unknown";
    if (!(await env.SUBMIT_LIMITER.limit({ key: ip })).success) {
      return Response.json({ ok: false }, { status: 429 });
    }
    const form = await request.formData();
    const v = Object.fromEntries(FIELDS.map((k) => [k, String(form.get(k) ?? "")])) as Record<
      (typeof FIELDS)[number],
      string
    >;
    const id = crypto.randomUUID();
    const upload = form.get("attachment");
    const file =
      upload instanceof File && upload.size > 0
        ? {
            name: upload.name,
            type: upload.type,
            bytes: new Uint8Array(await upload.arrayBuffer()),
          }
        : null;
    if (file) await env.FILES.put(id, file.bytes);
    await env.DB.prepare(
      `INSERT INTO inquiries (id, created_at, name, email, phone, company, service, message, file_key)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)`,
    )
      .bind(
        id,
        Date.now(),
        v.name,
        v.email,
        v.phone,
        v.company || null,
        v.service,
        v.message,
        file ? id : null,
      )
      .run();

    const lines = FIELDS.map((k) => `${k}: ${v[k]}`);
    const payload = {
      from: env.MAIL_FROM,
      to: [env.MAIL_TO],
      reply_to: v.email,
      subject: `Inquiry: ${v.service} – ${v.name}`,
      text: lines.join("\n"),
      html: `<table>${FIELDS.map((k) => `<tr><th>${k}</th><td>${escape(v[k])}</td></tr>`).join("")}</table>`,
      ...(file && {
        attachments: [
          { filename: file.name, content: base64(file.bytes), content_type: file.type },
        ],
      }),
    };
    const writes = env.REQUIRED_WRITES === "1";
    if (writes) {
      ctx.waitUntil(
        env.LOG_DB.prepare(
          "INSERT INTO tech_log (minute, network, browser, referrer, outcome) VALUES (?1, ?2, ?3, ?4, ?5)",
        )
          .bind(
            Math.floor(Date.now() / 60_000) * 60_000,
            ip.split(".").slice(0, 3).join("."),
            request.headers.get("user-agent"),
            request.headers.get("referer"),
            "stored",
          )
          .run(),
      );
    }
    ctx.waitUntil(
      fetch(`${env.RESEND_BASE_URL}/emails`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${env.RESEND_API_KEY}`,
          "content-type": "application/json",
          "idempotency-key": `inquiry-${id}`,
        },
        body: JSON.stringify(payload),
      }).then(async (r) => {
        await r.arrayBuffer();
        if (writes && r.ok) {
          await env.DB.prepare("UPDATE inquiries SET sent_at = ?1 WHERE id = ?2")
            .bind(Date.now(), id)
            .run();
        }
      }),
    );
    return Response.json({ ok: true, id }, { status: 201 });
  },
} satisfies ExportedHandler<Env>;

export default instrumented<Env>(floor);
