import { env } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { DELIVERY_SUMMARY_SQL } from "../src/store/delivery-admin.ts";
import { insertInquiry } from "../src/store/inquiries.ts";
import {
  ADMIN_TOKEN,
  call,
  installFakes,
  newInquiry,
  type Vars,
  limiterWindowAhead,
} from "./helpers.ts";

const HOUR = 60 * 60_000;

interface Health {
  ok: boolean;
  problems: { code: string; name?: string; problem: string }[];
  deliveries?: Record<string, number>;
}

let probe = 0;
/**
 * GET /health. Each call gets an env of its own (an unused var differs), so
 * the isolate's cache of the public answer never carries over between checks.
 */
async function health(
  opts: { token?: string; vars?: Vars; ip?: string; fresh?: boolean } = {},
): Promise<{ status: number; body: Health; text: string; headers: Headers }> {
  const vars = {
    ...(opts.fresh === false ? {} : { HEALTH_PROBE: String(++probe) }),
    ...opts.vars,
  } as Vars;
  const res = await call(
    new Request("https://forms.example.com/health", {
      headers: {
        "cf-connecting-ip": opts.ip ?? "203.0.113.9",
        ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      },
    }),
    vars,
  );
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as Health, text, headers: res.headers };
}

const codes = (h: { body: Health }) => h.body.problems.map((p) => p.code).sort();

async function seed(status: string, overrides: { createdAt?: number; hold?: number } = {}) {
  const i = newInquiry({ createdAt: overrides.createdAt ?? Date.now() });
  await insertInquiry(env.DB, i);
  await env.DB.prepare("UPDATE inquiries SET delivery_status = ?1, hold = ?2 WHERE id = ?3")
    .bind(status, overrides.hold ?? 0, i.id)
    .run();
  return i.id;
}

beforeEach(async () => {
  installFakes();
  // The tests of one file share a database: each starts from an empty one.
  await env.DB.prepare("DELETE FROM inquiries").run();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("GET /health", () => {
  it("says ok, with no counts, cacheable for a minute at most, without the token", async () => {
    await seed("sent");
    const h = await health();
    expect(h.status).toBe(200);
    expect(h.body).toMatchObject({ ok: true, config: "ok", storage: "ok", problems: [] });
    expect(h.body).not.toHaveProperty("deliveries");
    const maxAge = Number(/max-age=(\d+)/.exec(h.headers.get("cache-control") ?? "")?.[1]);
    expect(maxAge).toBeGreaterThan(0);
    expect(maxAge).toBeLessThanOrEqual(60);
    expect(h.headers.get("vary")).toMatch(/authorization/i);
    expect(h.text).not.toContain(ADMIN_TOKEN);
    expect(h.text).not.toContain(env.RESEND_API_KEY as string);
  });

  it("counts inquiries per delivery state only for the token, never cached", async () => {
    await seed("sent");
    await seed("pending");
    await seed("dismissed", { hold: 1 });
    const h = await health({ token: ADMIN_TOKEN });
    expect(h.status).toBe(200);
    expect(h.body.deliveries).toEqual({
      pending: 1,
      sent: 1,
      delivered: 0,
      bounced: 0,
      failed: 0,
      quarantined: 0,
      dismissed: 1,
      held: 1,
    });
    expect(h.headers.get("cache-control")).toBe("no-store");
  });

  it("refuses a wrong token with 401, and limits guesses like the operator API", async () => {
    await limiterWindowAhead();
    const ip = "203.0.113.77";
    for (let i = 0; i < 10; i++)
      expect((await health({ token: `guess-${i}`, ip })).status).toBe(401);
    expect((await health({ token: "guess-10", ip })).status).toBe(429);
    const locked = await health({ token: ADMIN_TOKEN, ip });
    expect(locked.status).toBe(429);
    expect(locked.body).not.toHaveProperty("deliveries");
  });

  it("is 503 with deliveries_failed while any delivery failed, until it is dismissed", async () => {
    const id = await seed("failed");
    const h = await health();
    expect(h.status).toBe(503);
    expect(h.body.ok).toBe(false);
    expect(codes(h)).toEqual(["deliveries_failed"]);
    expect(h.text).not.toContain(id);
    await env.DB.prepare("UPDATE inquiries SET delivery_status = 'dismissed' WHERE id = ?")
      .bind(id)
      .run();
    expect((await health()).status).toBe(200);
  });

  it("is 503 with deliveries_bounced while any delivery bounced", async () => {
    await seed("bounced");
    const h = await health();
    expect(h.status).toBe(503);
    expect(codes(h)).toEqual(["deliveries_bounced"]);
  });

  it("is 503 with delivery_waiting once a delivery waited more than an hour, naming a missing key", async () => {
    await seed("pending", { createdAt: Date.now() - 50 * 60_000 });
    expect((await health()).status).toBe(200);
    await seed("pending", { createdAt: Date.now() - HOUR - 60_000 });
    const withKey = await health();
    expect(withKey.status).toBe(503);
    expect(withKey.body.problems).toEqual([expect.objectContaining({ code: "delivery_waiting" })]);
    expect(withKey.body.problems[0]).not.toHaveProperty("name");
    const noKey = await health({ vars: { RESEND_API_KEY: "" } });
    expect(noKey.body.problems).toEqual([
      expect.objectContaining({ code: "delivery_waiting", name: "RESEND_API_KEY" }),
    ]);
  });

  it("does not count a held inquiry as waiting: an operator holds it on purpose", async () => {
    await seed("pending", { createdAt: Date.now() - 3 * HOUR, hold: 1 });
    expect((await health()).status).toBe(200);
  });

  it("is 503 with storage_unavailable when D1 cannot be read", async () => {
    const broken = {
      prepare: () => {
        throw new Error("D1_ERROR: database unavailable");
      },
    };
    const h = await health({ vars: { DB: broken } });
    expect(h.status).toBe(503);
    expect(h.body.problems).toEqual([
      expect.objectContaining({ code: "storage_unavailable", name: "DB" }),
    ]);
    expect(h.body).toMatchObject({ storage: "unavailable" });
  });

  it("is 503 while the configuration is invalid, naming the variable, never its value", async () => {
    const h = await health({ vars: { MAIL_TO: "not an address at all" } });
    expect(h.status).toBe(503);
    expect(h.body.problems).toEqual([expect.objectContaining({ name: "MAIL_TO" })]);
    expect(h.text).not.toContain("not an address at all");
  });

  it("answers the public from one isolate's copy for at most 30 s: one read, not one per request", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.UTC(2026, 10, 29, 12, 0, 0));
    const vars = { HEALTH_PROBE: "cached" } as Vars;
    expect((await health({ vars, fresh: false })).status).toBe(200);
    await seed("failed");
    // Same isolate, same answer within the TTL; the token-holder sees the truth at once.
    expect((await health({ vars, fresh: false })).status).toBe(200);
    expect((await health({ vars, fresh: false, token: ADMIN_TOKEN })).status).toBe(503);
    vi.setSystemTime(Date.UTC(2026, 10, 29, 12, 0, 31));
    expect((await health({ vars, fresh: false })).status).toBe(503);
  });

  it("without a configured ADMIN_TOKEN, Authorization gets the cached public answer: no read per request", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.UTC(2026, 10, 29, 13, 0, 0));
    // Unset, and only spaces (a configuration problem, so no token either).
    for (const token of ["", "   "]) {
      await env.DB.prepare("DELETE FROM inquiries").run();
      const vars = { HEALTH_PROBE: `no-token-${token.length}`, ADMIN_TOKEN: token } as Vars;
      const first = await health({ vars, fresh: false, token: "x" });
      await seed("failed");
      const second = await health({ vars, fresh: false, token: "x" });
      // The failure inserted between them is not seen: the second answer is the cached first.
      expect(second.text).toBe(first.text);
      expect(codes(second)).not.toContain("deliveries_failed");
      expect(second.body.deliveries).toBeUndefined();
      expect(second.headers.get("cache-control")).toMatch(/^public/);
      vi.setSystemTime(Date.now() + 31_000);
    }
  });

  it("reads the delivery state through indexes only: no scan of inquiries", async () => {
    // Enough rows in every state that a planner would notice a scan.
    for (const status of ["pending", "sent", "delivered", "failed", "bounced", "dismissed"]) {
      for (let i = 0; i < 5; i++) await seed(status, { hold: i % 2 });
    }
    await env.DB.prepare("ANALYZE").run();
    const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${DELIVERY_SUMMARY_SQL}`).all<{
      detail: string;
    }>();
    const plan = results.map((r) => r.detail);
    expect(plan.length).toBeGreaterThanOrEqual(3);
    expect(plan.filter((d) => /\binquiries\b/.test(d))).toHaveLength(3);
    for (const d of plan) expect(d).not.toMatch(/^SCAN inquiries/);
    expect(
      plan.filter((d) => /^SEARCH inquiries USING (COVERING )?INDEX inquiries_status/.test(d)),
    ).toHaveLength(3);
    expect(plan.join("\n")).not.toMatch(/USE TEMP B-TREE/);
  });
});
