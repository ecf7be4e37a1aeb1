import { env } from "cloudflare:test";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { retentionCutoff } from "../src/retention/months.ts";
import { Allowance } from "../src/schedule/budget.ts";
import { purge } from "../src/retention/purge.ts";
import { attachmentKey } from "../src/store/attachments.ts";
import { insertInquiry } from "../src/store/inquiries.ts";
import { appendLogEntry } from "../src/store/log.ts";
import { installFakes, newInquiry, runCron, storedRow } from "./helpers.ts";

beforeEach(() => {
  installFakes();
});

const at = (iso: string) => Date.parse(iso);

/** Seeds an inquiry received at `createdAt`, with a file in R2, as intake would store it. */
async function seed(
  createdAt: string,
  opts: { hold?: boolean; file?: boolean } = {},
): Promise<string> {
  const id = crypto.randomUUID();
  const key = opts.file === false ? null : attachmentKey(id);
  if (key) await env.ATTACHMENTS.put(key, "file bytes");
  await insertInquiry(
    env.DB,
    newInquiry({
      id,
      createdAt: at(createdAt),
      attachment: key
        ? { key, filename: "a.pdf", size: 10, type: "application/pdf", sha256: "0".repeat(64) }
        : null,
    }),
  );
  // Already mailed: only retention concerns these rows.
  await env.DB.prepare("UPDATE inquiries SET delivery_status = 'sent', hold = ? WHERE id = ?")
    .bind(opts.hold ? 1 : 0, id)
    .run();
  return id;
}

async function exists(id: string) {
  const row = await storedRow(id);
  const file = await env.ATTACHMENTS.head(attachmentKey(id));
  return { row: row !== null, file: file !== null };
}

describe("inquiries are purged after RETENTION_MONTHS calendar months", () => {
  it("one day short of 24 months stays, one day past goes with its file", async () => {
    const id = await seed("2024-03-15T10:00:00Z");
    await runCron(at("2026-03-14T10:00:00Z"));
    expect(await exists(id)).toEqual({ row: true, file: true });
    await runCron(at("2026-03-15T23:59:59Z")); // the last day of the period
    expect(await exists(id)).toEqual({ row: true, file: true });
    await runCron(at("2026-03-16T10:00:00Z"));
    expect(await exists(id)).toEqual({ row: false, file: false });
  });

  it("29 February is kept through 28 February two years on", async () => {
    const leap = await seed("2024-02-29T12:00:00Z");
    const dayBefore = await seed("2024-02-28T12:00:00Z");
    await runCron(at("2026-02-28T23:59:00Z"));
    expect((await exists(leap)).row).toBe(true);
    expect((await exists(dayBefore)).row).toBe(true);
    await runCron(at("2026-03-01T00:00:00Z"));
    expect((await exists(leap)).row).toBe(false);
    expect((await exists(dayBefore)).row).toBe(false);
  });

  it("a period ending in a leap year runs to 29 February", async () => {
    const id = await seed("2026-02-28T08:00:00Z");
    await runCron(at("2028-02-28T20:00:00Z"));
    expect((await exists(id)).row).toBe(true);
    await runCron(at("2028-02-29T00:00:01Z"));
    expect((await exists(id)).row).toBe(false);
  });

  it("month ends with shorter months (RETENTION_MONTHS=1)", async () => {
    const vars = { RETENTION_MONTHS: "1" };
    const jan31 = await seed("2026-01-31T09:00:00Z");
    const mar31 = await seed("2026-03-31T09:00:00Z");
    await runCron(at("2026-02-28T23:00:00Z"), vars);
    expect((await exists(jan31)).row).toBe(true); // 31 Jan + 1 month ends on 28 Feb
    await runCron(at("2026-03-01T00:00:01Z"), vars);
    expect((await exists(jan31)).row).toBe(false);
    await runCron(at("2026-04-30T22:00:00Z"), vars);
    expect((await exists(mar31)).row).toBe(true); // 31 Mar + 1 month ends on 30 Apr
    await runCron(at("2026-05-01T00:00:01Z"), vars);
    expect((await exists(mar31)).row).toBe(false);
  });

  it("a held inquiry stays, and goes once released", async () => {
    const held = await seed("2020-01-01T00:00:00Z", { hold: true });
    await runCron(at("2026-11-21T00:00:00Z"));
    expect(await exists(held)).toEqual({ row: true, file: true });
    await env.DB.prepare("UPDATE inquiries SET hold = 0 WHERE id = ?").bind(held).run();
    await runCron(at("2026-11-21T00:05:00Z"));
    expect(await exists(held)).toEqual({ row: false, file: false });
  });

  it("the cutoff matches the rule for every day of four years", () => {
    // For each "today", the cutoff is the start of the oldest day whose period still runs.
    for (let day = Date.UTC(2025, 0, 1); day < Date.UTC(2029, 0, 1); day += 86_400_000) {
      const cutoff = retentionCutoff(day + 43_200_000, 24);
      const start = new Date(cutoff);
      const end = new Date(
        Date.UTC(start.getUTCFullYear() + 2, start.getUTCMonth(), start.getUTCDate()),
      );
      // The first kept day's period ends today or later (clamped month ends may land on today).
      const clampedEnd =
        end.getUTCDate() === start.getUTCDate()
          ? end
          : new Date(Date.UTC(end.getUTCFullYear(), end.getUTCMonth(), 0));
      expect(clampedEnd.getTime()).toBeGreaterThanOrEqual(day);
      // And the day before it has ended before today.
      const prev = new Date(cutoff - 86_400_000);
      const prevEnd = new Date(
        Date.UTC(prev.getUTCFullYear() + 2, prev.getUTCMonth(), prev.getUTCDate()),
      );
      const prevClamped =
        prevEnd.getUTCDate() === prev.getUTCDate()
          ? prevEnd
          : new Date(Date.UTC(prevEnd.getUTCFullYear(), prevEnd.getUTCMonth(), 0));
      expect(prevClamped.getTime()).toBeLessThan(day);
    }
  });
});

describe("technical log entries are purged after LOG_RETENTION_DAYS", () => {
  it("keeps 29 days, removes 31 days", async () => {
    const now = at("2026-06-30T12:00:00Z");
    const day = 86_400_000;
    for (const [age, outcome] of [
      [29, "keep-29"],
      [31, "drop-31"],
    ] as const) {
      await appendLogEntry(env.LOG_DB, {
        minute: now - age * day,
        network: "192.0.2.0",
        ip: null,
        browser: "Firefox 140",
        referrer: null,
        outcome,
      });
    }
    await runCron(now);
    const { results } = await env.LOG_DB.prepare(
      "SELECT outcome FROM tech_log WHERE outcome LIKE '%-%'",
    ).all<{ outcome: string }>();
    expect(results.map((r) => r.outcome)).toEqual(["keep-29"]);
  });
});

describe("the purge itself", () => {
  it("works in bounded chunks and resumes on the next run", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await seed("2019-05-01T00:00:00Z", { file: i % 2 === 0 }));
    const now = at("2026-11-21T00:00:00Z");
    const deps = {
      db: env.DB,
      logDb: env.LOG_DB,
      bucket: env.ATTACHMENTS,
      now,
      retentionMonths: 24,
      logRetentionDays: 30,
    };
    const none = new Allowance(0);
    const budget = { purge: none, logs: none, files: none, orphans: none };
    const first = await purge({ ...deps, budget });
    expect(first).toMatchObject({ inquiries: 0, incomplete: true });
    const second = await purge(deps);
    expect(second.inquiries).toBeGreaterThanOrEqual(5);
    expect(second.files).toBeGreaterThanOrEqual(3);
    for (const id of ids) expect(await exists(id)).toEqual({ row: false, file: false });
  });

  it("removes orphaned files older than an hour, never a fresh upload", async () => {
    const now = Date.now();
    await env.ATTACHMENTS.put("attachments/orphan-fresh", "x");
    const live = await seed(new Date(now).toISOString());
    await runCron(now + 2 * 3600_000);
    expect(await env.ATTACHMENTS.head("attachments/orphan-fresh")).toBeNull();
    expect((await exists(live)).file).toBe(true);
    await env.ATTACHMENTS.put("attachments/orphan-new", "x");
    await runCron(now);
    expect(await env.ATTACHMENTS.head("attachments/orphan-new")).not.toBeNull();
  });
});

describe("the purge depends only on the retention variables", () => {
  async function oldLogRow(now: number, outcome: string) {
    await appendLogEntry(env.LOG_DB, {
      minute: now - 40 * 86_400_000,
      network: "192.0.2.0",
      ip: null,
      browser: "Firefox 140",
      referrer: null,
      outcome,
    });
  }
  const logRows = async (outcome: string) =>
    (await env.LOG_DB.prepare("SELECT count(*) AS n FROM tech_log WHERE outcome = ?")
      .bind(outcome)
      .first<{ n: number }>())!.n;

  it("a too-short ADMIN_TOKEN (an unrelated problem) stops delivery, not the deletions", async () => {
    const now = at("2026-11-21T00:00:00Z");
    const id = await seed("2024-01-01T00:00:00Z");
    await oldLogRow(now, "old-short-token");
    await runCron(now, { ADMIN_TOKEN: "too-short" });
    expect(await exists(id)).toEqual({ row: false, file: false });
    expect(await logRows("old-short-token")).toBe(0);
  });

  it("an invalid RETENTION_MONTHS skips inquiries (no default is guessed) but still purges the log", async () => {
    const now = at("2026-11-21T00:00:00Z");
    const id = await seed("2019-01-01T00:00:00Z");
    await oldLogRow(now, "old-bad-months");
    const errors = vi.spyOn(console, "error");
    await runCron(now, { RETENTION_MONTHS: "0" });
    expect(await exists(id)).toEqual({ row: true, file: true });
    expect(await logRows("old-bad-months")).toBe(0);
    expect(errors.mock.calls.flat()).toContain("purge skipped: RETENTION_MONTHS out_of_range");
    errors.mockRestore();
  });
});
