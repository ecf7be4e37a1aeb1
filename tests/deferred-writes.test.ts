import { env } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { batchWithDeferred, deferWrite, FLUSH_AFTER_MS } from "../src/store/deferred-writes.ts";
import { insertInquiry } from "../src/store/inquiries.ts";
import { newInquiry } from "./helpers.ts";

// The technical log has its own database now; a table of the test's own stands in for a queued write.
beforeEach(async () => {
  await env.DB.prepare("CREATE TABLE IF NOT EXISTS deferred_probe (outcome TEXT)").run();
});

const logLine = (outcome: string) =>
  env.DB.prepare("INSERT INTO deferred_probe (outcome) VALUES (?)").bind(outcome);

async function logged(outcome: string): Promise<number> {
  const row = await env.DB.prepare("SELECT count(*) AS n FROM deferred_probe WHERE outcome = ?")
    .bind(outcome)
    .first<{ n: number }>();
  return row!.n;
}

describe("deferred writes", () => {
  it("are written on their own after a short wait when no insert carries them", async () => {
    const start = Date.now();
    const written = await deferWrite(env.DB, logLine("alone"));
    expect(written).toBe(true);
    expect(Date.now() - start).toBeGreaterThanOrEqual(FLUSH_AFTER_MS - 5);
    expect(await logged("alone")).toBe(1);
  });

  it("ride along with the next inquiry's insert, before their own wait ends", async () => {
    let settledAt = 0;
    const start = Date.now();
    const pending = deferWrite(env.DB, logLine("carried")).then((w) => {
      settledAt = Date.now();
      return w;
    });
    await insertInquiry(env.DB, newInquiry());
    expect(await pending).toBe(true);
    expect(settledAt - start).toBeLessThan(FLUSH_AFTER_MS);
    expect(await logged("carried")).toBe(1);
  });

  it("never cost an inquiry its place: a broken queued write fails alone", async () => {
    const broken = env.DB.prepare("INSERT INTO no_such_table (x) VALUES (1)");
    const pending = deferWrite(env.DB, broken);
    const good = deferWrite(env.DB, logLine("beside-broken"));
    const stored = newInquiry();
    await insertInquiry(env.DB, stored);
    expect(await pending).toBe(false);
    // The whole carried batch counts as not written; the inquiry is stored.
    expect(await good).toBe(false);
    const row = await env.DB.prepare("SELECT id FROM inquiries WHERE id = ?")
      .bind(stored.id)
      .first();
    expect(row).toEqual({ id: stored.id });
  });

  it("leave a failing insert failing", async () => {
    const pending = deferWrite(env.DB, logLine("beside-bad-insert"));
    const bad = env.DB.prepare("INSERT INTO no_such_table (x) VALUES (1)");
    await expect(batchWithDeferred(env.DB, [bad])).rejects.toThrow();
    expect(await pending).toBe(false);
  });
});
