import { createExecutionContext, createScheduledController, env } from "cloudflare:test";
import { waitOnExecutionContext } from "cloudflare:test";
import { beforeEach, describe, expect, it, vi } from "vitest";
import worker from "../src/index.ts";
import { SPAM_UNLISTED_KEEP } from "../src/spam/digest.ts";
import { counter, instrumentEnv, instrumentFetch, type CallCount } from "../testing/bindings.ts";
import { envWith, installFakes, type Fakes } from "./helpers.ts";

const DAY = 86_400_000;
const NOW = Date.parse("2026-11-20T03:00:00Z");

let fakes: Fakes;
beforeEach(async () => {
  fakes = installFakes();
  await env.DB.prepare("DELETE FROM inquiries").run();
  await env.DB.prepare("DELETE FROM worker_state WHERE name <> 'hmac_key'").run();
  for (;;) {
    const page = await env.ATTACHMENTS.list({ limit: 1000 });
    if (page.objects.length === 0) break;
    await env.ATTACHMENTS.delete(page.objects.map((o) => o.key));
  }
});

/** Runs the real scheduled handler at `at` with PLAN as given; what it called, counted at the bindings. */
async function runCounted(at: number, plan: "free" | "paid" = "free"): Promise<CallCount> {
  const { plan: p, count } = counter();
  const real = globalThis.fetch;
  vi.stubGlobal("fetch", instrumentFetch(real, p));
  try {
    const ctx = createExecutionContext();
    const controller = createScheduledController({
      scheduledTime: new Date(at),
      cron: "*/5 * * * *",
    });
    await worker.scheduled(controller, instrumentEnv(envWith({ PLAN: plan }), p), ctx);
    await waitOnExecutionContext(ctx);
  } finally {
    vi.stubGlobal("fetch", real);
  }
  return count;
}

interface Seed {
  prefix: string;
  n: number;
  createdAt: number;
  status: string;
  file?: boolean;
  digested?: boolean;
  due?: number;
  /** Of the rows with a file, how many get one stored in R2 (all when not given). */
  files?: number;
}

/** `n` inquiries in one INSERT … SELECT over a counter: 60,000 rows take one statement. */
async function seed(s: Seed): Promise<void> {
  await env.DB.prepare(
    `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
     INSERT INTO inquiries (id, created_at, name, email, email_key, service, message, lang,
       delivery_status, attachment_key, attachment_name, attachment_size, attachment_type,
       attachment_sha256, digested_at, next_attempt_at, sent_at)
     SELECT ?2 || i, ?3 + i, 'Ana Novak', 'ana' || i || '@primer.si', 'ana' || i || '@primer.si',
       'CNC machining', 'Potrebujemo ponudbo.', 'sl', ?4,
       CASE WHEN ?5 THEN 'attachments/' || ?2 || i END,
       CASE WHEN ?5 THEN 'offer.pdf' END, CASE WHEN ?5 THEN 9 END,
       CASE WHEN ?5 THEN 'application/pdf' END, CASE WHEN ?5 THEN 'x' END,
       ?6, ?7, CASE WHEN ?4 = 'sent' THEN ?3 END
     FROM n`,
  )
    .bind(
      s.n,
      s.prefix,
      s.createdAt,
      s.status,
      s.file ? 1 : 0,
      s.digested ? s.createdAt + DAY : null,
      s.due ?? null,
    )
    .run();
  // Local R2 takes ~30 ms a write: the first `files` rows get a stored file (the
  // sweep's cost per run does not grow with the bucket: one list page a run).
  const stored = Math.min(s.n, s.files ?? s.n);
  if (s.file) {
    for (let i = 1; i <= stored; i += 250) {
      await Promise.all(
        Array.from({ length: Math.min(250, stored - i + 1) }, (_, k) =>
          env.ATTACHMENTS.put(`attachments/${s.prefix}${i + k}`, "%PDF-1.7"),
        ),
      );
    }
  }
}

async function rows(where: string): Promise<number> {
  const r = await env.DB.prepare(`SELECT count(*) AS n FROM inquiries WHERE ${where}`).first<{
    n: number;
  }>();
  return r!.n;
}

async function files(prefix: string): Promise<number> {
  let n = 0;
  let cursor: string | undefined;
  do {
    const page = await env.ATTACHMENTS.list({ prefix: `attachments/${prefix}`, cursor });
    n += page.objects.length;
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return n;
}

/** Every run of `runs` within the Free plan's 50 D1 queries and 50 subrequests. */
function withinFree(count: CallCount): void {
  expect(count.queries).toBeLessThanOrEqual(50);
  expect(count.subrequests).toBeLessThanOrEqual(50);
}

describe("with PLAN=free every scheduled run stays within 50 queries and 50 subrequests, and every backlog shrinks", () => {
  it("60,000 expired inquiries", async () => {
    await seed({ prefix: "old-", n: 60_000, createdAt: NOW - 3 * 365 * DAY, status: "sent" });
    let left = await rows("id LIKE 'old-%'");
    for (let run = 0; run < 3; run++) {
      withinFree(await runCounted(NOW + run * 300_000));
      const now = await rows("id LIKE 'old-%'");
      expect(now).toBeLessThan(left);
      left = now;
    }
  });

  it("40 due mails: each run sends some and the rest wait, none twice", async () => {
    await seed({ prefix: "due-", n: 45, createdAt: NOW - 60_000, status: "pending", due: NOW - 1 });
    let pending = await rows("delivery_status = 'pending'");
    for (let run = 0; run < 3; run++) {
      withinFree(await runCounted(NOW + run * 300_000));
      const now = await rows("delivery_status = 'pending'");
      expect(now).toBeLessThan(pending);
      pending = now;
    }
    expect(fakes.resend.emails.length).toBe(45 - pending);
    expect(await rows("delivery_status = 'sent'")).toBe(45 - pending);
  });

  it("with nothing to purge, the purges' unspent calls send more mail in the same 50", async () => {
    await seed({ prefix: "due-", n: 45, createdAt: NOW - 60_000, status: "pending", due: NOW - 1 });
    const count = await runCounted(NOW);
    withinFree(count);
    // Delivery's own share (23 calls) claims five mails (3 calls first, 4 a mail);
    // what the idle purges leave claims two more.
    expect(fakes.resend.emails.length).toBe(7);
    expect(await rows("delivery_status = 'sent'")).toBe(7);
  });

  it(
    "5,000 quarantined spam inquiries with a file each, orphan files, expired ones and due mail, all at once",
    { timeout: 120_000 },
    async () => {
      await seed({
        prefix: "spam-",
        n: 5000,
        createdAt: NOW - 40 * DAY,
        status: "quarantined",
        file: true,
        files: 600,
        digested: true,
      });
      await seed({ prefix: "old-", n: 3000, createdAt: NOW - 3 * 365 * DAY, status: "sent" });
      await seed({
        prefix: "due-",
        n: 10,
        createdAt: NOW - 60_000,
        status: "pending",
        due: NOW - 1,
      });
      for (let i = 0; i < 250; i++) await env.ATTACHMENTS.put(`attachments/orphan-${i}`, "x");
      // R2 dates an upload by the wall clock: the orphans are over an hour old by the run's clock.
      const at = Date.now() + 2 * 3600_000;
      let before = {
        spam: await rows("id LIKE 'spam-%'"),
        old: await rows("id LIKE 'old-%'"),
        due: await rows("delivery_status = 'pending'"),
        orphans: await files("orphan-"),
      };
      let orphansGone = 0;
      for (let run = 0; run < 4; run++) {
        const count = await runCounted(at + run * 300_000);
        withinFree(count);
        const after = {
          spam: await rows("id LIKE 'spam-%'"),
          old: await rows("id LIKE 'old-%'"),
          due: await rows("delivery_status = 'pending'"),
          orphans: await files("orphan-"),
        };
        // The spam purge, the retention purge and delivery move on every run.
        expect(after.spam).toBeLessThan(before.spam);
        expect(after.old === 0 || after.old < before.old).toBe(true);
        expect(after.due === 0 || after.due < before.due).toBe(true);
        orphansGone += before.orphans - after.orphans;
        before = after;
      }
      // The sweep pages through 5,000 spam files 100 a run from a kept cursor; it
      // found orphans on the pages it reached (R2 lists keys in order: "orphan-" < "spam-").
      expect(orphansGone).toBeGreaterThan(0);
      // No stored file of a kept inquiry was taken for an orphan.
      expect(await files("spam-")).toBe(
        Math.min(600, await rows("id LIKE 'spam-%' AND CAST(substr(id, 6) AS INTEGER) <= 600")),
      );
    },
  );

  it("an orphan backlog is cleared over runs, one page a run, and the sweep starts over after the end", async () => {
    for (let i = 0; i < 350; i++) await env.ATTACHMENTS.put(`attachments/orphan-${i}`, "x");
    const at = Date.now() + 2 * 3600_000;
    let left = await files("orphan-");
    for (let run = 0; run < 4; run++) {
      withinFree(await runCounted(at + run * 300_000));
      const now = await files("orphan-");
      expect(now).toBeLessThan(left);
      left = now;
    }
    expect(left).toBe(0);
  });

  it("on the Paid plan a run stays within 1,000 and does more", async () => {
    await seed({ prefix: "old-", n: 60_000, createdAt: NOW - 3 * 365 * DAY, status: "sent" });
    const count = await runCounted(NOW, "paid");
    expect(count.queries).toBeLessThanOrEqual(1000);
    expect(count.subrequests).toBeLessThanOrEqual(1000);
    expect(await rows("id LIKE 'old-%'")).toBeLessThanOrEqual(60_000 - 10_000);
  });
});

describe("a spam flood and the quarantine", () => {
  it("no quarantined inquiry is purged before a digest listed it; past the bound the oldest go, and the digest says so", async () => {
    const today = new Date(NOW).toISOString().slice(0, 10);
    // Today's digest went already: these runs purge only.
    await env.DB.prepare("INSERT INTO worker_state (name, value) VALUES ('digest_day', ?1)")
      .bind(today)
      .run();
    // Listed and past the retention: purged. Unlisted and past it: kept.
    await seed({
      prefix: "listed-",
      n: 200,
      createdAt: NOW - 40 * DAY,
      status: "quarantined",
      digested: true,
    });
    await seed({ prefix: "unlisted-", n: 300, createdAt: NOW - 40 * DAY, status: "quarantined" });
    await runCounted(NOW);
    expect(await rows("id LIKE 'listed-%'")).toBe(0);
    expect(await rows("id LIKE 'unlisted-%'")).toBe(300);

    // A flood: more unlisted past the retention than the bound keeps. The oldest go first.
    await seed({
      prefix: "flood-",
      n: SPAM_UNLISTED_KEEP,
      createdAt: NOW - 35 * DAY,
      status: "quarantined",
    });
    await runCounted(NOW + 300_000);
    expect(await rows("id LIKE 'unlisted-%'")).toBe(0);
    expect(await rows("id LIKE 'flood-%'")).toBe(SPAM_UNLISTED_KEEP);

    // The next day's digest: the newest first, how many more wait, how many went unlisted.
    await runCounted(NOW + DAY);
    const digest = fakes.resend.emails.find((e) => e.body.subject.startsWith("Zadržana"));
    expect(digest).toBeDefined();
    const text = String(digest!.body.text);
    expect(text.indexOf(`ana${SPAM_UNLISTED_KEEP}@`)).toBeGreaterThan(-1);
    expect(text.indexOf(`ana${SPAM_UNLISTED_KEEP}@`)).toBeLessThan(
      text.indexOf(`ana${SPAM_UNLISTED_KEEP - 1}@`),
    );
    expect(text).not.toContain(`ana${SPAM_UNLISTED_KEEP - 100}@`);
    expect(text).toContain(`Čaka še ${SPAM_UNLISTED_KEEP - 100} starejših`);
    expect(text).toContain("300 zadržanih je bilo izbrisanih");
    // Said once: the next day's digest does not repeat it.
    await runCounted(NOW + 2 * DAY);
    const next = fakes.resend.emails.filter((e) => e.body.subject.startsWith("Zadržana"));
    expect(next).toHaveLength(2);
    expect(String(next[1]!.body.text)).not.toContain("izbrisanih, ne da bi");
    expect(String(next[1]!.body.text)).toContain(`Čaka še ${SPAM_UNLISTED_KEEP - 200} starejših`);
  });
});
