// Load with failures: 1,000 submissions, 50 at a time, a third with a file, against
// `wrangler dev` while the fake Resend (a real HTTP server) fails a share of calls
// with 429s, 5xx, dropped connections, answers that never arrive and timeouts longer
// than the worker waits, refuses 10 % of link fetches (a WAF in front of /files) and
// enforces Resend's rate limit of 2 per second. Afterwards every inquiry must be
// stored, and after the scheduled runs every one mailed exactly once, its file by
// link or inline. Time is scaled for CI: the fake's second lasts SECOND_MS, and the
// worker paces to RESEND_RATE per real second, the same 2 per (scaled) second.
//   npm run test:e2e -- load              # only this file
//   LOAD_TOTAL=200 LOAD_SEED=7 npm run test:e2e -- load
import { createHash } from "node:crypto";
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDev, type DevServer } from "../scripts/lib/dev-server.ts";
import { FakeResend, type Failure } from "../tests/fakes/resend.ts";
import { pool } from "./pool.ts";
import { startFakeResendServer, type FakeResendServer } from "./resend-server.ts";

const TOTAL = Number(process.env.LOAD_TOTAL ?? 1000);
const CONCURRENCY = 50;
const SEED = Number(process.env.LOAD_SEED ?? 20261121);
/** A share of every call to Resend fails, in the immediate sends and the scheduled ones alike. */
const FAIL_RATE = 0.2;
const FAILURES: Failure[] = [
  { kind: "status", status: 429, retryAfter: 1 },
  { kind: "status", status: 500 },
  { kind: "status", status: 503 },
  { kind: "network" },
  { kind: "lost_response" },
  // Longer than the worker's 15 s send timeout: the worker gives up first.
  { kind: "timeout", ms: 20_000 },
];
/** Link fetches Resend's fetcher is refused (403), as Bot Fight Mode or a WAF rule does. */
const LINK_BLOCK_RATE = 0.1;
/** Resend's default rate limit, 2 per second, with the fake's second scaled to SECOND_MS. */
const RATE_LIMIT = 2;
const SECOND_MS = 100;
/** The worker's pace, in real seconds: under RATE_LIMIT per scaled second (20 per real second). */
const RESEND_RATE = 16;
const API_KEY = "re_load_0123456789";
const ADMIN_TOKEN = "load-admin-token-0123456789abcdef0123";
const PORT = Number(process.env.E2E_LOAD_PORT ?? 8794);
/** The scheduled handler claims 40 due mails per run. */
const BATCH = 40;
const HOUR = 3_600_000;

/** mulberry32: the same seed gives the same failures, so a failing run can be repeated. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/** The part of GET /admin/inquiries/ID this test reads. */
interface Exported {
  attachment: { sha256: string } | null;
  delivery: { status: string; attempts: number };
}

interface Sent {
  fields: Record<string, string>;
  file: Buffer | null;
  id: string;
}

/** Every third submission carries a small PDF of its own. */
function submission(i: number): { fields: Record<string, string>; file: Buffer | null } {
  const fields = {
    name: `Ana Novak ${i}`,
    email: `ana.${i}@primer.si`,
    phone: "+386 41 123 456",
    company: i % 3 === 0 ? "" : `Primer ${i} d.o.o.`,
    service: i % 2 === 0 ? "Welding" : "CNC machining",
    message: `Povpraševanje št. ${i}: prosimo za ponudbo za ${i + 10} kosov.\nRok: marec.`,
  };
  const file =
    i % 3 === 0
      ? Buffer.concat([
          Buffer.from(`%PDF-1.7\n% inquiry ${i}\n`),
          Buffer.alloc(16_000, 0x20),
          Buffer.from("\n%%EOF\n"),
        ])
      : null;
  return { fields, file };
}

/** Each submission from its own address (198.18.0.0/15, the benchmarking range), as real visitors are. */
const clientIp = (i: number) => `198.18.${i >> 8}.${i & 255}`;

async function until(check: () => boolean | Promise<boolean>, ms: number) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

let dev: DevServer;
let resend: FakeResendServer;
const sent: Sent[] = [];
const statuses = new Map<number, number>();

beforeAll(async () => {
  resend = await startFakeResendServer(API_KEY);
  const persistTo = `.e2e/state-${PORT}`;
  rmSync(persistTo, { recursive: true, force: true });
  dev = await startDev({
    port: PORT,
    persistTo,
    vars: {
      RESEND_API_KEY: API_KEY,
      RESEND_BASE_URL: resend.url,
      ADMIN_TOKEN,
      PUBLIC_URL: `http://127.0.0.1:${PORT}`,
      RESEND_RATE: String(RESEND_RATE),
    },
  });
  resend.fake
    .failRandomly(FAIL_RATE, FAILURES, prng(SEED))
    .blockLinkFetches(LINK_BLOCK_RATE, prng(SEED ^ 0x5eed))
    .rateLimit(RATE_LIMIT, SECOND_MS);
});
afterAll(async () => {
  dev?.stop();
  await resend?.close();
});

const admin = (path: string, init: RequestInit = {}) =>
  fetch(`${dev.base}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...init.headers },
  });

/** /health with the token: counts per delivery state, computed afresh (never the cached public answer). */
async function health(): Promise<{ deliveries: { pending: number; failed: number } }> {
  return (await admin("/health")).json();
}

describe(`load: ${TOTAL} submissions, ${CONCURRENCY} at a time, Resend failing ${FAIL_RATE * 100} % of calls, refusing ${LINK_BLOCK_RATE * 100} % of link fetches, ${RATE_LIMIT}/s`, () => {
  it("answers every submission 201 and stores every one", { timeout: 300_000 }, async () => {
    const start = performance.now();
    const results = await pool(TOTAL, CONCURRENCY, async (i) => {
      const { fields, file } = submission(i);
      const body = new FormData();
      for (const [k, v] of Object.entries(fields)) body.set(k, v);
      if (file)
        body.set(
          "attachment",
          new Blob([new Uint8Array(file)], { type: "application/pdf" }),
          `ponudba-${i}.pdf`,
        );
      const res = await fetch(`${dev.base}/inquiry`, {
        method: "POST",
        body,
        headers: { accept: "application/json", "cf-connecting-ip": clientIp(i) },
      });
      const answer = (await res.json()) as { ok: boolean; id?: string };
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      return { fields, file, id: answer.id ?? "", status: res.status };
    });
    const seconds = (performance.now() - start) / 1000;
    console.log(
      `load: ${TOTAL} submissions in ${seconds.toFixed(1)} s (${Math.round(TOTAL / seconds)}/s), answers ${JSON.stringify(Object.fromEntries(statuses))}`,
    );
    expect(Object.fromEntries(statuses)).toEqual({ 201: TOTAL });
    sent.push(...results);
    expect(new Set(sent.map((s) => s.id)).size).toBe(TOTAL);

    // Each row as the operator API exports it: all fields, the file's hash.
    const rows = await pool(TOTAL, CONCURRENCY, async (i) => {
      const res = await admin(`/admin/inquiries/${sent[i]!.id}`);
      const body = (await res.json()) as { inquiry: Exported };
      return { status: res.status, inquiry: body.inquiry };
    });
    for (const [i, row] of rows.entries()) {
      const { fields, file } = sent[i]!;
      expect(row.status).toBe(200);
      expect(row.inquiry).toMatchObject({ ...fields, company: fields.company || null });
      expect(row.inquiry.attachment?.sha256 ?? null).toBe(file ? sha256(file) : null);
    }
  });

  it(
    "mails every inquiry exactly once after the scheduled runs",
    { timeout: 600_000 },
    async () => {
      // Let the immediate sends (one per submission, in waitUntil) finish first.
      await until(() => resend.inFlight() === 0 && resend.fake.requests.length >= TOTAL, 60_000);
      const immediate = resend.fake.emails.length;

      // Scheduled runs at scheduledTime 1 h apart: the backoff after any of the
      // first six attempts (at most 38 min with jitter) is due at the next round,
      // and a 429 (never an attempt) hands its row to the next round. Up to 22
      // rounds stay inside the 23-hour window in which every automatic retry must
      // happen (Resend keeps a key 24 h). When more is pending than one run claims,
      // several runs overlap, as cron invocations can: the atomic claim keeps them
      // apart, and a run that keeps meeting 429s hands the rest back.
      let clock = Date.now();
      let rounds = 0;
      let pending = (await health()).deliveries.pending;
      while (pending > 0 && rounds < 22) {
        rounds++;
        clock += HOUR;
        const runs = Math.min(8, Math.ceil(pending / BATCH));
        await Promise.all(
          Array.from({ length: runs }, async () => {
            const res = await fetch(`${dev.base}/cdn-cgi/local/scheduled?time=${clock}`);
            await res.text();
          }),
        );
        pending = (await health()).deliveries.pending;
        console.log(`load: scheduled round ${rounds} (${runs} runs): ${pending} still pending`);
      }
      const injected = Object.fromEntries(resend.fake.injected);
      const limited = resend.fake.requests.filter((r) => r.error === "rate_limit_exceeded").length;
      console.log(
        `load: ${resend.fake.requests.length} calls to Resend, ${immediate} mailed at once, failures injected ${JSON.stringify(injected)}, ${limited} refused by the rate limit, ${resend.fake.linkFetchesBlocked} link fetches refused`,
      );

      expect(await health()).toMatchObject({ deliveries: { pending: 0, failed: 0 } });
      // Every kind of failure did happen, lost answers, refused links and the rate limit included.
      for (const f of FAILURES) {
        expect(injected[f.kind === "status" ? `status:${f.status}` : f.kind]).toBeGreaterThan(0);
      }
      expect(resend.fake.linkFetchesBlocked).toBeGreaterThan(0);

      // Exactly one e-mail per inquiry: a retry after a lost answer reused its key, and
      // the inline resend after a refused link went instead of, not beside, the linked one.
      const inquiryOf = (key: string | null) => (key ?? "").replace(/^inquiry-|-inline$/g, "");
      const byInquiry = new Map<string, number>();
      for (const e of resend.fake.emails) {
        const id = inquiryOf(e.idempotencyKey);
        byInquiry.set(id, (byInquiry.get(id) ?? 0) + 1);
      }
      expect(resend.fake.emails.length).toBe(TOTAL);
      expect([...byInquiry.values()].every((n) => n === 1)).toBe(true);
      expect(new Set(byInquiry.keys())).toEqual(new Set(sent.map((s) => s.id)));

      // Each to the company, answering the visitor, with the visitor's own file.
      const mailOf = new Map(resend.fake.emails.map((e) => [inquiryOf(e.idempotencyKey), e]));
      let inline = 0;
      for (const { id, fields, file } of sent) {
        const mail = mailOf.get(id)!;
        expect(mail.body.reply_to).toBe(fields.email);
        expect(mail.body.text).toContain(fields.message);
        expect(mail.body.attachments?.length ?? 0).toBe(file ? 1 : 0);
        if (file) {
          // Fetched by link from the worker, as Resend does, or inline after a refused link.
          if (mail.idempotencyKey!.endsWith("-inline")) {
            inline++;
            expect(typeof mail.body.attachments![0]!.content).toBe("string");
          } else {
            expect(mail.attachments[0]!.path).toMatch(new RegExp(`/files/${id}/[\\w-]{43}$`));
            expect(mail.body.attachments![0]!.content).toBeUndefined();
          }
          expect(sha256(FakeResend.attachmentBytes(mail))).toBe(sha256(file));
        }
      }
      console.log(`load: ${inline} files inline after a refused link`);
      expect(inline).toBeGreaterThan(0);

      // And the stored rows say so.
      const rows = await pool(TOTAL, CONCURRENCY, async (i) => {
        const res = await admin(`/admin/inquiries/${sent[i]!.id}`);
        return ((await res.json()) as { inquiry: Exported }).inquiry;
      });
      expect(rows.every((r) => r.delivery.status === "sent")).toBe(true);
    },
  );
});
