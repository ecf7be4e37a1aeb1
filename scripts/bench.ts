// `npm run bench`: the worker beside the least an inquiry handler can do.
// Both run in local workerd (`wrangler dev`, offline) in the same run, each in
// a fresh process per case, mailing a fake Resend on loopback. For a text-only
// submission and a 10 MB attachment (4 at a time, with delivery) it prints two
// kinds of figures, the baseline's beside the worker's and their ratio:
// - process-wide: requests per second, p50/p99 latency, CPU milliseconds per
//   request of the whole workerd process (from /proc/<pid>/stat, until every
//   mail has reached Resend) and its peak resident memory. Local D1, R2 and the
//   rate limiter are simulated in that same process, so these overstate what a
//   deployment pays;
// - isolate-only (scripts/lib/isolate-probe.ts): CPU milliseconds per request
//   spent in the worker's own isolate, from a CPU profile taken over the
//   inspector, and the isolate's peak memory (V8 heap, ArrayBuffers, workerd's
//   objects). This is what Cloudflare bills against a plan's CPU limit and
//   what the 128 MB per isolate limit is about.
// The baseline (bench/baseline) makes the one rate-limit call the contract
// requires, since every conforming worker must make it. The targets are
// checked on the isolate-only figures and the latencies; the first send of
// every mail must be accepted.
// wrangler's local trace recorder is switched off for every target: it writes
// each span (every binding call and fetch) to its own SQLite store inside the
// same workerd process, about 0.7 ms per submission that no deployed worker
// pays, which would blur what the worker and its storage cost.
// The text case runs three rounds, alternating fresh baseline and worker
// processes, and reports each figure's median.
// Then the storage-latency case: worker and floor (both through the test entry
// point, testing/entry.ts) with every binding call slowed by 0, 20 and 50 ms,
// p50 and p99 of the answer; and the worker's startup CPU (`wrangler check startup`).
// Exits non-zero when a target is missed.
//   npm run bench
//   npm run bench -- --quick        # fewer requests, to see that it runs
//   npm run bench -- --sizes 1,5    # also 1 MB and 5 MB attachments (for the plan table)
//   npm run bench -- --only text    # only the cases whose name contains "text"
//   npm run bench -- --only latency # only the storage-latency case (or: startup)
//   npm run bench -- --only text --concurrency 1  # the text case one at a time, as most
//                                   # deployments see inquiries (its targets stay at 10)
//   npm run bench -- --profile      # also writes each isolate's CPU profile to .bench/*.cpuprofile
//   BENCH_PORT=9000 npm run bench   # other ports (9000 up, inspectors 10000 up)
import { rmSync } from "node:fs";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { startFakeResendServer } from "../e2e/resend-server.ts";
import { BUNDLE_BUDGET, bundleSize, kib } from "./lib/bundle.ts";
import { cpuMs, sampleRss, startDev, wrangler, type DevServer } from "./lib/dev-server.ts";
import { connectIsolate } from "./lib/isolate-probe.ts";

// Read by wrangler when it starts Miniflare; inherited by every `wrangler dev` started below.
process.env.X_LOCAL_OBSERVABILITY = "false";

const MB = 1024 * 1024;
const API_KEY = "re_bench_0123456789";
/** The Free plan's CPU limit per invocation; a text submission must leave room (half of it). */
const FREE_PLAN_CPU_MS = 10;
const USAGE = `usage: npm run bench -- [--quick] [--sizes 1,5] [--only NAME] [--concurrency N] [--profile]
  --only NAME   only the cases whose name contains NAME: "text only", "10 MB attachment",
                "storage latency", "startup" (e.g. --only text, --only latency)
  BENCH_PORT=N  the first port of its wrangler dev processes (8800; inspectors 1000 above)`;

/** The command line, or a one-line complaint and exit 2 (node:util's parser, strict). */
function options() {
  try {
    const { values } = parseArgs({
      options: {
        quick: { type: "boolean" },
        sizes: { type: "string" },
        only: { type: "string" },
        concurrency: { type: "string" },
        profile: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    });
    return values;
  } catch (err) {
    console.error(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    process.exit(2);
  }
}

function usageError(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

const args = options();
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
const quick = args.quick ?? false;
const extraSizes = (args.sizes ?? "").split(",").filter(Boolean).map(Number);
if (extraSizes.some((mb) => !Number.isInteger(mb) || mb < 1 || mb > 10)) {
  usageError("--sizes takes whole megabytes from 1 to 10, separated by commas");
}

interface Measured {
  rps: number;
  p50: number;
  p99: number;
  cpuMsPerRequest: number;
  peakRssMb: number;
  isolateCpuMsPerRequest: number;
  isolateGcMsPerRequest: number;
  isolatePeakMb: number;
  /** Submissions not answered 201 (an error status, or no answer at all). */
  failedRequests: number;
  /** Of those, the ones with no answer at all: the isolate ended or was reloaded. */
  unanswered: number;
  /** Mails Resend refused or never answered on their first send (a retry followed). */
  firstSendMisses: number;
}

interface Case {
  name: string;
  fileBytes: number;
  requests: number;
  concurrency: number;
  warmup: number;
  /**
   * Fresh baseline and worker processes, alternating, each figure the median
   * of the rounds: one run of a few seconds can catch a GC pause or a busy
   * moment of the machine that says nothing about either side.
   */
  rounds: number;
  /** Ratios worker/baseline that must stay at or below the bound. */
  checks: Partial<Record<keyof Measured, number>>;
}

const profile = args.profile ?? false;
/** The text case's concurrency, 10 unless told; its targets are stated at 10. */
const textConcurrency = Number(args.concurrency ?? 10);
if (!/^\d{1,3}$/.test(args.concurrency ?? "10") || textConcurrency < 1 || textConcurrency > 100) {
  usageError("--concurrency takes a whole number from 1 to 100");
}
if (args.only === "") usageError("--only takes a name");
const only = args.only ?? "";

const allCases: Case[] = [
  {
    name: "text only",
    fileBytes: 0,
    requests: quick ? 100 : 1000,
    concurrency: textConcurrency,
    warmup: quick ? 20 : 100,
    rounds: quick ? 1 : 3,
    // Against the floor with every write the contract requires (issue 16's decision),
    // stated at 10 at a time: at another concurrency the figures are shown, not checked.
    checks: textConcurrency === 10 ? { isolateCpuMsPerRequest: 1.5, p99: 1.3 } : {},
  },
  ...extraSizes.map((mb) => ({
    name: `${mb} MB attachment`,
    fileBytes: mb * MB,
    requests: quick ? 8 : 40,
    concurrency: 4,
    warmup: 4,
    rounds: 1,
    checks: {},
  })),
  {
    name: "10 MB attachment",
    fileBytes: 10 * MB,
    requests: quick ? 8 : 40,
    concurrency: 4,
    warmup: 4,
    rounds: 1,
    checks: { isolateCpuMsPerRequest: 0.5, isolatePeakMb: 0.5, p99: 1.0 },
  },
];

const cases = allCases.filter((c) => c.name.includes(only));
/** The two parts after the cases, selected by --only like them. */
const LATENCY_PART = "storage latency";
const STARTUP_PART = "startup";
if (![...allCases.map((c) => c.name), LATENCY_PART, STARTUP_PART].some((n) => n.includes(only))) {
  usageError(`--only ${JSON.stringify(only)} names no case`);
}

interface Target {
  name: string;
  config?: string;
  vars: Record<string, string>;
  /** D1 bindings to migrate (the worker's two unless told). */
  databases?: string[];
  /** Entry point instead of the config's `main`. */
  script?: string;
}

/** The floor, with the one rate-limit call every conforming worker makes. */
const baseline: Target = {
  name: "baseline",
  config: "bench/baseline/wrangler.toml",
  vars: {},
  databases: ["DB"],
};
/**
 * For the text case, shown beside the targets (not checked): the floor plus
 * the two other writes the contract requires of every conforming worker, the
 * technical-log row in its own database and the "sent" mark.
 */
const withRequiredWrites: Target = {
  ...baseline,
  name: "baseline-required-writes",
  vars: { REQUIRED_WRITES: "1" },
  databases: ["DB", "LOG_DB"],
};
/** The worker through the test entry point: the same handlers, bindings wrapped as the floor's. */
const worker: Target = { name: "worker", script: "testing/worker.ts", vars: {} };

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

/** A PDF of `size` bytes that differs per request, as real uploads do. */
function pdf(size: number, i: number): Uint8Array<ArrayBuffer> {
  const head = new TextEncoder().encode(`%PDF-1.7\n% bench ${i}\n`);
  const tail = new TextEncoder().encode("\n%%EOF\n");
  const out = new Uint8Array(size).fill(0x20);
  out.set(head, 0);
  out.set(tail, size - tail.length);
  return out;
}

let seq = 0;
function form(fileBytes: number): FormData {
  const i = ++seq;
  const body = new FormData();
  body.set("name", "Ana Novak");
  body.set("email", `ana.${i}@primer.si`);
  body.set("phone", "+386 41 123 456");
  body.set("company", "Primer d.o.o.");
  body.set("service", "CNC machining");
  // Each customer's own message: the same text from many addresses is what the
  // spam filter's same-message signal looks for, a campaign, not an inquiry.
  body.set("message", `Prosimo za ponudbo za ${200 + i} kosov iz aluminija.\nRok: marec.`);
  if (fileBytes > 0) {
    body.set("attachment", new Blob([pdf(fileBytes, i)], { type: "application/pdf" }), "nacrt.pdf");
  }
  return body;
}

/**
 * One submission's latency in ms, or why it was not answered 201: the status
 * answered, or the error's code when there was no answer (the connection was
 * reset: workerd ended the isolate, or `wrangler dev` reloaded it).
 */
async function post(dev: DevServer, fileBytes: number): Promise<number | string> {
  const body = form(fileBytes);
  const start = performance.now();
  try {
    const res = await fetch(`${dev.direct}/inquiry`, {
      method: "POST",
      body,
      // Each request from its own address, as real visitors are: the per-IP limiter stays in the path.
      headers: {
        accept: "application/json",
        "cf-connecting-ip": `198.18.${(seq >> 8) & 255}.${seq & 255}`,
      },
    });
    await res.arrayBuffer();
    return res.status === 201 ? performance.now() - start : `${res.status}`;
  } catch (err) {
    const cause = (err as { cause?: { code?: unknown } }).cause?.code;
    return typeof cause === "string" ? cause : err instanceof Error ? err.name : "error";
  }
}

async function run(dev: DevServer, n: number, concurrency: number, fileBytes: number) {
  const latencies: number[] = [];
  /** Submissions not answered 201, by status or error code. */
  const failures = new Map<string, number>();
  let failed = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < n) {
        const ms = await post(dev, fileBytes);
        if (typeof ms === "number") latencies.push(ms);
        else {
          failed++;
          failures.set(ms, (failures.get(ms) ?? 0) + 1);
        }
      }
    }),
  );
  return { latencies, failed, failures };
}

/** "407 × ECONNRESET, 3 × 503": what the submissions not answered 201 got instead. */
const describeFailures = (failures: Map<string, number>) =>
  [...failures].map(([why, n]) => `${n} × ${why}`).join(", ");

/** How many of them got no answer at all (an error code, not a status). */
const withoutAnswer = (failures: Map<string, number>) =>
  [...failures].reduce((n, [why, count]) => (/^\d+$/.test(why) ? n : n + count), 0);

/** A ratio as the tables print it, "-" when a side has no figure. */
const ratioText = (ratio: number) => (Number.isFinite(ratio) ? `${ratio.toFixed(2)}x` : "-");

async function until(check: () => boolean, ms: number, what: () => string) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`mail did not all reach the fake Resend: ${what()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function measure(c: Case, t: Target, port: number): Promise<Measured> {
  const resend = await startFakeResendServer(API_KEY);
  const persistTo = `.bench/run-${t.name}`;
  rmSync(persistTo, { recursive: true, force: true });
  const inspectorPort = port + 1000;
  const dev = await startDev({
    port,
    persistTo,
    config: t.config,
    script: t.script,
    databases: t.databases,
    vars: {
      RESEND_API_KEY: API_KEY,
      RESEND_BASE_URL: resend.url,
      // As a deployment sets it: a file goes to Resend as a link to the worker (the
      // fake fetches it), not inline. The floor ignores it and always sends inline.
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      ...t.vars,
    },
    extraArgs: ["--inspector-port", String(inspectorPort)],
  });
  const profileTo = profile
    ? `.bench/${t.name}-${c.name.replaceAll(" ", "-")}-${port}.cpuprofile`
    : undefined;
  const isolate = await connectIsolate(inspectorPort, profileTo);
  try {
    const mailed = (n: number) => () => resend.fake.emails.length >= n && resend.inFlight() === 0;
    const warm = await run(dev, c.warmup, c.concurrency, c.fileBytes);
    // Inquiries stored (answered 201): each must be mailed once.
    let stored = c.warmup - warm.failed;
    const seen = () =>
      `${t.name}: ${resend.fake.emails.length} mails, answers ${resend.fake.requests.map((r) => r.status).join(",")}`;
    await until(mailed(stored), 120_000, seen);
    const requestsBefore = resend.fake.requests.length;

    await isolate.start();
    const memory = sampleRss(dev.pid, 5);
    const cpu0 = cpuMs(dev.pid);
    const t0 = performance.now();
    const done = await run(dev, c.requests, c.concurrency, c.fileBytes);
    stored += done.latencies.length;
    const latencies = done.latencies;
    const seconds = (performance.now() - t0) / 1000;
    // CPU counts until every mail of the run has been accepted: delivery is part of the job.
    await until(mailed(stored), 300_000, seen);
    const cpu = cpuMs(dev.pid) - cpu0;
    const peak = memory.stop();
    // An isolate workerd ended (out of memory) takes its profile with it.
    const own = await isolate
      .stop()
      .catch(() => ({ cpuMs: NaN, gcMs: NaN, programMs: NaN, peakBytes: NaN, samples: 0 }));
    if (done.failed > 0) {
      console.log(
        `  ${t.name}: ${done.failed} not answered 201: ${describeFailures(done.failures)}`,
      );
    }
    if (!Number.isFinite(own.cpuMs)) {
      console.log(`  ${t.name}: no CPU profile (the isolate ended or was reloaded)`);
    }
    if (profileTo && Number.isFinite(own.cpuMs)) {
      console.log(`  ${t.name}: CPU profile written to ${profileTo}`);
    }
    // More mails than 201s only when a connection broke after the inquiry was
    // stored (its answer lost, its mail sent); fewer is a lost inquiry.
    const unanswered = withoutAnswer(done.failures);
    const brokeOff = unanswered + withoutAnswer(warm.failures) > 0;
    if (resend.fake.emails.length < stored || (resend.fake.emails.length > stored && !brokeOff)) {
      throw new Error(`${t.name}: ${resend.fake.emails.length} mails for ${stored} inquiries`);
    }
    const sends = resend.fake.requests.slice(requestsBefore);
    const sorted = latencies.sort((a, b) => a - b);
    return {
      rps: c.requests / seconds,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      failedRequests: done.failed,
      unanswered,
      cpuMsPerRequest: cpu / c.requests,
      peakRssMb: peak / MB,
      isolateCpuMsPerRequest: own.cpuMs / c.requests,
      isolateGcMsPerRequest: own.gcMs / c.requests,
      isolatePeakMb: own.peakBytes / MB,
      firstSendMisses: sends.filter((r) => r.status !== 200).length,
    };
  } finally {
    isolate.close();
    dev.stop();
    await resend.close();
  }
}

const METRICS: { key: keyof Measured; label: string; digits: number }[] = [
  { key: "rps", label: "requests/s", digits: 1 },
  { key: "p50", label: "p50 latency (ms)", digits: 1 },
  { key: "p99", label: "p99 latency (ms)", digits: 1 },
  { key: "cpuMsPerRequest", label: "CPU ms/req, process", digits: 2 },
  { key: "peakRssMb", label: "peak RSS MB, process", digits: 0 },
  { key: "isolateCpuMsPerRequest", label: "CPU ms/req, isolate", digits: 2 },
  { key: "isolateGcMsPerRequest", label: "  of which GC", digits: 2 },
  { key: "isolatePeakMb", label: "peak MB, isolate", digits: 1 },
  { key: "failedRequests", label: "requests failed", digits: 0 },
  { key: "firstSendMisses", label: "first sends missed", digits: 0 },
];

/** Figures that count what went wrong: the most of any round, never left out. */
const COUNTS: (keyof Measured)[] = ["failedRequests", "unanswered", "firstSendMisses"];

/**
 * Each figure's median over the rounds that have it (a round whose isolate
 * ended has no profile: its isolate figures are NaN); failures and misses:
 * their most, never hidden.
 */
function median(rounds: Measured[]): Measured {
  const out = { ...rounds[0]! };
  for (const key of Object.keys(out) as (keyof Measured)[]) {
    const values = rounds
      .map((m) => m[key])
      .filter((v) => !Number.isNaN(v))
      .sort((a, b) => a - b);
    const mid = values.length >> 1;
    if (values.length === 0) out[key] = NaN;
    else if (COUNTS.includes(key)) out[key] = values.at(-1)!;
    else out[key] = values.length % 2 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2;
  }
  return out;
}

const pad = (s: string, n: number) => s.padStart(n);
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
let missed = 0;
// Each process its own port, its inspector 1000 above it (BENCH_PORT moves both).
let port = Number(process.env.BENCH_PORT ?? 8800);
console.log(`load average before: ${load()}`);
for (const c of cases) {
  console.log(
    `\n${c.name}: ${c.requests} submissions, ${c.concurrency} at a time (after ${c.warmup} to warm up)` +
      (c.rounds > 1 ? `, median of ${c.rounds} rounds` : ""),
  );
  const bases: Measured[] = [];
  const ourss: Measured[] = [];
  const floors: Measured[] = [];
  // Text: the worker against the floor with the contract's required writes,
  // the bare floor beside it. Files: against the bare floor, as before.
  const floorOf = c.fileBytes === 0 ? withRequiredWrites : baseline;
  for (let r = 0; r < c.rounds; r++) {
    bases.push(await measure(c, floorOf, port++));
    ourss.push(await measure(c, worker, port++));
    if (c.fileBytes === 0) floors.push(await measure(c, baseline, port++));
  }
  // Of several rounds, one in which either side's isolate ended or was reloaded
  // (a lost profile, submissions with no answer) measured something else: its
  // figures are left out on both sides, all but the counts of what went wrong.
  // A single round (the file cases, where the floor may run out of memory) stands.
  const broken = (m: Measured) => Number.isNaN(m.isolateCpuMsPerRequest) || m.unanswered > 0;
  const lost = ourss.map((m, r) => c.rounds > 1 && (broken(m) || broken(bases[r]!)));
  const paired = (rounds: Measured[]) =>
    rounds.map((m, r) => {
      if (!lost[r]) return m;
      const out = { ...m };
      for (const key of Object.keys(out) as (keyof Measured)[]) {
        if (!COUNTS.includes(key)) out[key] = NaN;
      }
      return out;
    });
  const kept = lost.filter((l) => !l).length;
  if (kept < c.rounds) {
    console.log(
      `  ${c.rounds - kept} of ${c.rounds} rounds left out (an isolate ended or was reloaded)` +
        (kept === 2 ? "; the figures are the mean of the two left" : "") +
        (kept === 1 ? "; the figures are the one round left" : ""),
    );
  }
  const keptBases = paired(bases);
  const keptOurs = paired(ourss);
  const base = median(keptBases);
  const ours = median(keptOurs);
  console.log(
    `  ${"".padEnd(22)}${pad("baseline", 10)}${pad("worker", 10)}${pad("ratio", 8)}  target`,
  );
  for (const m of METRICS) {
    const ratio =
      base[m.key] === 0 ? (ours[m.key] === 0 ? 1 : Infinity) : ours[m.key] / base[m.key];
    const bound = c.checks[m.key];
    const ok = bound === undefined || ratio <= bound;
    // A figure no round measured cannot show its target met: a miss, said as such.
    if (!ok) missed++;
    const verdict =
      bound === undefined
        ? ""
        : `<= ${bound}x ${ok ? "ok" : Number.isNaN(ratio) ? "not measured" : "MISSED"}`;
    console.log(
      `  ${m.label.padEnd(22)}${pad(base[m.key].toFixed(m.digits), 10)}${pad(ours[m.key].toFixed(m.digits), 10)}${pad(ratioText(ratio), 8)}  ${verdict}`,
    );
  }
  if (c.rounds > 1) {
    // Each round's worker beside the floor measured just before it: how far one
    // round's ratio moves with the machine, which the median alone hides.
    for (const key of Object.keys(c.checks) as (keyof Measured)[]) {
      const label = METRICS.find((m) => m.key === key)!.label;
      const each = keptOurs.map((m, r) => ratioText(m[key] / keptBases[r]![key])).join(" ");
      console.log(`  ${label}, each round: ${each}`);
    }
  }
  if (c.fileBytes > 0) {
    const ok = ours.firstSendMisses === 0 && ours.failedRequests === 0;
    if (!ok) missed++;
    console.log(
      `  every submission stored, every mail accepted on its first send: ${ok ? "ok" : "MISSED"}`,
    );
  } else {
    const floor = median(paired(floors));
    const f = (m: Measured) =>
      `isolate ${m.isolateCpuMsPerRequest.toFixed(2)} ms/req, p99 ${m.p99.toFixed(1)} ms`;
    console.log(
      `  (baseline here: the floor with the log row and "sent" mark the contract requires)\n` +
        `  bare floor (limiter and one insert only): ${f(floor)};` +
        ` worker ${ratioText(ours.isolateCpuMsPerRequest / floor.isolateCpuMsPerRequest)}` +
        ` and ${ratioText(ours.p99 / floor.p99)} of it (not a target)`,
    );
    const cpu = ours.isolateCpuMsPerRequest;
    const ok = cpu <= FREE_PLAN_CPU_MS / 2;
    if (!ok) missed++;
    console.log(
      `  isolate CPU within half the Free plan's ${FREE_PLAN_CPU_MS} ms: ${ok ? "ok" : Number.isNaN(cpu) ? "not measured" : "MISSED"}`,
    );
    // A submission the worker or its floor did not answer 201 is a fault of the run or of the worker.
    const answered = ours.failedRequests === 0 && base.failedRequests === 0;
    if (!answered) missed++;
    console.log(`  every submission answered 201: ${answered ? "ok" : "MISSED"}`);
  }
  console.log(`  load average after: ${load()}`);
}

// Storage latency: every binding call (D1, R2, the rate limiter) of both the
// worker and the floor slowed alike by the test entry point's plan
// (testing/entry.ts), changed on the running processes between rounds. A
// deployment pays a round trip per call; local storage answers at once.
const LATENCIES = [0, 20, 50];
/** At this latency the worker's p50 may be at most this much over the floor's (ms). */
const LATENCY_TARGET = { latencyMs: 20, overP50Ms: 10 };
if (LATENCY_PART.includes(only)) {
  const n = quick ? 40 : 150;
  console.log(
    `\nstorage latency: text submissions, ${n} per round, one at a time (no queueing in the isolate), each storage call slowed`,
  );
  const servers: { name: string; dev: DevServer; close: () => Promise<void> }[] = [];
  for (const t of [withRequiredWrites, worker]) {
    const resend = await startFakeResendServer(API_KEY);
    const persistTo = `.bench/latency-${t.name}`;
    rmSync(persistTo, { recursive: true, force: true });
    const dev = await startDev({
      port: port++,
      persistTo,
      config: t.config,
      script: t.script,
      databases: t.databases,
      vars: { RESEND_API_KEY: API_KEY, RESEND_BASE_URL: resend.url, ...t.vars },
    });
    servers.push({ name: t.name, dev, close: () => resend.close().then(() => dev.stop()) });
  }
  try {
    console.log(
      `  ${"ms per call".padEnd(14)}${pad("floor p50", 11)}${pad("p99", 8)}${pad("worker p50", 12)}${pad("p99", 8)}  target`,
    );
    for (const latencyMs of LATENCIES) {
      const figures: { p50: number; p99: number }[] = [];
      for (const { dev } of servers) {
        const set = await fetch(`${dev.direct}/__bindings`, {
          method: "POST",
          body: JSON.stringify({ latencyMs }),
        });
        await set.arrayBuffer();
        await run(dev, 10, 1, 0);
        const { latencies, failed } = await run(dev, n, 1, 0);
        if (failed > 0) missed++;
        const sorted = latencies.sort((a, b) => a - b);
        figures.push({ p50: percentile(sorted, 50), p99: percentile(sorted, 99) });
      }
      const [floor, ours] = figures as [{ p50: number; p99: number }, { p50: number; p99: number }];
      let verdict = "";
      if (latencyMs === LATENCY_TARGET.latencyMs) {
        const ok = ours.p50 - floor.p50 <= LATENCY_TARGET.overP50Ms;
        if (!ok) missed++;
        verdict = `p50 <= floor + ${LATENCY_TARGET.overP50Ms} ms ${ok ? "ok" : "MISSED"}`;
      }
      console.log(
        `  ${String(latencyMs).padEnd(14)}${pad(floor.p50.toFixed(1), 11)}${pad(floor.p99.toFixed(1), 8)}${pad(ours.p50.toFixed(1), 12)}${pad(ours.p99.toFixed(1), 8)}  ${verdict}`,
      );
    }
  } finally {
    for (const s of servers) await s.close();
  }
  console.log(`  load average after: ${load()}`);
}

// Startup: `wrangler check startup` builds the worker as a deploy does and
// profiles its startup phase; its "Active" is the CPU the isolate spends
// before it can answer. Sampled coarsely and inflated by the machine's other
// load, so three runs: the least is the figure checked, the median shown.
const STARTUP_TARGET_MS = 40;
if (STARTUP_PART.includes(only)) {
  const active: number[] = [];
  for (let i = 0; i < 3; i++) {
    const out = wrangler([
      "check",
      "startup",
      // As `npm run build` bundles it: minified.
      "--args=--minify",
      "--outfile",
      ".bench/worker-startup.cpuprofile",
    ]);
    const m = /Active:\s*([\d.]+)\s*ms/.exec(out);
    if (m) active.push(Number(m[1]));
  }
  active.sort((a, b) => a - b);
  const least = active[0] ?? NaN;
  const ok = least < STARTUP_TARGET_MS;
  if (!ok) missed++;
  console.log(
    `\nstartup (wrangler check startup, active CPU): least ${least.toFixed(1)} ms, median ${(active[1] ?? NaN).toFixed(1)} ms of ${active.length} runs (target < ${STARTUP_TARGET_MS} ms) ${ok ? "ok" : "MISSED"}`,
  );
}

const { gzip } = bundleSize();
const bundleOk = gzip <= BUNDLE_BUDGET;
if (!bundleOk) missed++;
console.log(
  `\nbundle: ${kib(gzip)} gzip (budget ${kib(BUNDLE_BUDGET)}) ${bundleOk ? "ok" : "MISSED"}`,
);
if (missed > 0) {
  console.log(`${missed} target(s) missed`);
  process.exit(1);
}
