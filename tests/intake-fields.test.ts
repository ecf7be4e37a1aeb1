import { beforeEach, describe, expect, it } from "vitest";
import {
  call,
  inquiryRequest,
  installFakes,
  storedRow,
  submit,
  validFields,
  type FieldValue,
} from "./helpers.ts";

beforeEach(() => {
  installFakes();
});

interface ErrorBody {
  ok: false;
  code: string;
  message: string;
  errors?: { field: string; code: string; message: string }[];
}

async function fieldErrors(fields: Record<string, FieldValue>, lang = "en") {
  const res = await submit({ ...fields, _lang: lang });
  expect(res.status).toBe(422);
  const body = (await res.json()) as ErrorBody;
  expect(body).toMatchObject({ ok: false, code: "validation_failed" });
  return body.errors ?? [];
}

describe("field rules (README: POST /inquiry)", () => {
  const cases: [string, Record<string, string | undefined>, string, string][] = [
    ["name missing", { name: undefined }, "name", "required"],
    ["name blank", { name: "   " }, "name", "required"],
    ["name one letter", { name: " A " }, "name", "too_short"],
    ["name 121 characters", { name: "x".repeat(121) }, "name", "too_long"],
    ["name with a control character", { name: "Ana\u0007Novak" }, "name", "invalid_characters"],
    ["name with CR/LF", { name: "Ana\r\nBcc: x@y.si" }, "name", "invalid_characters"],
    ["email missing", { email: undefined }, "email", "required"],
    ["email without @", { email: "ana.primer.si" }, "email", "invalid_email"],
    ["email without a dot in the domain", { email: "ana@localhost" }, "email", "invalid_email"],
    ["email with two addresses", { email: "a@b.si, c@d.si" }, "email", "invalid_email"],
    ["email with a space", { email: "ana novak@primer.si" }, "email", "invalid_email"],
    [
      "email 255 characters",
      { email: `${"a".repeat(64)}@${"b".repeat(186)}.com` },
      "email",
      "too_long",
    ],
    ["phone with letters", { phone: "041 ABC 456" }, "phone", "invalid_phone"],
    ["phone with 5 digits", { phone: "12 345" }, "phone", "invalid_phone"],
    ["phone with 16 digits", { phone: "1234567890123456" }, "phone", "invalid_phone"],
    ["phone 33 characters", { phone: "041 123 456" + " -".repeat(11) }, "phone", "too_long"],
    ["company 161 characters", { company: "c".repeat(161) }, "company", "too_long"],
    ["service missing", { service: undefined }, "service", "required"],
    ["service not configured", { service: "Hacking" }, "service", "invalid_choice"],
    ["message missing", { message: undefined }, "message", "required"],
    ["message only whitespace", { message: " \n\t " }, "message", "required"],
    ["message 5001 characters", { message: "m".repeat(5001) }, "message", "too_long"],
    ["message with NUL", { message: "hello\u0000world" }, "message", "invalid_characters"],
  ];

  it.each(cases)("%s", async (_label, change, field, code) => {
    const fields: Record<string, string> = validFields();
    for (const [k, v] of Object.entries(change)) {
      if (v === undefined) delete fields[k];
      else fields[k] = v;
    }
    const errors = await fieldErrors(fields);
    expect(errors).toEqual([{ field, code, message: expect.any(String) }]);
    expect(errors[0]!.message.length).toBeGreaterThan(5);
  });

  it("reports every bad field at once", async () => {
    const errors = await fieldErrors({ name: "", email: "nope", service: "x", message: "" });
    expect(errors.map((e) => `${e.field}:${e.code}`).sort()).toEqual([
      "email:invalid_email",
      "message:required",
      "name:required",
      "service:invalid_choice",
    ]);
  });

  it("stores trimmed values, the e-mail domain lower-cased, line breaks kept", async () => {
    const res = await submit(
      validFields({
        name: "  Špela Žagar  ",
        email: " Spela.Zagar@Primer.SI ",
        company: "",
        phone: "  ",
        message: "  Prva vrstica\r\nDruga vrstica\r\n\r\nTretja  ",
      }),
    );
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    expect(await storedRow(id)).toMatchObject({
      name: "Špela Žagar",
      email: "Spela.Zagar@primer.si",
      phone: null,
      company: null,
      message: "Prva vrstica\nDruga vrstica\n\nTretja",
    });
  });

  it("accepts the limits themselves", async () => {
    const res = await submit(
      validFields({
        name: "Al",
        email: `${"a".repeat(67)}@${"b".repeat(60)}.${"c".repeat(60)}.${"d".repeat(60)}.com`,
        phone: "+1 (555) 010-99.88/7",
        company: "c".repeat(160),
        message: "m".repeat(5000),
      }),
    );
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const row = await storedRow(id);
    expect(row?.email).toHaveLength(254);
    expect(row?.message).toHaveLength(5000);
  });

  it("never stores fields starting with _ or unknown fields", async () => {
    const res = await submit({ ...validFields(), _lang: "en", _extra: "secret", website: "x" });
    const { id } = (await res.json()) as { id: string };
    const row = (await storedRow(id)) as unknown as Record<string, unknown>;
    expect(Object.values(row)).not.toContain("secret");
    expect(Object.keys(row)).not.toContain("website");
  });
});

describe("duplicates", () => {
  it("a text field sent twice is an error, not a silent pick", async () => {
    const errors = await fieldErrors({ ...validFields(), name: ["Ana Novak", "Eve Evil"] });
    expect(errors).toEqual([
      { field: "name", code: "duplicate_field", message: expect.any(String) },
    ]);
  });

  it("the same in a urlencoded body", async () => {
    const res = await submit(
      { ...validFields(), email: ["a@primer.si", "b@primer.si"] },
      { encoding: "urlencoded" },
    );
    expect(res.status).toBe(422);
    const body = (await res.json()) as ErrorBody;
    expect(body.errors).toEqual([
      { field: "email", code: "duplicate_field", message: expect.any(String) },
    ]);
  });

  it("and for a key repeated in a JSON object", async () => {
    const json = JSON.stringify(validFields()).replace(/^\{/, '{"service":"Welding",');
    const req = inquiryRequest({}, { encoding: "json" });
    const dup = await call(
      new Request(req.url, { method: "POST", headers: req.headers, body: json }),
    );
    expect(dup.status).toBe(422);
    const body = (await dup.json()) as ErrorBody;
    expect(body.errors).toEqual([
      { field: "service", code: "duplicate_field", message: expect.any(String) },
    ]);
  });
});
