import fc from "fast-check";
import { beforeEach, describe, expect, it } from "vitest";
import { installFakes, submit, type FieldValue } from "./helpers.ts";

beforeEach(() => {
  installFakes();
});

const SERVICES = [
  "CNC machining",
  "Sheet metal work",
  "Welding",
  "Design and engineering",
  "Other",
];
const FIELDS = [
  "name",
  "email",
  "phone",
  "company",
  "service",
  "message",
  "_lang",
  "_gotcha",
  "attachment",
  "extra",
];

const hostileString = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.string({ unit: "grapheme", maxLength: 200 }),
  fc.constantFrom(
    "",
    " ",
    "\u0000",
    "\r\n",
    "<script>alert(1)</script>",
    "\"'><img src=x onerror=alert(1)>",
    "%00",
    "\uFEFF",
    "\u202E",
    "a".repeat(6000),
  ),
);

const anyValue: fc.Arbitrary<FieldValue> = fc.oneof(
  { weight: 6, arbitrary: hostileString },
  { weight: 1, arbitrary: fc.array(hostileString, { minLength: 2, maxLength: 3 }) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((b) => new File([b], "f.bin")) },
);

const encoding = fc.constantFrom("multipart" as const, "urlencoded" as const, "json" as const);
const accept = fc.constantFrom("application/json", "text/html,*/*;q=0.8", "*/*");

describe("random submissions", () => {
  // 150 submissions through the whole worker take longer than vitest's default 5 s.
  it("never get a 5xx and never echo input unescaped", { timeout: 30_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.constantFrom(...FIELDS), anyValue, { maxKeys: 10 }),
        encoding,
        accept,
        async (fields, enc, acc) => {
          // JSON and urlencoded bodies cannot carry files; send what they can.
          const sendable =
            enc === "multipart"
              ? fields
              : Object.fromEntries(
                  Object.entries(fields).filter(
                    ([, v]) => !(v instanceof File) && !(Array.isArray(v) && enc === "json"),
                  ),
                );
          const res = await submit(sendable, { encoding: enc, accept: acc });
          expect(res.status).toBeLessThan(500);
          expect([201, 303, 400, 413, 422]).toContain(res.status);
          const text = await res.text();
          for (const v of Object.values(sendable).flat()) {
            if (typeof v === "string" && /[<>"']/.test(v) && v.length > 2)
              expect(text).not.toContain(v);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

const letters = "abcdefghijklmnopqrstuvwxyzčšžćđABCČŠŽöüßñ";
const nameArb = fc
  .tuple(
    fc.string({ unit: fc.constantFrom(...letters), minLength: 1, maxLength: 40 }),
    fc.string({ unit: fc.constantFrom(...letters), minLength: 1, maxLength: 40 }),
  )
  .map(([a, b]) => `${a} ${b}`);
const emailArb = fc.emailAddress().filter(
  (e) =>
    e.length <= 254 &&
    e.split("@")[1]!.includes(".") &&
    e
      .split("@")[1]!
      .split(".")
      .every((l) => l.length <= 63),
);
const phoneArb = fc
  .tuple(
    fc.constantFrom("+386 ", "0", "+1 (", "00 "),
    fc.string({ unit: fc.constantFrom(..."0123456789"), minLength: 6, maxLength: 12 }),
    fc.constantFrom("", "-1", " 2", "/3"),
  )
  .map((p) => p.join(""))
  .filter((p) => p.length <= 32 && (p.match(/\d/g) ?? []).length <= 15);
const messageArb = fc
  .string({ unit: "grapheme", minLength: 1, maxLength: 400 })
  .map((s) =>
    s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufffd]/g, ""),
  )
  .filter((s) => s.trim().length > 0);

describe("valid inquiries", () => {
  it("are always accepted, in any encoding", { timeout: 30_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          {
            name: nameArb,
            email: emailArb,
            phone: phoneArb,
            company: fc.string({ unit: fc.constantFrom(..."abc dČ.-&"), maxLength: 160 }),
            service: fc.constantFrom(...SERVICES),
            message: messageArb,
          },
          { requiredKeys: ["name", "email", "service", "message"] },
        ),
        encoding,
        async (fields, enc) => {
          const res = await submit(fields, { encoding: enc });
          if (res.status !== 201) expect(await res.text()).toBe("201 expected");
          expect(res.status).toBe(201);
        },
      ),
      { numRuns: 150 },
    );
  });
});
