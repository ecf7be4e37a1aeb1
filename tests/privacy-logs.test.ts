import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { browserOf, networkOf, referrerOf } from "../src/log/technical-log.ts";
import worker from "../src/index.ts";
import { instrumentEnv, type BindingCall } from "../testing/bindings.ts";
import { samples } from "./file-samples.ts";
import {
  ADMIN_TOKEN,
  call,
  envWith,
  file,
  installFakes,
  postRaw,
  runCron,
  storedRow,
  submit,
  validFields,
  type Fakes,
  limiterWindowAhead,
} from "./helpers.ts";

let fakes: Fakes;
beforeEach(() => {
  fakes = installFakes();
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

interface LogRow {
  minute: number;
  network: string;
  slot: number;
  ip: string | null;
  browser: string | null;
  referrer: string | null;
  outcome: string;
  count: number;
}

const MINUTE = 60_000;

async function logOf(network: string): Promise<LogRow[]> {
  return (
    await env.LOG_DB.prepare("SELECT * FROM tech_log WHERE network = ?").bind(network).all<LogRow>()
  ).results;
}

let nets = 0;
/** A /24 no other test of this file logs from (storage is shared between the tests of a file). */
function freshNet(): string {
  nets++;
  return `198.18.${nets}`;
}

/** Freezes the worker's clock (Date only; timers run) at `at`. */
function clockAt(at: number): void {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(at);
}

const FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0";

describe("the technical log (what the privacy notice promises)", () => {
  it("records the minute, the /24, browser family and version, referrer without query, outcome", async () => {
    clockAt(Date.UTC(2026, 10, 29, 10, 17, 42, 123));
    await submit(validFields(), {
      headers: {
        "cf-connecting-ip": "203.0.113.45",
        "user-agent": FIREFOX,
        referer: "https://www.example.com/kontakt?email=ana@primer.si#top",
      },
    });
    expect(await logOf("203.0.113.0")).toEqual([
      {
        minute: Date.UTC(2026, 10, 29, 10, 17),
        network: "203.0.113.0",
        slot: expect.any(Number),
        ip: null,
        browser: "Firefox 140",
        referrer: "https://www.example.com/kontakt",
        outcome: "stored",
        count: 1,
      },
    ]);
  });

  it("records refusals by their code", async () => {
    const net = freshNet();
    const ip = `${net}.77`;
    await submit({ ...validFields(), email: "x" }, { headers: { "cf-connecting-ip": ip } });
    await submit({ ...validFields(), _gotcha: "bot" }, { headers: { "cf-connecting-ip": ip } });
    const outcomes = (await logOf(`${net}.0`)).map((r) => r.outcome).sort();
    expect(outcomes).toEqual(["honeypot", "validation_failed"]);
  });

  it("keeps the whole IP only with LOG_IP=full, still bounded per /48", async () => {
    await submit(
      validFields(),
      { headers: { "cf-connecting-ip": "2001:DB8:abcd:12:0:0:0:1" } },
      { LOG_IP: "full" },
    );
    expect(await logOf("2001:db8:abcd::")).toMatchObject([
      { ip: "2001:db8:abcd:12::1", outcome: "stored" },
    ]);
  });

  it("is kept in its own database: the inquiries' database has no log, the log no column of an inquiry", async () => {
    const inDb = await env.DB.prepare(
      "SELECT count(*) AS n FROM sqlite_master WHERE name = 'tech_log'",
    ).first<{ n: number }>();
    expect(inDb?.n).toBe(0);
    const columns = async (db: D1Database, table: string) =>
      (
        await db.prepare(`SELECT name FROM pragma_table_info('${table}')`).all<{ name: string }>()
      ).results.map((c) => c.name);
    const logColumns = await columns(env.LOG_DB, "tech_log");
    expect(logColumns.sort()).toEqual(
      ["browser", "count", "ip", "minute", "network", "outcome", "referrer", "slot"].sort(),
    );
    const inquiryColumns = await columns(env.DB, "inquiries");
    expect(inquiryColumns.filter((c) => logColumns.includes(c))).toEqual([]);

    const fields = validFields();
    const net = freshNet();
    const res = await submit(fields, {
      headers: {
        "cf-connecting-ip": `${net}.9`,
        "user-agent": FIREFOX,
        referer: "https://a.example/f",
      },
    });
    const { id } = (await res.json()) as { id: string };
    const log = JSON.stringify(await logOf(`${net}.0`));
    for (const v of [id, fields.name, fields.email, fields.message]) expect(log).not.toContain(v);
    // And the inquiry row holds no IP, user agent or referrer.
    const row = JSON.stringify(await storedRow(id));
    for (const v of [net, "Firefox", "Gecko", "a.example"]) expect(row).not.toContain(v);
  });

  it("carries no inquiry's exact time, and no row order or id pairs a row with its inquiry", async () => {
    clockAt(Date.UTC(2026, 10, 29, 10, 18, 31, 507));
    const net = freshNet();
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const res = await submit(validFields(), {
        headers: { "cf-connecting-ip": `${net}.${i + 1}`, referer: `https://a.example/p${i}` },
      });
      ids.push(((await res.json()) as { id: string }).id);
    }
    const created = await Promise.all(ids.map(async (id) => (await storedRow(id))!.created_at));
    const rows = await logOf(`${net}.0`);
    expect(rows).toHaveLength(10);
    for (const r of rows) {
      expect(r.minute % MINUTE).toBe(0);
      expect(created).not.toContain(r.minute);
    }
    expect(new Set(rows.map((r) => r.minute))).toEqual(new Set([Date.UTC(2026, 10, 29, 10, 18)]));
    // No rowid and no insertion order: the rows come back in an order that has
    // nothing to do with the requests' (10! orders; a match by chance is 1 in 3.6 million).
    await expect(env.LOG_DB.prepare("SELECT rowid FROM tech_log").all()).rejects.toThrow();
    const order = rows.map((r) => r.referrer);
    expect(order).not.toEqual(Array.from({ length: 10 }, (_, i) => `https://a.example/p${i}`));
  });

  it("a full or broken log never stops an inquiry", async () => {
    const broken = {
      prepare: () => {
        throw new Error("D1_ERROR: database or disk is full");
      },
    };
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const fields = validFields();
    const res = await submit(fields, {}, { LOG_DB: broken });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    expect(await storedRow(id)).toMatchObject({ name: fields.name, message: fields.message });
    expect(errors).toHaveBeenCalledWith("technical log write failed: Error");
  });
});

describe("the technical log is bounded per network and minute", () => {
  // Invalid submissions (422): the body is read, so each may get a row of its own.
  const invalid = (ip: string) => postRaw("{}", "application/json", { "cf-connecting-ip": ip });

  it("20 invalid posts from one /24: 10 rows and one suppressed row counting 10", async () => {
    clockAt(Date.UTC(2026, 10, 29, 11, 0, 5));
    const net = freshNet();
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await invalid(`${net}.${i + 1}`)).status);
    expect(statuses.every((s) => s === 422)).toBe(true);
    const rows = await logOf(`${net}.0`);
    const plain = rows.filter((r) => r.outcome !== "suppressed");
    expect(plain).toHaveLength(10);
    expect(plain.every((r) => r.count === 1 && r.outcome === "validation_failed")).toBe(true);
    expect(rows.filter((r) => r.outcome === "suppressed")).toEqual([
      {
        minute: Date.UTC(2026, 10, 29, 11, 0),
        network: `${net}.0`,
        slot: 0,
        ip: null,
        browser: null,
        referrer: null,
        outcome: "suppressed",
        count: 10,
      },
    ]);
  });

  it("415 and 429, refused before the body is read, write only the minute's counter", async () => {
    await limiterWindowAhead();
    clockAt(Date.UTC(2026, 10, 29, 11, 0, 35));
    const net = freshNet();
    // Every binding call the worker makes, through its real fetch handler.
    const calls: BindingCall[] = [];
    const watched = instrumentEnv(envWith(), { onCall: (c) => calls.push(c) });
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) {
      const ctx = createExecutionContext();
      const res = await worker.fetch(
        new Request("https://forms.example.com/inquiry", {
          method: "POST",
          headers: { "content-type": "text/plain", "cf-connecting-ip": `${net}.99` },
          body: "hello",
        }),
        watched,
        ctx,
      );
      await waitOnExecutionContext(ctx);
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 5)).toEqual([415, 415, 415, 415, 415]);
    expect(statuses.every((s) => s === 415 || s === 429)).toBe(true);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(10);
    // One row for the whole flood: the counter, counting every request.
    expect(await logOf(`${net}.0`)).toEqual([
      {
        minute: Date.UTC(2026, 10, 29, 11, 0),
        network: `${net}.0`,
        slot: 0,
        ip: null,
        browser: null,
        referrer: null,
        outcome: "suppressed",
        count: 20,
      },
    ]);
    // Nothing else was touched: no inquiry database, no bucket; one log statement each.
    const touched = calls.filter((c) => c.binding !== "SUBMIT_LIMITER");
    expect(touched).toHaveLength(20);
    expect(touched.every((c) => c.binding === "LOG_DB" && c.op === "run")).toBe(true);
  });

  it("holds under concurrent requests from one /24, and counts each one exactly once", async () => {
    clockAt(Date.UTC(2026, 10, 29, 11, 1, 30));
    const net = freshNet();
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => invalid(`${net}.${i + 1}`)),
    );
    expect(results.every((r) => r.status === 422)).toBe(true);
    const rows = await logOf(`${net}.0`);
    expect(rows.filter((r) => r.outcome !== "suppressed")).toHaveLength(10);
    expect(rows.filter((r) => r.outcome === "suppressed").map((r) => r.count)).toEqual([30]);
  });

  it("starts again the next minute, and keeps other networks apart", async () => {
    clockAt(Date.UTC(2026, 10, 29, 11, 2, 59));
    const [a, b] = [freshNet(), freshNet()];
    for (let i = 0; i < 12; i++) await invalid(`${a}.${i + 1}`);
    await invalid(`${b}.1`);
    vi.setSystemTime(Date.UTC(2026, 10, 29, 11, 3, 0));
    await invalid(`${a}.200`);
    const count = (rows: LogRow[], minute: number, outcome?: string) =>
      rows
        .filter((r) => r.minute === Date.UTC(2026, 10, 29, 11, minute))
        .filter((r) => (outcome ? r.outcome === outcome : r.outcome !== "suppressed"))
        .reduce((n, r) => n + r.count, 0);
    const rows = await logOf(`${a}.0`);
    expect([count(rows, 2), count(rows, 2, "suppressed"), count(rows, 3)]).toEqual([10, 2, 1]);
    expect(await logOf(`${b}.0`)).toHaveLength(1);
  });
});

describe("what a log row keeps of a request, through POST /inquiry", () => {
  it.each([
    [FIREFOX, "Firefox 140"],
    [
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36",
      "Chrome 142",
    ],
    [
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36 Edg/142.0.0.0",
      "Edge 142",
    ],
    [
      "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1",
      "Safari 18",
    ],
    [
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1.1 Safari/605.1.15",
      "Safari 18",
    ],
    [
      "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/142.0.7444.46 Mobile/15E148 Safari/604.1",
      "Chrome 142",
    ],
    [
      "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/28.0 Chrome/130.0.0.0 Mobile Safari/537.36",
      "Samsung Internet 28",
    ],
    ["curl/8.5.0", "curl 8"],
    ["Googlebot/2.1 (+http://www.google.com/bot.html)", "Bot"],
    ["something else", "Other"],
  ])("user agent %s is kept as %s", async (ua, expected) => {
    const net = freshNet();
    await postRaw("{}", "application/json", { "cf-connecting-ip": `${net}.1`, "user-agent": ua });
    const rows = await logOf(`${net}.0`);
    expect(rows.map((r) => r.browser)).toEqual([expected]);
  });

  it.each([
    ["https://www.example.com/kontakt?email=ana@primer.si#top", "https://www.example.com/kontakt"],
    ["https://ana:geslo@www.example.com/a/b/?x=1", "https://www.example.com/a/b/"],
    ["http://www.example.com:8080", "http://www.example.com:8080/"],
    ["android-app://com.example/", null],
    ["not a url", null],
  ])("referrer %s is kept as %s", async (referer, expected) => {
    const net = freshNet();
    await postRaw("{}", "application/json", { "cf-connecting-ip": `${net}.5`, referer });
    expect((await logOf(`${net}.0`)).map((r) => r.referrer)).toEqual([expected]);
  });

  it("a user agent of any length costs the same: only its first 512 characters are read", () => {
    const hostile = "Version/1" + "1".repeat(100_000) + " x";
    const start = performance.now();
    expect(browserOf(hostile)).toBe("Other");
    expect(performance.now() - start).toBeLessThan(500);
    expect(referrerOf(null)).toBeNull();
  });

  it.each([
    ["203.0.113.45", "203.0.113.0"],
    ["::ffff:203.0.113.45", "203.0.113.0"],
    ["::FFFF:cb00:712d", "203.0.113.0"],
    ["2001:db8:abcd:12::1", "2001:db8:abcd::"],
    ["2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::"],
    ["2001:db8:0:0:1::", "2001:db8::"],
    ["::1", "::"],
    ["::", "::"],
    ["fe80::1%eth0", null],
    ["1:2:3:4:5:6:7:8:9", null],
    ["1::2::3", null],
    ["203.0.113.045", null],
    ["256.0.0.1", null],
    ["not an ip", null],
  ])("cuts %s to the network %s (IPv4 /24, IPv6 /48)", (ip, expected) => {
    expect(networkOf(ip)).toBe(expected);
  });
});

describe("console output", () => {
  it("never contains a submitted value or an IP, through submission, delivery, purge and erasure", async () => {
    const lines: string[] = [];
    for (const method of ["log", "info", "warn", "error", "debug"] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        lines.push(
          args
            .map((a) =>
              a instanceof Error
                ? `${a.name} ${a.message} ${a.stack}`
                : typeof a === "string"
                  ? a
                  : JSON.stringify(a),
            )
            .join(" "),
        );
      });
    }
    const ip = "203.0.113.201";
    const fields = validFields({
      name: "Zala Unikatna",
      email: "zala.unikatna@skrivnost.si",
      phone: "+386 40 999 888",
      company: "Skrivnost d.o.o.",
      message: "Zelo zaupno sporočilo 4711",
    });
    const headers = { "cf-connecting-ip": ip, "user-agent": "Firefox/140.0" };

    // Mail fails twice (logged as retries), a 422 fails for good, storage breaks once.
    fakes.resend.failNext({ kind: "network" }).failNext({ kind: "status", status: 500 });
    const res = await submit(
      { ...fields, attachment: file(samples.pdf(), "zaupno-4711.pdf") },
      { headers },
    );
    const { id } = (await res.json()) as { id: string };
    await runCron(Date.now() + 10 * 60_000);
    await runCron(Date.now() + 60 * 60_000);
    fakes.resend.failNext({ kind: "status", status: 422 });
    await submit(fields, { headers });
    await submit({ ...fields, email: "broken" }, { headers });
    await submit(
      fields,
      { headers },
      {
        DB: {
          prepare: () => {
            throw new Error(`D1 failed for ${fields.email}`);
          },
        },
      },
    );
    await submit(fields, { headers }, { MAIL_TO: "nope" });
    await runCron(Date.UTC(2030, 0, 1));
    await call(
      new Request(`https://x.example/admin/inquiries?email=${fields.email}`, {
        method: "DELETE",
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      }),
    );

    expect(fakes.resend.emails.some((e) => e.idempotencyKey === `inquiry-${id}`)).toBe(true);
    expect(lines.length).toBeGreaterThan(3); // the run did log: retries, the failure, the purge
    const secrets = [...Object.values(fields), "Zala", "4711", "skrivnost", ip, "203.0.113"];
    for (const line of lines)
      for (const s of secrets) expect(line.toLowerCase()).not.toContain(s.toLowerCase());
  });
});
