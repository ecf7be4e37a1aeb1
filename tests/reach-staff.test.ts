import { Webhook } from "standardwebhooks";
import { beforeEach, describe, expect, it } from "vitest";
import { composeMail, headerSafe, staffTime } from "../src/mail/compose.ts";
import { parseConfig } from "../src/config/config.ts";
import { insertInquiry } from "../src/store/inquiries.ts";
import { FakeResend } from "./fakes/resend.ts";
import { pdfOfSize, samples } from "./file-samples.ts";
import {
  ADMIN_TOKEN,
  call,
  env,
  file,
  installFakes,
  newInquiry,
  runCron,
  sha256Hex,
  storedRow,
  submit,
  validFields,
  type Fakes,
} from "./helpers.ts";

// Each finding of "every inquiry reaches the staff", through the worker's fetch and scheduled.

const SECRET = "whsec_dGVzdC13ZWJob29rLXNlY3JldC0wMTIzNDU2Nzg5YWJjZGVm";
const ROTATED = "whsec_cm90YXRlZC1zZWNyZXQtYWJjZGVmMDEyMzQ1Njc4OWFiY2Q=";

let fakes: Fakes;
beforeEach(() => {
  fakes = installFakes();
});

const idOf = async (res: Response) => ((await res.json()) as { id: string }).id;

describe("a file link Resend cannot fetch never keeps the inquiry from the staff", () => {
  it("with every link fetch refused (a WAF in front of /files), each inquiry arrives with its file inline", async () => {
    fakes.resend.blockLinkFetches(1);
    const files = [pdfOfSize(40_000), samples.pdf(), pdfOfSize(700_000)];
    const ids: string[] = [];
    for (const bytes of files) {
      ids.push(await idOf(await submit({ ...validFields(), attachment: file(bytes, "plan.pdf") })));
    }
    await runCron(Date.now() + 60_000);
    for (const [i, id] of ids.entries()) {
      const row = (await storedRow(id))!;
      expect(row.delivery_status).toBe("sent");
      expect(row.link_refused).toBe(1);
      const mails = fakes.resend.emails.filter((e) => e.idempotencyKey?.includes(id));
      expect(mails).toHaveLength(1);
      expect(mails[0]!.attachments[0]!.path).toBeNull();
      expect(await sha256Hex(FakeResend.attachmentBytes(mails[0]!))).toBe(
        await sha256Hex(files[i]!),
      );
    }
    expect(fakes.resend.linkFetchesBlocked).toBe(files.length);
  });

  it("a refused link is not tried again on the operator's retry: the file goes inline", async () => {
    const id = await idOf(
      await submit({ ...validFields(), attachment: file(samples.pdf(), "a.pdf") }),
    );
    expect((await storedRow(id))!.link_refused).toBe(0);
    await env.DB.prepare(
      "UPDATE inquiries SET link_refused = 1, delivery_status = 'pending', next_attempt_at = ?1 WHERE id = ?2",
    )
      .bind(Date.now(), id)
      .run();
    await runCron(Date.now() + 60_000);
    const last = fakes.resend.requests.at(-1)!.body as { attachments: { path?: string }[] };
    expect(last.attachments[0]!.path).toBeUndefined();
  });

  it("a file too large to carry inline is announced in the mail, with how to get it", () => {
    const parsed = parseConfig({ ...env, PUBLIC_URL: "https://forms.example.com" });
    if (!parsed.ok) throw new Error("config");
    const inquiry = newInquiry({
      attachment: {
        key: "k",
        filename: "big.pdf",
        size: 30_000_000,
        type: "application/pdf",
        sha256: "ab".repeat(32),
      },
    });
    const mail = composeMail(inquiry, parsed.config, { omitted: true });
    expect(mail.attachments).toBeUndefined();
    expect(mail.text).toContain("big.pdf");
    expect(mail.text).toMatch(/ni priložena|not attached/);
    expect(mail.text).toContain(inquiry.id);
  });
});

describe("sends are paced to RESEND_RATE and a 429 is never an attempt", () => {
  it("with the fake enforcing 2 per second, 50 queued mails are all sent, none failed, one attempt each", async () => {
    fakes.resend.rateLimit(2);
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) {
      const inquiry = newInquiry({ createdAt: Date.now() - 60_000 });
      await insertInquiry(env.DB, inquiry);
      ids.push(inquiry.id);
    }
    // Cron runs are minutes apart; back to back, a run's first send could meet the last one's
    // in the same second, which no pacer inside one run can see.
    for (let run = 0; run < 8; run++) {
      await runCron(Date.now());
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    const rows = await env.DB.prepare(
      `SELECT delivery_status AS s, delivery_attempts AS n FROM inquiries WHERE id IN (${ids.map(() => "?").join(",")})`,
    )
      .bind(...ids)
      .all<{ s: string; n: number }>();
    expect(rows.results.filter((r) => r.s === "sent")).toHaveLength(50);
    expect(rows.results.every((r) => r.n === 1)).toBe(true);
    expect(fakes.resend.emails).toHaveLength(50);
    // Paced: the fake never had to refuse one.
    expect(fakes.resend.requests.filter((r) => r.status === 429)).toHaveLength(0);
  }, 120_000);

  it("429s within a run are waited out (Retry-After) without counting an attempt", async () => {
    const inquiry = newInquiry({ createdAt: Date.now() - 60_000 });
    await insertInquiry(env.DB, inquiry);
    fakes.resend.failNext({ kind: "status", status: 429, retryAfter: 1 }, 2);
    await runCron(Date.now());
    expect(await storedRow(inquiry.id)).toMatchObject({
      delivery_status: "sent",
      delivery_attempts: 1,
    });
    expect(fakes.resend.requests.map((r) => r.status)).toEqual([429, 429, 200]);
  });

  it("a lasting 429 hands the inquiry back, attempt not counted, due after Retry-After", async () => {
    const inquiry = newInquiry({ createdAt: Date.now() - 60_000 });
    await insertInquiry(env.DB, inquiry);
    const now = Date.now();
    fakes.resend.failNext({ kind: "status", status: 429, retryAfter: 60 }, 1);
    await runCron(now);
    const row = (await storedRow(inquiry.id))!;
    expect(row).toMatchObject({
      delivery_status: "pending",
      delivery_attempts: 0,
      first_attempt_at: null,
    });
    expect(row.next_attempt_at).toBe(now + 60_000);
  });

  it("a 429 on the send right after storing leaves the inquiry pending with no attempt spent", async () => {
    fakes.resend.failNext({ kind: "status", status: 429, retryAfter: 1 }, 1);
    const id = await idOf(await submit(validFields()));
    expect(await storedRow(id)).toMatchObject({ delivery_status: "pending", delivery_attempts: 0 });
    await runCron(Date.now() + 5_000);
    expect(await storedRow(id)).toMatchObject({ delivery_status: "sent", delivery_attempts: 1 });
  });

  it("RESEND_RATE must be a whole number from 1 to 100", () => {
    for (const bad of ["0", "abc", "101"]) {
      const r = parseConfig({ ...env, RESEND_RATE: bad });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.problems.map((p) => p.name)).toContain("RESEND_RATE");
    }
  });
});

describe("PUBLIC_URL", () => {
  it("must be an https origin (http only for localhost), and without it /health warns", () => {
    for (const bad of ["http://forms.example.com", "https://forms.example.com/path", "ftp://x.y"]) {
      const r = parseConfig({ ...env, PUBLIC_URL: bad });
      expect(r.ok, bad).toBe(false);
      if (!r.ok) expect(r.problems.map((p) => p.name)).toContain("PUBLIC_URL");
    }
    const local = parseConfig({ ...env, PUBLIC_URL: "http://localhost:8787/" });
    expect(local.ok && local.config.publicUrl).toBe("http://localhost:8787");
    const none = parseConfig({ ...env, PUBLIC_URL: "" });
    expect(none.warnings.map((w) => w.code)).toContain("no_public_url");
  });
});

function signedHeaders(body: string, secret: string, prefix: "svix" | "webhook") {
  const id = `msg_${crypto.randomUUID()}`;
  const at = new Date();
  return {
    [`${prefix}-id`]: id,
    [`${prefix}-timestamp`]: String(Math.floor(at.getTime() / 1000)),
    [`${prefix}-signature`]: new Webhook(secret).sign(id, at, body),
  };
}

function hook(body: string, headers: Record<string, string>) {
  return call(
    new Request("https://forms.example.com/webhooks/resend", {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body,
    }),
    { RESEND_WEBHOOK_SECRET: SECRET },
  );
}

async function healthProblems(): Promise<string[]> {
  const res = await call(
    new Request("https://forms.example.com/health", {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "cf-connecting-ip": "203.0.113.9" },
    }),
    { RESEND_WEBHOOK_SECRET: SECRET },
  );
  return ((await res.json()) as { problems: { code: string }[] }).problems.map((p) => p.code);
}

describe("webhooks: Standard Webhooks names, tags as a list, a rotated secret shows", () => {
  it("`webhook-*` headers and tags as a list of {name,value} move the inquiry", async () => {
    const id = await idOf(await submit(validFields()));
    const mail = fakes.resend.emails[0]!;
    const body = JSON.stringify({
      type: "email.delivered",
      created_at: new Date().toISOString(),
      // No email_id match possible before the send's answer: the tag finds the inquiry.
      data: { email_id: "unknown-id", tags: mail.body.tags },
    });
    expect(Array.isArray(mail.body.tags)).toBe(true);
    const res = await hook(body, signedHeaders(body, SECRET, "webhook"));
    expect(res.status).toBe(200);
    expect((await storedRow(id))!.delivery_status).toBe("delivered");
  });

  it("signed events failing verification (a rotated secret) make /health say so; a verified one clears it", async () => {
    expect(await healthProblems()).not.toContain("webhook_signature_failing");
    const body = JSON.stringify({ type: "email.delivered", data: { email_id: "x" } });
    for (let i = 0; i < 3; i++) {
      expect((await hook(body, signedHeaders(body, ROTATED, "svix"))).status).toBe(401);
    }
    // Unsigned probes are not counted.
    expect((await hook(body, {})).status).toBe(401);
    expect(await healthProblems()).toContain("webhook_signature_failing");
    expect((await hook(body, signedHeaders(body, SECRET, "svix"))).status).toBe(200);
    expect(await healthProblems()).not.toContain("webhook_signature_failing");
  });
});

describe("sending twice: Idempotency-Key and _submission", () => {
  it("a repeated Idempotency-Key answers as the first: same status and id, one inquiry, one mail", async () => {
    const base = validFields();
    const fields = { ...base, attachment: file(samples.pdf(), "a.pdf") };
    const key = crypto.randomUUID();
    const filesBefore = (await env.ATTACHMENTS.list()).objects.length;
    const first = await submit(fields, { headers: { "idempotency-key": key } });
    const again = await submit(fields, { headers: { "idempotency-key": `"${key}"` } });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    const id = await idOf(first);
    expect(await idOf(again)).toBe(id);
    const n = await env.DB.prepare("SELECT count(*) AS n FROM inquiries WHERE email_key = ?")
      .bind(base.email!.toLowerCase())
      .first<{ n: number }>();
    expect(n!.n).toBe(1);
    expect(fakes.resend.emails).toHaveLength(1);
    // The repeat's own file was not kept.
    const listed = await env.ATTACHMENTS.list();
    expect(listed.objects.filter((o) => o.key.includes(id))).toHaveLength(1);
    expect(listed.objects).toHaveLength(filesBefore + 1);
  });

  it("a `_submission` field works the same for a plain form post (a double click without script)", async () => {
    const fields = { ...validFields(), _submission: crypto.randomUUID() };
    const html = { accept: "text/html" };
    const a = await submit(fields, { encoding: "urlencoded", ...html });
    const b = await submit(fields, { encoding: "urlencoded", ...html });
    expect(a.status).toBe(303);
    expect(b.status).toBe(303);
    expect(b.headers.get("location")).toBe(a.headers.get("location"));
    expect(fakes.resend.emails).toHaveLength(1);
  });

  it("the same key with other content is 422 idempotency_key_reused, and nothing is stored", async () => {
    const key = crypto.randomUUID();
    await submit(validFields(), { headers: { "idempotency-key": key } });
    const res = await submit(validFields({ message: "Another text." }), {
      headers: { "idempotency-key": key, "accept-language": "en" },
    });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { code: string; message: string };
    expect(body.code).toBe("idempotency_key_reused");
    expect(body.message).toMatch(/already sent/);
    expect(fakes.resend.emails).toHaveLength(1);
  });

  it("keys are kept as a hash of the content only, and purged after 24 hours", async () => {
    const key = crypto.randomUUID();
    const fields = validFields();
    const id = await idOf(await submit(fields, { headers: { "idempotency-key": key } }));
    const row = await env.DB.prepare("SELECT * FROM submission_keys WHERE key = ?")
      .bind(key)
      .first<Record<string, unknown>>();
    expect(row).toMatchObject({ inquiry_id: id });
    expect(JSON.stringify(row)).not.toContain(fields.name);
    await runCron(Date.now() + 24 * 60 * 60_000 + 60_000);
    const gone = await env.DB.prepare("SELECT 1 FROM submission_keys WHERE key = ?")
      .bind(key)
      .first();
    expect(gone).toBeNull();
  });

  it("a malformed key is a clear 422 on `_submission`", async () => {
    const res = await submit(validFields(), { headers: { "idempotency-key": "x".repeat(300) } });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { errors: { field: string }[] };
    expect(body.errors.map((e) => e.field)).toContain("_submission");
  });
});

describe("the staff mail's visible text", () => {
  it("shows no SHA-256 hash and no idempotency key", async () => {
    const bytes = samples.pdf();
    const id = await idOf(
      await submit(
        { ...validFields(), attachment: file(bytes, "a.pdf") },
        {
          headers: { "idempotency-key": "visitor-key-123" },
        },
      ),
    );
    const mail = fakes.resend.emails[0]!;
    const hash = await sha256Hex(bytes);
    for (const part of [mail.body.text!, mail.body.html!]) {
      expect(part).not.toContain(hash);
      expect(part).not.toMatch(/SHA-256/);
      expect(part).not.toContain("visitor-key-123");
      expect(part).not.toContain(`inquiry-${id}`);
    }
    expect((await storedRow(id))!.attachment_sha256).toBe(hash);
  });
});

describe("a header value is cut at code points, never inside one", () => {
  it("keeps up to the limit whole and cuts past it between code points", () => {
    const emoji = "\u{1F600}"; // two UTF-16 units, one code point
    // 150 code points in 300 UTF-16 units: under the limit of 200, kept whole.
    expect(headerSafe(emoji.repeat(150))).toBe(emoji.repeat(150));
    const cut = headerSafe(`${emoji.repeat(199)}ab`);
    expect([...cut]).toHaveLength(200);
    expect(cut).toBe(`${emoji.repeat(199)}a`);
    expect(headerSafe("a".repeat(200))).toBe("a".repeat(200));
    expect(headerSafe(`  ${"b".repeat(201)}`, 5)).toBe("bbbbb");
  });
});

describe("the time received, as the staff read it", () => {
  it("is exact at the minute a zone changes its offset, and per zone within one minute", () => {
    // Europe/Ljubljana went to summer time at 2026-03-29 01:00 UTC (EU rule, last Sunday of March).
    const change = Date.UTC(2026, 2, 29, 1, 0, 0);
    expect(staffTime(change - 1, "Europe/Ljubljana")).toBe("2026-03-29 01:59 CET");
    expect(staffTime(change, "Europe/Ljubljana")).toBe("2026-03-29 03:00 CEST");
    expect(staffTime(change + 59_999, "Europe/Ljubljana")).toBe("2026-03-29 03:00 CEST");
    expect(staffTime(change + 59_999, "Asia/Kolkata")).toBe("2026-03-29 06:30 GMT+5:30");
    expect(staffTime(change + 60_000, "Europe/Ljubljana")).toBe("2026-03-29 03:01 CEST");
  });
});
