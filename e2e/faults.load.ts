// Load under faults (`npm run test:faults`, CI runs it after the browser tests):
// 10,000 submissions, 100 at a time, against `wrangler dev` running the worker
// through the test entry point (testing/worker.ts), whose plan fails 2 % of D1
// calls (both databases) with one 30-second burst of failures during the load,
// and 2 % of R2 calls. The fake Resend fails 30 % of calls and is down for two
// simulated hours; scheduled runs follow at simulated times. The fake's clock
// and the worker's wall clock (the test entry point's `clockOffsetMs`) follow
// the same simulated clock, so a send's lease ends in simulated minutes as it
// does in real ones. Afterwards, with the faults switched off to read the
// outcome:
// - every submission was answered 201 or 503, nothing else;
// - every 201 was mailed exactly once within 23 hours of its first attempt, or
//   is `failed` and listed as such; none was mailed twice;
// - a 503 left nothing: the stored inquiries are exactly the 201s, and no mail
//   went out for a 503;
// - the purge still ran under the same faults.
//   npm run test:faults
//   FAULTS_TOTAL=1000 FAULTS_SEED=7 npm run test:faults
import { rmSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDev, type DevServer } from "../scripts/lib/dev-server.ts";
import type { Failure } from "../tests/fakes/resend.ts";
import { resendFailures, seeded, type FaultPlan } from "../testing/faults.ts";
import { pool } from "./pool.ts";
import { startMailCatcher } from "../scripts/lib/mail-catcher.ts";
import type { FakeResendServer } from "./resend-server.ts";

const TOTAL = Number(process.env.FAULTS_TOTAL ?? 10_000);
const CONCURRENCY = 100;
// The burst starts a third of the way in: with fewer than three rounds of
// submissions in flight, too few meet it (or meet anything but it) to check.
const MIN_TOTAL = 3 * CONCURRENCY;
if (!Number.isInteger(TOTAL) || TOTAL < MIN_TOTAL) {
  throw new Error(`FAULTS_TOTAL must be a whole number of at least ${MIN_TOTAL}`);
}
const SEED = Number(process.env.FAULTS_SEED ?? 20261207);
const API_KEY = "re_faults_0123456789";
const ADMIN_TOKEN = "faults-admin-token-0123456789abcdef012";
const PORT = Number(process.env.E2E_FAULTS_PORT ?? 8796);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** The scheduled handler claims at most 40 due mails per run (Workers Paid). */
const BATCH = 40;
/**
 * Runs per 30 simulated minutes: the cron's one every 5 minutes (wrangler.toml),
 * fired side by side as overlapping invocations would be.
 */
const RUNS_PER_ROUND = 6;

const STORAGE_FAULTS: FaultPlan = {
  DB: { rate: 0.02 },
  LOG_DB: { rate: 0.02 },
  ATTACHMENTS: { rate: 0.02 },
};
const RESEND_KINDS: Failure[] = [
  { kind: "status", status: 429, retryAfter: 1 },
  { kind: "status", status: 500 },
  { kind: "status", status: 503 },
  { kind: "network" },
  { kind: "lost_response" },
];

const OUTAGE_KINDS: Failure[] = [{ kind: "status", status: 503 }, { kind: "network" }];

let dev: DevServer;
let resend: FakeResendServer;
/** The simulated clock: the scheduled runs' "now" (the worker's and the fake's clocks follow it). */
let clock = Date.now();
const start = clock;
/** Resend down for two simulated hours; set when the load ends, so the scheduled runs meet it. */
const outage = { from: Number.POSITIVE_INFINITY, to: Number.POSITIVE_INFINITY };

interface Outcome {
  i: number;
  status: number;
  id: string | null;
  /** When it was answered (ms, real clock: the inquiry's first attempt is then). */
  at: number;
}
const outcomes: Outcome[] = [];

/** How far the worker's wall clock is moved ahead of the real one (ms). */
let clockOffsetMs = 0;
let plans = 0;

/**
 * The test entry point's plan: faults on or off (a burst window is on the
 * worker's clock), the worker's clock at `clockOffsetMs`. Each plan draws its
 * failures from its own seed.
 */
async function setPlan(faults: FaultPlan) {
  // A new plan starts its own counts: keep what the last one injected.
  addInjected((await bindings()).injected);
  const res = await fetch(`${dev.direct}/__bindings`, {
    method: "POST",
    body: JSON.stringify({ faults, seed: SEED + plans++, clockOffsetMs }),
  });
  return (await res.json()) as { injected: Record<string, number> };
}

/** Storage faults injected by every plan so far, per binding. */
const injectedSoFar: Record<string, number> = {};
function addInjected(counts: Record<string, number>) {
  for (const [k, n] of Object.entries(counts)) injectedSoFar[k] = (injectedSoFar[k] ?? 0) + n;
}
async function injectedTotal(): Promise<Record<string, number>> {
  const out = { ...injectedSoFar };
  for (const [k, n] of Object.entries((await bindings()).injected)) out[k] = (out[k] ?? 0) + n;
  return out;
}

async function bindings() {
  return (await (await fetch(`${dev.direct}/__bindings`)).json()) as {
    injected: Record<string, number>;
  };
}

/** Every key really in the attachments bucket (read past the faults). */
async function storedFiles(): Promise<string[]> {
  const res = await fetch(`${dev.direct}/__bindings?list=ATTACHMENTS`);
  return ((await res.json()) as { keys: string[] }).keys;
}

/** The submission an accepted mail is about: the `ana.<i>@primer.si` its body names. */
function submissionOf(body: unknown): number | null {
  const m = /ana\.(\d+)@primer\.si/.exec(JSON.stringify(body));
  return m ? Number(m[1]) : null;
}

/**
 * An operator read; with faults on a read may meet a failed D1 call, so it is
 * tried again. /health answers 503 while any delivery is failed, with its counts.
 */
async function admin<T>(path: string, has: (body: T) => boolean): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(`${dev.direct}${path}`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    const body = (await res.json()) as T;
    if (has(body)) return body;
    // Long enough to outlast the 30-second burst.
    if (attempt > 120) throw new Error(`${path}: ${res.status}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

const health = () => admin<Health>("/health", (b) => b.deliveries !== null && !!b.deliveries);
/** Inquiries stored, by delivery state (a held one is also counted in its state). */
const storedCount = (h: Health) =>
  Object.entries(h.deliveries).reduce((n, [k, v]) => (k === "held" ? n : n + v), 0);

interface Health {
  deliveries: Record<string, number>;
}

/** Moves the simulated clock to `at`, the worker's wall clock with it (faults as they are). */
async function moveClock(at: number, faults: FaultPlan) {
  clock = at;
  clockOffsetMs = Math.max(0, at - Date.now());
  await setPlan(faults);
}

async function scheduledRun(at: number) {
  const res = await fetch(`${dev.base}/cdn-cgi/local/scheduled?time=${at}`);
  await res.text();
}

beforeAll(async () => {
  // The fake's own clock is the worker's (the real one while the load runs, then
  // the simulated one): its outage and its idempotency window follow it.
  resend = await startMailCatcher({ apiKey: API_KEY, now: () => Date.now() + clockOffsetMs });
  const random = seeded(SEED);
  // Down: nothing gets through (503s and refused connections); otherwise 30 % of
  // calls fail in every way Resend's can, answers lost after acceptance included.
  const down = resendFailures({ windows: [outage] }, OUTAGE_KINDS, random);
  const flaky = resendFailures({ rate: 0.3 }, RESEND_KINDS, random);
  resend.fake.failWhen((at) => down(at) ?? flaky(at));
  const persistTo = `.e2e/state-${PORT}`;
  rmSync(persistTo, { recursive: true, force: true });
  dev = await startDev({
    port: PORT,
    persistTo,
    script: "testing/worker.ts",
    vars: {
      RESEND_API_KEY: API_KEY,
      RESEND_BASE_URL: resend.url,
      ADMIN_TOKEN,
      // Scripted posts are fast enough to look like bots; spam is not what this is about.
      SPAM_FILTER: "off",
      // A company that takes 10,000 inquiries in minutes is on Workers Paid: 40 mails
      // per run. On Free a run sends five to seven (50 calls per invocation).
      PLAN: "paid",
    },
  });
  await setPlan(STORAGE_FAULTS);
}, 600_000);

afterAll(async () => {
  dev?.stop();
  await resend?.close();
});

function form(i: number): FormData {
  const body = new FormData();
  body.set("name", `Ana Novak ${i}`);
  body.set("email", `ana.${i}@primer.si`);
  body.set("service", i % 2 === 0 ? "Welding" : "CNC machining");
  // One in seven sends a message others sent too: the spam look-ups in the insert's
  // batch find it, and the inquiry is scored again and inserted in a second call.
  body.set(
    "message",
    i % 7 === 0
      ? "Prosimo za ponudbo za varjenje ograje po priloženi skici.\nRok: marec."
      : `Povpraševanje št. ${i}: prosimo za ponudbo.\nRok: marec.`,
  );
  if (i % 10 === 0) {
    const pdf = new TextEncoder().encode(`%PDF-1.7\n% inquiry ${i}\n${" ".repeat(4000)}\n%%EOF\n`);
    body.set("attachment", new Blob([pdf], { type: "application/pdf" }), `ponudba-${i}.pdf`);
  }
  return body;
}

describe(`faults: ${TOTAL} submissions, ${CONCURRENCY} at a time; D1 and R2 failing 2 %, Resend 30 % and down 2 h`, () => {
  it(
    "answers 201 or 503; mails each 201 once within 23 h or lists it failed; keeps nothing of a 503; purges",
    {
      timeout: 3_600_000,
    },
    async () => {
      const t0 = performance.now();
      const t0Wall = Date.now();
      // This process also answers as Resend: when it lags, sends wait for it.
      const lag = monitorEventLoopDelay({ resolution: 20 });
      lag.enable();
      let burstAt = -1;
      await pool(TOTAL, CONCURRENCY, async (i) => {
        // One 30-second burst of D1 failures, a third of the way in.
        if (i === Math.floor(TOTAL / 3) && burstAt < 0) {
          burstAt = Date.now();
          const burst = { from: burstAt, to: burstAt + 30_000 };
          await setPlan({
            ...STORAGE_FAULTS,
            DB: { rate: 0.02, windows: [burst] },
            LOG_DB: { rate: 0.02, windows: [burst] },
          });
        }
        let status = 0;
        let id: string | null = null;
        try {
          const res = await fetch(`${dev.direct}/inquiry`, {
            method: "POST",
            body: form(i),
            headers: {
              accept: "application/json",
              "cf-connecting-ip": `198.18.${(i >> 8) & 255}.${i & 255}`,
            },
          });
          status = res.status;
          id = ((await res.json()) as { id?: string }).id ?? null;
        } catch {
          status = -1; // no answer at all
        }
        outcomes.push({ i, status, id, at: Date.now() });
      });
      const loadSeconds = (performance.now() - t0) / 1000;
      lag.disable();
      // The first sends run after each answer (waitUntil): let those still in flight
      // settle before the simulated clock jumps into the outage (up to two minutes).
      // Those that never reach the fake stay pending for the scheduled runs.
      for (let calm = 0, seen = -1, waited = 0; calm < 4 && waited < 120_000; waited += 500) {
        const now = resend.fake.requests.length;
        calm = now === seen && resend.inFlight() === 0 ? calm + 1 : 0;
        seen = now;
        await new Promise((r) => setTimeout(r, 500));
      }
      // How long each 201's first send took to reach Resend after its answer, and
      // which never did (those wait for a scheduled run): by when they were answered.
      const firstSendAt = new Map<string, number>();
      for (const r of resend.fake.requests) {
        const id = /^inquiry-([0-9a-f-]{36})/.exec(r.headers.get("idempotency-key") ?? "")?.[1];
        if (id && !firstSendAt.has(id)) firstSendAt.set(id, r.at);
      }
      const delays: number[] = [];
      const unsent: number[] = [];
      for (const o of outcomes) {
        if (o.status !== 201 || !o.id) continue;
        const sent = firstSendAt.get(o.id);
        if (sent === undefined) unsent.push(Math.round((o.at - t0Wall) / 1000));
        else delays.push(sent - o.at);
      }
      delays.sort((a, b) => a - b);
      const q = (p: number) =>
        delays[Math.min(delays.length - 1, Math.floor(p * delays.length))] ?? NaN;
      const bySecond = new Map<number, number>();
      for (const s of unsent) {
        const tens = Math.floor(s / 10) * 10;
        bySecond.set(tens, (bySecond.get(tens) ?? 0) + 1);
      }
      console.log(
        `first sends: ${delays.length} reached Resend, this long after the answer was read (ms, below 0: before; p50 ${q(0.5)}, p99 ${q(0.99)}, max ${delays.at(-1) ?? NaN}; this process's event loop, which answers as Resend, lagged up to ${(lag.max / 1e6).toFixed(0)} ms, p99 ${(lag.percentile(99) / 1e6).toFixed(0)} ms during the load); ${unsent.length} never did, answered at (s since the load began, per 10 s) ${JSON.stringify(Object.fromEntries(bySecond))}; burst at ${Math.round((burstAt - t0Wall) / 1000)} s`,
      );
      // Answered before the burst ended (a request may have started just before it).
      const refusedInBurst = outcomes.filter(
        (o) => o.status === 503 && o.at >= burstAt && o.at < burstAt + 31_000,
      ).length;
      const statuses = new Map<number, number>();
      for (const o of outcomes) statuses.set(o.status, (statuses.get(o.status) ?? 0) + 1);
      console.log(
        `faults: ${TOTAL} submissions in ${loadSeconds.toFixed(0)} s, answers ${JSON.stringify(Object.fromEntries(statuses))} (${refusedInBurst} of the 503s answered during the 30-second burst), storage faults injected ${JSON.stringify(await injectedTotal())}; first sends so far: ${resend.fake.requests.length} calls to Resend, ${resend.fake.emails.length} accepted`,
      );
      expect([...statuses.keys()].every((s) => s === 201 || s === 503)).toBe(true);
      // The storage faults happened, and some refused a submission outside the burst too.
      const injected = await injectedTotal();
      expect(injected.DB).toBeGreaterThan(0);
      expect(injected.LOG_DB).toBeGreaterThan(0);
      if (TOTAL >= 5000) {
        expect(injected.ATTACHMENTS).toBeGreaterThan(0);
        expect(statuses.get(503)! - refusedInBurst).toBeGreaterThan(0);
      }

      // Scheduled runs every 30 simulated minutes for a day, several at once when
      // more is due than one run claims (cron invocations can overlap). The
      // worker's wall clock moves with them: a send's lease (5 minutes, on that
      // clock) whose outcome could not be recorded (a D1 failure) ends before
      // the next round, as it ends before the next cron run in a deployment.
      clock = Math.max(clock, Date.now());
      outage.from = clock + HOUR / 2;
      outage.to = outage.from + 2 * HOUR;
      let rounds = 0;
      while (clock < start + DAY) {
        await moveClock(clock + HOUR / 2, STORAGE_FAULTS);
        rounds++;
        const { deliveries } = await health();
        const runs = Math.max(
          1,
          Math.min(RUNS_PER_ROUND, Math.ceil((deliveries.pending ?? 0) / BATCH)),
        );
        await Promise.all(Array.from({ length: runs }, () => scheduledRun(clock)));
        if ((deliveries.pending ?? 0) === 0 && clock > outage.to) break;
      }
      await setPlan({});
      const before = await health();
      const resendInjected = Object.fromEntries(resend.fake.injected);
      console.log(
        `faults: ${rounds} scheduled rounds, ${resend.fake.requests.length} calls to Resend (failures injected ${JSON.stringify(resendInjected)}), deliveries ${JSON.stringify(before.deliveries)}`,
      );
      expect(resendInjected["status:500"]).toBeGreaterThan(0);
      // The outage was met: sends were tried while Resend was down, and none got through.
      const inOutage = (at: number) => at >= outage.from && at < outage.to;
      expect(resend.fake.requests.filter((r) => inOutage(r.at)).length).toBeGreaterThan(0);
      expect(resend.fake.emails.filter((e) => inOutage(e.receivedAt))).toEqual([]);
      expect(before.deliveries.pending).toBe(0);

      const stored = outcomes.filter((o) => o.status === 201);
      const refused = outcomes.filter((o) => o.status === 503);
      // Exactly one mail per stored inquiry, whatever key it went under (a resend
      // inline or without reply_to has its own), or a failed listing; none for a 503.
      const mails = new Map<number, typeof resend.fake.emails>();
      for (const e of resend.fake.emails) {
        const i = submissionOf(e.body);
        expect(i).not.toBeNull();
        mails.set(i!, [...(mails.get(i!) ?? []), e]);
      }
      expect([...mails.entries()].filter(([, m]) => m.length > 1).map(([i]) => i)).toEqual([]);
      expect(refused.filter((o) => mails.has(o.i)).map((o) => o.i)).toEqual([]);
      let mailed = 0;
      let failed = 0;
      for (const o of stored) {
        const mail = mails.get(o.i)?.[0];
        if (mail) {
          mailed++;
          expect(mail.idempotencyKey?.startsWith(`inquiry-${o.id}`)).toBe(true);
          expect(mail.receivedAt - o.at).toBeLessThanOrEqual(23 * HOUR);
          // A file that came with it went with it, whole.
          if (o.i % 10 === 0) {
            expect(mail.attachments.map((a) => a.filename)).toEqual([`ponudba-${o.i}.pdf`]);
            expect(new TextDecoder().decode(mail.attachments[0]!.bytes)).toContain(
              `% inquiry ${o.i}\n`,
            );
          } else expect(mail.attachments).toEqual([]);
        } else {
          failed++;
          // Not mailed: then it says so, where the operator looks.
          const row = await admin<{ inquiry?: { delivery: { status: string } } }>(
            `/admin/inquiries/${o.id}`,
            (b) => !!b.inquiry,
          );
          expect(row.inquiry!.delivery.status).toBe("failed");
        }
      }
      // Twelve attempts at 30 % failures: failing them all is a fault of the worker's.
      expect(failed).toBeLessThanOrEqual(Math.ceil(stored.length / 100));
      // Every inquiry stored answered 201 (none from a 503), and every file kept is
      // one of theirs: a 503's file, kept while its insert's outcome was unknown,
      // was swept by the scheduled runs.
      const counted = storedCount(before);
      expect(counted).toBe(stored.length);
      const storedIds = new Set(stored.map((o) => o.id));
      const files = await storedFiles();
      expect(files.filter((k) => !storedIds.has(k.slice(k.lastIndexOf("/") + 1)))).toEqual([]);
      console.log(
        `faults: ${stored.length} answered 201: ${mailed} mailed once, ${failed} listed failed; ${refused.length} answered 503, none stored or mailed; ${files.length} files kept, all of stored inquiries`,
      );

      // The purge under the same faults: runs 25 months on delete the inquiries.
      await moveClock(start + 25 * 31 * DAY, STORAGE_FAULTS);
      for (let r = 0; r < 3; r++) await scheduledRun(clock);
      await setPlan({});
      const after = await health();
      console.log(
        `faults: after three purge runs under faults ${storedCount(after)} of ${counted} inquiries left; ${((performance.now() - t0) / 1000).toFixed(0)} s in all`,
      );
      expect(storedCount(after)).toBe(0);
    },
  );
});
