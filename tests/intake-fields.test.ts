import { beforeEach, describe, expect, it } from "vitest";
import { ERROR_MESSAGES, FIELD_MESSAGES } from "../src/i18n/messages.ts";
import { normalizeText } from "../src/inquiry/normalize.ts";
import {
  ADMIN_TOKEN,
  call,
  countInquiries,
  inquiryRequest,
  installFakes,
  storedRow,
  submit,
  validFields,
  type Fakes,
  type FieldValue,
} from "./helpers.ts";

let fakes: Fakes;
beforeEach(() => {
  fakes = installFakes();
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

describe("field rules (POST /inquiry)", () => {
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
        // The longest local part mail systems take (64) in the longest address (254).
        email: `${"a".repeat(64)}@${"b".repeat(61)}.${"c".repeat(61)}.${"d".repeat(61)}.com`,
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

describe("normalising pasted text (normalize.ts)", () => {
  const line: [label: string, input: string, output: string][] = [
    ["a phone wrapped in LRO…PDF", "\u202D+386 41 123 456\u202C", "+386 41 123 456"],
    ["embeddings and overrides", "\u202Aa\u202Bb\u202Ec\u202C", "abc"],
    ["isolates", "\u2066x\u2067y\u2068z\u2069", "xyz"],
    ["direction marks", "\u200Eright\u200F\u061C", "right"],
    ["zero-width space, word joiner", "a\u200Bb\u2060c", "abc"],
    ["byte-order mark", "\uFEFFAna", "Ana"],
    ["soft hyphen", "Kon\u00ADstruk\u00ADcija", "Konstrukcija"],
    ["no-break and thin spaces", "041\u00A0123\u2009456\u202F789", "041 123 456 789"],
    ["other spaces", "\u2000\u2001\u2002\u2003\u2007\u200A\u205F\u3000\u1680", "         "],
    ["a tab in a one-line field", "Ana\tNovak", "Ana Novak"],
    ["dashes", "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uFE63\uFF0D", "---------"],
    ["NFD becomes NFC", "c\u030Cevapc\u030Cic\u030Ci", "čevapčiči"],
    ["a joiner between ASCII joins nothing", "041\u200D123\u200C456", "041123456"],
    ["a joiner at either end", "\u200Dx\u200C", "x"],
    ["CR/LF stays, for the rule to refuse", "Ana\r\nBcc: x@y.si", "Ana\r\nBcc: x@y.si"],
  ];
  const multiline: [label: string, input: string, output: string][] = [
    ["CRLF and CR", "a\r\nb\rc", "a\nb\nc"],
    ["vertical tab (a presentation program's line break)", "a\u000Bb", "a\nb"],
    ["form feed, NEL, line and paragraph separators", "a\fb\u0085c\u2028d\u2029e", "a\nb\nc\nd\ne"],
    ["tabs are kept in the message", "a\tb", "a\tb"],
    ["marks are removed in the message too", "\u202Ehello\u202C\u200B", "hello"],
  ];
  const untouched = [
    "Špela Žagar iz Črnomlja: ščž ŠČŽ ćđ",
    "Größenänderung für die Straße, Übermaß",
    "Љубљана, Ђорђе Шћепановић, ћирилица",
    "مرحبا بالعالم، نريد عرض أسعار",
    "שלום עולם",
    "你好，世界。我们需要报价。",
    "見積もりをお願いします",
    "می\u200Cخواهم", // Persian: the non-joiner is part of the spelling
    "👍🏽 🇸🇮 👩\u200D🔬 👨\u200D👩\u200D👧\u200D👦 ❤\uFE0F\u200D🔥 🏳\uFE0F\u200D🌈",
    "Ṱ̺̺̕o͞ ̷i̲̬͇̪͙n̝̗͕v̟̜̘̦͟o̶̙̰̠kè͚̮̺̪̹̱̤",
    "plain ASCII: a-b (c) 1/2 + 3.4 @ #",
  ];

  it.each(line)("one line: %s", (_label, input, output) => {
    expect(normalizeText(input, "line")).toBe(output);
  });
  it.each(multiline)("message: %s", (_label, input, output) => {
    expect(normalizeText(input, "multiline")).toBe(output);
  });
  it.each(untouched)("passes %s through untouched", (text) => {
    expect(normalizeText(text, "line")).toBe(text);
    expect(normalizeText(text, "multiline")).toBe(text);
  });
});

/** The mail the fake Resend accepted for an inquiry. */
function mailOf(fakes: Fakes, id: string) {
  const mail = fakes.resend.emails.find((e) => e.idempotencyKey === `inquiry-${id}`);
  expect(mail).toBeDefined();
  return mail!.body;
}

describe("pasted text reaches the staff as the visitor saw it", () => {
  it.each(["multipart", "urlencoded", "json"] as const)(
    "a phone in direction marks and a message with VT line breaks (%s)",
    async (encoding) => {
      const res = await submit(
        validFields({
          name: "\uFEFFJean\u2011Luc\u00A0Picard\u200B",
          phone: "\u202D+386 41 123 456\u202C",
          email: "jean\u2010luc@Primer.SI\u200E",
          company: "Primer\u2002d.o.o.",
          message: "Prva vrstica\u000BDruga vrstica\u2028Tretja",
        }),
        { encoding },
      );
      expect(res.status).toBe(201);
      const { id } = (await res.json()) as { id: string };
      const row = await storedRow(id);
      expect(row).toMatchObject({
        name: "Jean-Luc Picard",
        phone: "+386 41 123 456",
        email: "jean-luc@primer.si",
        company: "Primer d.o.o.",
        message: "Prva vrstica\nDruga vrstica\nTretja",
      });
      const mail = mailOf(fakes, id);
      expect(mail.text).toContain("+386 41 123 456");
      expect(mail.text).toContain("Prva vrstica\nDruga vrstica\nTretja");
      expect(mail.reply_to).toBe("jean-luc@primer.si");
      expect(mail.subject).toContain("Jean-Luc Picard");
    },
  );

  it("a configured service with an en dash is matched and stored as configured", async () => {
    const vars = { SERVICES: "CNC – obdelava,Varjenje" };
    for (const sent of ["CNC – obdelava", "CNC - obdelava", "CNC\u00A0–\u00A0obdelava"]) {
      const res = await submit(validFields({ service: sent }), {}, vars);
      expect(res.status).toBe(201);
      const { id } = (await res.json()) as { id: string };
      expect((await storedRow(id))?.service).toBe("CNC – obdelava");
      expect(mailOf(fakes, id).subject).toContain("CNC – obdelava");
    }
  });

  it("the operator's rectification is normalised by the same rules", async () => {
    const res = await submit(validFields(), {}, { RESEND_API_KEY: "" });
    const { id } = (await res.json()) as { id: string };
    const patch = await call(
      new Request(`https://forms.example.com/admin/inquiries/${id}`, {
        method: "PATCH",
        headers: {
          authorization: `Bearer ${ADMIN_TOKEN}`,
          "content-type": "application/json",
          "accept-language": "en",
        },
        body: JSON.stringify({
          phone: "\u202D+386 41 999 888\u202C",
          message: "Popravek\u000Bnova vrstica",
          company: null,
        }),
      }),
      { RESEND_API_KEY: "" },
    );
    expect(patch.status).toBe(200);
    expect(await storedRow(id)).toMatchObject({
      phone: "+386 41 999 888",
      message: "Popravek\nnova vrstica",
      company: null,
    });
  });

  it("normalising opens no way around a rule: CR/LF and NUL are still refused", async () => {
    for (const [field, value, code] of [
      ["name", "Ana\u2028Novak", "invalid_characters"],
      ["company", "Primer\r\nBcc: x@evil.example", "invalid_characters"],
      ["phone", "\u202D041 123\n456\u202C", "invalid_phone"],
      ["email", "ana@primer.si\r\nBcc: x@evil.example", "invalid_email"],
      ["message", "a\u200B\u0000b", "invalid_characters"],
    ] as const) {
      const errors = await fieldErrors({ ...validFields(), [field]: value });
      expect(errors).toEqual([{ field, code, message: expect.any(String) }]);
    }
  });
});

describe("JSON clients (null, wrong types)", () => {
  it.each(["sl", "en"] as const)(
    "an unpaired surrogate is refused in every field as invalid_characters (%s)",
    async (lang) => {
      for (const [field, value] of [
        ["name", "Ana\ud800Novak"],
        ["email", "ana\udc00@primer.si"],
        ["phone", "041 123 456\ud83d"],
        ["company", "\udfffPrimer"],
        ["service", "CNC machining\ud800"],
        ["message", "Ponudba\ud800 prosim."],
      ] as const) {
        const res = await submit(
          { ...validFields(), [field]: value, _lang: lang },
          {
            encoding: "json",
          },
        );
        expect(res.status).toBe(422);
        const body = (await res.json()) as ErrorBody;
        expect(body.errors).toEqual([
          { field, code: "invalid_characters", message: FIELD_MESSAGES.invalid_characters[lang] },
        ]);
      }
      // A pair is one character, not two halves: an emoji is kept.
      const res = await submit(
        { ...validFields(), name: "Ana \ud83d\ude00" },
        { encoding: "json" },
      );
      expect(res.status).toBe(201);
      const { id } = (await res.json()) as { id: string };
      expect(await storedRow(id)).toMatchObject({ name: "Ana 😀" });
    },
  );

  const TYPE_WORDS =
    /\b(string|null|undefined|object|boolean|bigint|symbol|NaN|array|function|expected|received|pričakovan\w*|prejet\w*|niz)\b/i;

  it("null for an optional field means absent", async () => {
    const fields = { ...validFields(), phone: null, company: null } as unknown as Record<
      string,
      string
    >;
    const res = await submit(fields, { encoding: "json" });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    expect(await storedRow(id)).toMatchObject({ phone: null, company: null });
    const mail = mailOf(fakes, id);
    expect(mail.text).not.toMatch(/null/);
  });

  it("null for a required field is `required`", async () => {
    const fields = { ...validFields(), name: null } as unknown as Record<string, string>;
    const res = await submit({ ...fields, _lang: "en" }, { encoding: "json" });
    expect(res.status).toBe(422);
    const body = (await res.json()) as ErrorBody;
    expect(body.errors).toEqual([
      { field: "name", code: "required", message: "This field is required." },
    ]);
  });

  it.each(["sl", "en"] as const)(
    "a value of the wrong type gets our own message (%s), never a type name",
    async (lang) => {
      const fields = {
        ...validFields(),
        name: 42,
        phone: { number: "041 123 456" },
        company: ["Primer"],
        message: true,
        _lang: lang,
      } as unknown as Record<string, string>;
      const res = await submit(fields, { encoding: "json" });
      expect(res.status).toBe(422);
      const body = (await res.json()) as ErrorBody;
      const expected = FIELD_MESSAGES.invalid_value[lang];
      expect(body.errors).toEqual(
        ["name", "phone", "company", "message"].map((field) => ({
          field,
          code: "invalid_value",
          message: expected,
        })),
      );
      for (const e of body.errors!) expect(e.message).not.toMatch(TYPE_WORDS);
      expect(await countInquiries()).toBeGreaterThanOrEqual(0);
    },
  );

  it("no message of ours names a JavaScript type", () => {
    const texts = [
      ...Object.values(FIELD_MESSAGES).flatMap((t) => [t.sl, t.en]),
      ...Object.values(ERROR_MESSAGES).flatMap((t) => [t.sl, t.en]),
    ];
    expect(texts.length).toBeGreaterThan(20);
    for (const text of texts) expect(text).not.toMatch(TYPE_WORDS);
  });
});

describe("the e-mail's local part is one mail systems accept", () => {
  const refused = [
    ["two dots in a row", "ana..novak@primer.si"],
    ["a dot at the start", ".ana@primer.si"],
    ["a dot at the end", "ana.@primer.si"],
    ["65 characters", `${"a".repeat(65)}@primer.si`],
    ["70 characters", `${"ana.novak".repeat(7)}abcdefg@primer.si`],
  ];
  it.each(refused)("%s is refused with invalid_email in sl and en", async (_label, email) => {
    for (const lang of ["sl", "en"] as const) {
      const before = await countInquiries();
      const errors = await fieldErrors(validFields({ email }), lang);
      expect(errors).toEqual([
        { field: "email", code: "invalid_email", message: FIELD_MESSAGES.invalid_email[lang] },
      ]);
      expect(await countInquiries()).toBe(before);
    }
  });

  it("64 characters and single dots are accepted", async () => {
    const email = `${"a".repeat(30)}.${"b".repeat(33)}@primer.si`;
    const res = await submit(validFields({ email }));
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    expect((await storedRow(id))?.email).toBe(email);
    expect(mailOf(fakes, id).reply_to).toBe(email);
  });
});
