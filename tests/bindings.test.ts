import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { counter, InjectedFault, instrumentEnv, instrumentFetch } from "../testing/bindings.ts";

describe("testing/bindings: what a run costs, counted at the bindings", () => {
  it("counts D1 calls (a batch once), R2 calls and outbound fetch", async () => {
    const { plan, count } = counter();
    const e = instrumentEnv(env, plan);
    await e.DB.prepare("SELECT 1").first();
    await e.DB.prepare("SELECT ?1").bind(2).all();
    await e.DB.batch([e.DB.prepare("SELECT 1"), e.DB.prepare("SELECT ?").bind(3)]);
    await e.ATTACHMENTS.put("bindings-test", "x");
    await e.ATTACHMENTS.list({ prefix: "bindings-" });
    await e.ATTACHMENTS.delete("bindings-test");
    const f = instrumentFetch(async () => new Response("ok"), plan);
    await f("https://resend.fake/emails");
    expect(count.queries).toBe(3);
    expect(count.subrequests).toBe(7);
    expect(count.calls.map((c) => `${c.binding}.${c.op}`)).toEqual([
      "DB.first",
      "DB.all",
      "DB.batch",
      "ATTACHMENTS.put",
      "ATTACHMENTS.list",
      "ATTACHMENTS.delete",
      "fetch.fetch",
    ]);
    expect(count.calls[2]!.statements).toBe(2);
  });

  it("fails the calls the plan names, and waits as told", async () => {
    const e = instrumentEnv(env, {
      latencyMs: 5,
      fail: (c) => c.binding === "ATTACHMENTS" && c.op === "get",
    });
    await expect(e.ATTACHMENTS.get("nothing")).rejects.toBeInstanceOf(InjectedFault);
    const t = Date.now();
    expect(await e.DB.prepare("SELECT 7 AS n").first("n")).toBe(7);
    expect(Date.now() - t).toBeGreaterThanOrEqual(4);
  });
});
