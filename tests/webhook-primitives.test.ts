// The deployed worker verifies webhooks with standardwebhooks whose base64 and
// HMAC-SHA256 wrangler.toml aliases to the runtime's (src/webhooks/base64.ts,
// sha256.ts); these tests run the library with its own packages, so here each
// stand-in is held to the standards' vectors and to the package it replaces.
import * as stablelib from "@stablelib/base64";
import * as fastSha256 from "fast-sha256";
import { describe, expect, it } from "vitest";
import { decode, encode } from "../src/webhooks/base64.ts";
import { hmac } from "../src/webhooks/sha256.ts";

const bytes = (s: string) => new TextEncoder().encode(s);
const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
const fromHex = (h: string) => Uint8Array.from(h.match(/../g)!, (x) => parseInt(x, 16));

/** Deterministic bytes, so a failure names the same input every run. */
function sample(seed: number, length: number): Uint8Array {
  let x = seed * 2654435761;
  return Uint8Array.from({ length }, () => (x = (x * 1103515245 + 12345) >>> 0) >>> 24);
}

describe("the base64 stand-in", () => {
  it("encodes and decodes RFC 4648 §10's vectors", () => {
    const vectors = ["", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"];
    for (const [i, b64] of vectors.entries()) {
      expect(encode(bytes("foobar".slice(0, i)))).toBe(b64);
      expect(new TextDecoder().decode(decode(b64))).toBe("foobar".slice(0, i));
    }
  });

  it("agrees with @stablelib/base64 on every length and byte, and refuses what is not base64", () => {
    for (let n = 0; n < 80; n++) {
      const b = sample(n, n);
      expect(encode(b)).toBe(stablelib.encode(b));
      expect(decode(stablelib.encode(b))).toEqual(b);
    }
    for (const bad of ["Zm9v!", "Zm9vY", "Z===", "Zm 9v#"]) expect(() => decode(bad)).toThrow();
  });
});

describe("the HMAC-SHA256 stand-in", () => {
  it("gives RFC 4231's test case results", () => {
    // Test cases 1, 2, 4 and 6 (a key longer than the block size).
    const cases: [Uint8Array, Uint8Array, string][] = [
      [
        fromHex("0b".repeat(20)),
        bytes("Hi There"),
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
      ],
      [
        bytes("Jefe"),
        bytes("what do ya want for nothing?"),
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
      ],
      [
        fromHex("0102030405060708090a0b0c0d0e0f10111213141516171819"),
        fromHex("cd".repeat(50)),
        "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
      ],
      [
        fromHex("aa".repeat(131)),
        bytes("Test Using Larger Than Block-Size Key - Hash Key First"),
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
      ],
    ];
    for (const [key, data, mac] of cases) expect(hex(hmac(key, data))).toBe(mac);
  });

  it("agrees with fast-sha256 on keys and messages of many lengths", () => {
    for (let n = 0; n < 70; n++) {
      const key = sample(n + 1000, (n * 7) % 100);
      const data = sample(n, n * 13);
      expect(hmac(key, data)).toEqual(fastSha256.hmac(key, data));
    }
  });
});
