import { describe, expect, it, beforeEach } from "vitest";
import { parseIp, rateLimitKey } from "../src/net/ip.ts";
import { installFakes, submit, validFields, limiterWindowAhead } from "./helpers.ts";

beforeEach(() => {
  installFakes();
});

/** POSTs one valid inquiry from each address in turn; the answers' statuses. */
async function postFrom(addresses: string[]): Promise<number[]> {
  const statuses: number[] = [];
  for (const ip of addresses) {
    const res = await submit(validFields(), { headers: { "cf-connecting-ip": ip } });
    statuses.push(res.status);
  }
  return statuses;
}

describe("the rate limit (5 per minute) keys a client by its address", () => {
  it("IPv6 by its /64: 7 addresses of one /64 share one limit, written any way", async () => {
    await limiterWindowAhead();
    const statuses = await postFrom([
      "2001:db8:1:64::1",
      "2001:db8:1:64::2",
      "2001:0db8:0001:0064:0000:0000:0000:0003",
      "2001:DB8:1:64:ffff:ffff:ffff:ffff",
      "2001:db8:1:64:1234::",
      "2001:db8:1:64:a:b:c:d",
      "2001:db8:1:64::7",
    ]);
    expect(statuses).toEqual([201, 201, 201, 201, 201, 429, 429]);
  });

  it("the 429 says when to come back", async () => {
    await limiterWindowAhead();
    const addresses = Array.from({ length: 6 }, (_, i) => `2001:db8:2:64::${i + 1}`);
    await postFrom(addresses.slice(0, 5));
    const res = await submit(validFields(), { headers: { "cf-connecting-ip": addresses[5]! } });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("60");
    expect(await res.json()).toMatchObject({ ok: false, code: "rate_limited" });
  });

  it("another /64 of the same /48 has a limit of its own", async () => {
    await postFrom(Array.from({ length: 5 }, (_, i) => `2001:db8:3:1::${i + 1}`));
    expect(await postFrom(["2001:db8:3:2::1"])).toEqual([201]);
  });

  it("IPv4 as it is: 7 addresses of one /24 each have their own limit", async () => {
    const statuses = await postFrom(Array.from({ length: 7 }, (_, i) => `192.0.2.${i + 10}`));
    expect(statuses).toEqual([201, 201, 201, 201, 201, 201, 201]);
  });

  it("an IPv4-mapped IPv6 address is the IPv4 address", async () => {
    await limiterWindowAhead();
    const statuses = await postFrom([
      "192.0.2.200",
      "::ffff:192.0.2.200",
      "::FFFF:c000:2c8",
      "0:0:0:0:0:ffff:192.0.2.200",
      "192.0.2.200",
      "::ffff:192.0.2.200",
    ]);
    expect(statuses).toEqual([201, 201, 201, 201, 201, 429]);
  });
});

describe("rateLimitKey", () => {
  it.each([
    ["2001:db8:abcd:12:1:2:3:4", "2001:db8:abcd:12::/64"],
    ["2001:db8::1", "2001:db8::/64"],
    ["::1", "::/64"],
    ["fe80::", "fe80::/64"],
    ["1:2:3:4:5:6:1.2.3.4", "1:2:3:4::/64"],
    ["203.0.113.7", "203.0.113.7"],
    ["::ffff:203.0.113.7", "203.0.113.7"],
    [" 203.0.113.7 ", "203.0.113.7"],
    [null, "unknown"],
    ["", "unknown"],
    ["fe80::1%eth0", "unknown"],
    ["1:2:3:4:5:6:7:8:9", "unknown"],
    ["1:2:3:4:5:6:7:8::", "unknown"],
    [":1::", "unknown"],
    ["12345::", "unknown"],
    ["1.2.3", "unknown"],
    ["01.2.3.4", "unknown"],
    ["1.2.3.4.", "unknown"],
    ["::1.2.3.256", "unknown"],
    ["g::", "unknown"],
  ])("%s → %s", (ip, key) => {
    expect(rateLimitKey(ip)).toBe(key);
  });

  it("reads any hostile header in bounded time", () => {
    const start = performance.now();
    for (const s of [
      ":".repeat(100_000),
      "1:".repeat(50_000),
      "1.".repeat(50_000),
      "a".repeat(1e6),
    ])
      expect(parseIp(s)).toBeNull();
    expect(performance.now() - start).toBeLessThan(500);
  });
});
