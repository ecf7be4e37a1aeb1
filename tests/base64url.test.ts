import * as stablelib from "@stablelib/base64";
import { describe, expect, it } from "vitest";
import { base64url, fromBase64url } from "../src/crypto/base64url.ts";

const bytes = (s: string) => new TextEncoder().encode(s);
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

describe("base64url of links and tokens", () => {
  it("encodes RFC 4648 §10's vectors without padding, and reads them back", () => {
    const vectors = ["", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"];
    for (const [i, text] of vectors.entries()) {
      expect(base64url(bytes("foobar".slice(0, i)))).toBe(text);
      expect(fromBase64url(text)).toEqual(bytes("foobar".slice(0, i)));
    }
  });

  it("agrees with @stablelib/base64's URL-safe encoding on every length", () => {
    for (let n = 0; n < 70; n++) {
      const b = Uint8Array.from({ length: n }, (_, i) => (i * 151 + n * 7) & 255);
      const text = stablelib.encodeURLSafe(b).replaceAll("=", "");
      expect(base64url(b)).toBe(text);
      expect(fromBase64url(text)).toEqual(b);
    }
  });

  it("reads only the canonical spelling: unused bits set, padding, other alphabets are refused", () => {
    const mac = base64url(new Uint8Array(32).fill(0xa5)); // 43 characters, 2 unused bits
    const last = ALPHABET.indexOf(mac.at(-1)!);
    for (const bits of [1, 2, 3]) {
      expect(fromBase64url(mac.slice(0, -1) + ALPHABET[last | bits])).toBeNull();
    }
    for (const bad of [`${mac}=`, "Zm9v+w", "Zm9v/w", "Zm9 v", "Z", "Zm9vY", "Zh", "Zm9"]) {
      expect(fromBase64url(bad), bad).toBeNull();
    }
  });
});
