import { env } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { browserOf, referrerOf, truncateIp, type LogEntry } from "../src/log/technical-log.ts";
import { samples } from "./file-samples.ts";
import {
  ADMIN_TOKEN,
  call,
  file,
  installFakes,
  runCron,
  submit,
  validFields,
  type Fakes,
} from "./helpers.ts";

let fakes: Fakes;
beforeEach(() => {
  fakes = installFakes();
});
afterEach(() => {
  vi.restoreAllMocks();
});

const lastLog = () =>
  env.DB.prepare("SELECT * FROM tech_log ORDER BY id DESC LIMIT 1").first<LogEntry>();

describe("the technical log (README: what the privacy notice promises)", () => {
  it("records time, truncated IP, browser family and version, referrer without query, outcome", async () => {
    const before = Date.now();
    await submit(validFields(), {
      headers: {
        "cf-connecting-ip": "203.0.113.45",
        "user-agent": "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0",
        referer: "https://www.example.com/kontakt?email=ana@primer.si#top",
      },
    });
    const row = await lastLog();
    expect(row).toMatchObject({
      ip: "203.0.113.0",
      browser: "Firefox 140",
      referrer: "https://www.example.com/kontakt",
      outcome: "stored",
    });
    expect(row!.at).toBeGreaterThanOrEqual(before - 1000);
  });

  it("records refusals by their code", async () => {
    await submit({ ...validFields(), email: "x" });
    expect((await lastLog())?.outcome).toBe("validation_failed");
    await submit({ ...validFields(), _gotcha: "bot" });
    expect((await lastLog())?.outcome).toBe("honeypot");
  });

  it("keeps the whole IP only with LOG_IP=full", async () => {
    await submit(
      validFields(),
      { headers: { "cf-connecting-ip": "2001:db8:abcd:12::1" } },
      { LOG_IP: "full" },
    );
    expect((await lastLog())?.ip).toBe("2001:db8:abcd:12::1");
  });

  it("shares no column with inquiries and holds nothing of the form", async () => {
    const columns = await env.DB.prepare("SELECT name FROM pragma_table_info('tech_log')").all<{
      name: string;
    }>();
    expect(columns.results.map((c) => c.name).sort()).toEqual([
      "at",
      "browser",
      "id",
      "ip",
      "outcome",
      "referrer",
    ]);
    const fields = validFields();
    const res = await submit(fields);
    const { id } = (await res.json()) as { id: string };
    const log = JSON.stringify(await lastLog());
    for (const v of [id, fields.name, fields.email, fields.message]) expect(log).not.toContain(v);
  });

  it.each([
    ["203.0.113.45", "203.0.113.0"],
    ["2001:db8:abcd:12::1", "2001:db8:abcd::"],
    ["2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8:0::"],
    ["::1", "0:0:0::"],
    ["not an ip", null],
  ])("truncates %s to %s", (ip, expected) => {
    expect(truncateIp(ip, "truncated")).toBe(expected);
  });

  it.each([
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
    ["curl/8.5.0", "curl 8"],
    ["Googlebot/2.1 (+http://www.google.com/bot.html)", "Bot"],
    ["something else", "Other"],
  ])("reduces a user agent to family and major version: %s", (ua, expected) => {
    expect(browserOf(ua)).toBe(expected);
  });

  it("drops referrers that are not http(s)", () => {
    expect(referrerOf("android-app://com.example")).toBeNull();
    expect(referrerOf("https://a.example/p?q=1")).toBe("https://a.example/p");
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
