import { beforeEach, describe, expect, it } from "vitest";
import { FIELD_MESSAGES } from "../src/i18n/messages.ts";
import {
  ADMIN_TOKEN,
  call,
  env,
  installFakes,
  runCron,
  storedRow,
  submit,
  validFields,
  type Fakes,
  type Vars,
} from "./helpers.ts";
import { KOVINA_FORM as FORM } from "./fixtures/kovina-form.ts";

const VARS: Vars = { FORM: JSON.stringify(FORM) };
const DESKS: Record<string, string[]> = {
  cnc: ["cnc@kovina.example"],
  laser: ["Laser desk <laser@kovina.example>"],
  weld: ["varjenje@kovina.example", "vodja@kovina.example"],
};

/** What a filled-in form of this company sends. */
function filled(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    ...validFields(),
    service: "cnc",
    quantity: "12",
    deadline: "2026-03-31",
    material: "alu",
    drawing_ready: "on",
    ...overrides,
  };
}

let fakes: Fakes;
beforeEach(() => {
  fakes = installFakes();
});

interface ErrorBody {
  code: string;
  errors?: { field: string; code: string; message: string }[];
}

const ENCODINGS = ["json", "urlencoded", "multipart"] as const;

async function store(fields: Record<string, unknown>, vars: Vars = VARS): Promise<string> {
  const res = await submit(fields as Record<string, string>, { encoding: "json" }, vars);
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

function admin(method: string, path: string, body?: unknown, vars: Vars = VARS) {
  return call(
    new Request(`https://forms.example.com/admin${path}`, {
      method,
      headers: {
        authorization: `Bearer ${ADMIN_TOKEN}`,
        "cf-connecting-ip": "203.0.113.9",
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
    vars,
  );
}

describe("a form definition's own fields are validated like the built-in ones", () => {
  const cases: [string, Record<string, string | undefined>, string, string][] = [
    ["a required number left out", { quantity: undefined }, "quantity", "required"],
    ["a required number left blank", { quantity: " " }, "quantity", "required"],
    ["a number that is none", { quantity: "twelve" }, "quantity", "invalid_number"],
    // A thousand to one visitor, one to another: asked again, never stored as 1.
    ["a number with a thousands group", { quantity: "1,000" }, "quantity", "invalid_number"],
    ["the same in Slovenian writing", { quantity: "1.000" }, "quantity", "invalid_number"],
    ["a number below min", { quantity: "0" }, "quantity", "out_of_range"],
    ["a number above max", { quantity: "10000,5" }, "quantity", "out_of_range"],
    ["a date that is no day", { deadline: "2026-02-30" }, "deadline", "invalid_date"],
    ["a date written otherwise", { deadline: "31. 3. 2026" }, "deadline", "invalid_date"],
    ["a choice not offered", { material: "steel" }, "material", "invalid_choice"],
    ["a box neither checked nor not", { drawing_ready: "maybe" }, "drawing_ready", "invalid_value"],
  ];
  for (const encoding of ENCODINGS) {
    for (const [label, change, field, code] of cases) {
      it(`${label}: 422 ${code} in sl and en (${encoding})`, async () => {
        const messages: string[] = [];
        for (const lang of ["sl", "en"] as const) {
          const fields: Record<string, string> = { ...filled(), _lang: lang };
          for (const [k, v] of Object.entries(change))
            if (v === undefined) delete fields[k];
            else fields[k] = v;
          const res = await submit(fields, { encoding }, VARS);
          expect(res.status).toBe(422);
          const body = (await res.json()) as ErrorBody;
          expect(body.code).toBe("validation_failed");
          expect(body.errors?.map((e) => [e.field, e.code])).toEqual([[field, code]]);
          const message = body.errors![0]!.message;
          if (code === "out_of_range") {
            expect(message).toContain("1–10000");
            expect(message).toContain(lang === "sl" ? "obsegu" : "range");
          } else expect(message).toBe(FIELD_MESSAGES[code as keyof typeof FIELD_MESSAGES][lang]);
          messages.push(message);
        }
        expect(messages[0]).not.toBe(messages[1]);
      });
    }
  }

  it("takes a JSON number and boolean as they are, and leaves optional fields out", async () => {
    const id = await store({ ...filled(), quantity: 2.5, drawing_ready: false, deadline: null });
    const row = await storedRow(id);
    expect(JSON.parse(row!.extra_fields!)).toEqual({
      quantity: 2.5,
      material: "alu",
      drawing_ready: false,
    });
  });

  it("reads a checkbox not sent as not checked, and a required one as missing", async () => {
    const fields = filled();
    delete fields.drawing_ready;
    const res = await submit(fields, { encoding: "urlencoded" }, VARS);
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    expect(JSON.parse((await storedRow(id))!.extra_fields!)).toMatchObject({
      drawing_ready: false,
    });
    const strict = {
      FORM: JSON.stringify({
        fields: [{ ...FORM.fields[3], required: true }],
      }),
    };
    const refused = await submit({ ...validFields() }, { encoding: "multipart" }, strict);
    expect(((await refused.json()) as ErrorBody).errors).toEqual([
      expect.objectContaining({ field: "drawing_ready", code: "required" }),
    ]);
  });

  it("keeps fields the definition does not name out of the store", async () => {
    const id = await store({ ...filled(), colour: "red", _private: "x" });
    expect(JSON.stringify(await storedRow(id))).not.toContain("red");
  });
});

describe("services with labels in both languages and a desk each", () => {
  it("takes a service by id or either label, stores its id, and mails its desk only", async () => {
    const sent = [
      { service: "cnc", id: "cnc" },
      { service: "Laserski razrez", id: "laser" },
      { service: "Welding", id: "weld" },
    ];
    for (const s of sent) {
      const fields = filled({ service: s.service });
      const inquiry = await store(fields);
      expect((await storedRow(inquiry))?.service).toBe(s.id);
      const address = fields.email!.replace(/@.*/, (domain) => domain.toLowerCase());
      const mails = fakes.resend.emails.filter((m) => m.body.reply_to === address);
      expect(mails).toHaveLength(1);
      expect(mails[0]!.body.to).toEqual(DESKS[s.id]);
      expect(JSON.stringify(mails[0]!.body.to)).not.toContain(env.MAIL_TO);
    }
    expect(fakes.resend.emails).toHaveLength(3);
  });

  it("refuses a service that is none of them", async () => {
    const res = await submit(filled({ service: "Hacking" }), {}, VARS);
    const body = (await res.json()) as ErrorBody;
    expect(body.errors).toEqual([
      expect.objectContaining({ field: "service", code: "invalid_choice" }),
    ]);
  });

  it("keeps using SERVICES where the definition lists none", async () => {
    const vars = { FORM: JSON.stringify({ company: "Kovina d.o.o." }) };
    const res = await submit(validFields({ service: "Welding" }), {}, vars);
    expect(res.status).toBe(201);
    expect(fakes.resend.emails.at(-1)?.body.to).toEqual([env.MAIL_TO]);
  });
});

describe("the staff mail", () => {
  it("lists every own field in its text and HTML parts, in DEFAULT_LANG, from the company", async () => {
    const fields = filled({ service: "Laser cutting" });
    await store({ ...fields, _lang: "en" });
    const mail = fakes.resend.emails.at(-1)!.body;
    expect(mail.from).toBe('"Kovina d.o.o." <inquiries@example.com>');
    expect(mail.subject).toBe("Kovina d.o.o.: Povpraševanje: Laserski razrez – Ana Novak");
    for (const line of [
      "Storitev: Laserski razrez",
      "Ime in priimek: Ana Novak",
      "Količina: 12",
      "Rok: 2026-03-31",
      "Material: Aluminij",
      "Risba je pripravljena: da",
    ])
      expect(mail.text).toContain(line);
    for (const cell of [
      '<th align="left" valign="top">Količina</th><td>12</td>',
      '<th align="left" valign="top">Material</th><td>Aluminij</td>',
      '<th align="left" valign="top">Risba je pripravljena</th><td>da</td>',
    ])
      expect(mail.html).toContain(cell);
  });

  it("states the time received in the definition's time zone", async () => {
    const at = (zone: string) => ({
      FORM: JSON.stringify({ ...FORM, timezone: zone }),
    });
    const id = await store(filled(), at("UTC"));
    const utc = new Date((await storedRow(id))!.created_at).toISOString();
    expect(fakes.resend.emails.at(-1)!.body.text).toContain(
      `Prejeto: ${utc.slice(0, 10)} ${utc.slice(11, 16)} UTC`,
    );
    // India has no summer time: always UTC+5:30.
    const id2 = await store(filled(), at("Asia/Kolkata"));
    const later = new Date((await storedRow(id2))!.created_at + 330 * 60_000).toISOString();
    expect(fakes.resend.emails.at(-1)!.body.text).toContain(
      `Prejeto: ${later.slice(0, 10)} ${later.slice(11, 16)} GMT+5:30`,
    );
  });
});

describe("pages", () => {
  const get = (path: string) => call(new Request(`https://forms.example.com${path}`), VARS);

  it("show the own fields, services and company in the visitor's language", async () => {
    const sl = await (await get("/?lang=sl")).text();
    for (const s of [
      '<label for="f-quantity">Količina *</label>',
      '<label for="f-deadline">Rok</label>',
      '<option value="alu">Aluminij</option>',
      '<option value="cnc">CNC obdelava</option>',
      '<label for="f-drawing_ready">Risba je pripravljena</label>',
      'type="checkbox"',
      'type="date"',
      '<p class="company">Kovina d.o.o.</p>',
      "<title>Povpraševanje – Kovina d.o.o.</title>",
      'href="https://www.kovina.example/zasebnost"',
    ])
      expect(sl).toContain(s);
    expect(sl).not.toContain("CNC machining");
    const en = await (await get("/?lang=en")).text();
    for (const s of [
      '<label for="f-quantity">Quantity *</label>',
      '<option value="alu">Aluminium</option>',
      '<option value="cnc">CNC machining</option>',
      "Privacy notice",
    ])
      expect(en).toContain(s);
    expect(en).not.toContain("Aluminij");
  });

  it("show the company on the thank-you page", async () => {
    expect(await (await get("/thanks?lang=en")).text()).toContain("Kovina d.o.o.");
  });

  it("show a refused own field again, typed value and error beside it (no JavaScript)", async () => {
    const OWN = { origin: "https://forms.example.com", referer: "https://forms.example.com/" };
    const res = await submit(
      filled({ quantity: "0", deadline: "2026-13-01", material: "alu", _lang: "sl" }),
      { accept: "text/html", headers: OWN },
      VARS,
    );
    expect(res.status).toBe(422);
    const page = await res.text();
    expect(page).toMatch(/<input[^>]*name="quantity"[^>]*aria-invalid="true"[^>]*value="0"/);
    expect(page).toContain(
      '<p class="field-error" id="err-quantity">Vnesite število v obsegu 1–10000.</p>',
    );
    expect(page).toContain(
      `<p class="field-error" id="err-deadline">${FIELD_MESSAGES.invalid_date.sl}</p>`,
    );
    expect(page).toContain('<a href="#f-quantity">Količina: Vnesite število');
    expect(page).toContain('<option value="alu" selected>Aluminij</option>');
    expect(page).toMatch(/name="drawing_ready"[^>]*checked/);
    expect(page).toContain("Kovina d.o.o.");
  });

  it("name the own field on the error page of another site's form", async () => {
    const res = await submit(
      filled({ quantity: "x", _lang: "en" }),
      { accept: "text/html", headers: { origin: "https://www.example.com" } },
      { ...VARS, ALLOWED_ORIGINS: "https://www.example.com" },
    );
    const page = await res.text();
    expect(page).toContain("<strong>Quantity:</strong>");
    expect(page).toContain("Kovina d.o.o.");
  });

  it("give /embed.js the own fields' labels in both languages", async () => {
    const script = await (await get("/embed.js")).text();
    expect(script).toContain('"quantity":"Količina"');
    expect(script).toContain('"quantity":"Quantity"');
  });
});

describe("the operator API", () => {
  it("exports, rectifies and erases the own fields with their inquiry", async () => {
    const fields = filled();
    const id = await store(fields);
    const got = (await (await admin("GET", `/inquiries/${id}`)).json()) as {
      inquiry: Record<string, unknown>;
    };
    expect(got.inquiry).toMatchObject({
      quantity: 12,
      deadline: "2026-03-31",
      material: "alu",
      drawing_ready: true,
      service: "cnc",
    });

    const bad = await admin("PATCH", `/inquiries/${id}`, { quantity: 0 });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as ErrorBody).errors).toEqual([
      expect.objectContaining({ field: "quantity", code: "out_of_range" }),
    ]);
    const patched = await admin("PATCH", `/inquiries/${id}`, {
      quantity: "40",
      material: "S235",
      deadline: null,
    });
    expect(patched.status).toBe(200);
    expect(JSON.parse((await storedRow(id))!.extra_fields!)).toEqual({
      quantity: 40,
      material: "S235",
      drawing_ready: true,
    });

    const search = await admin("POST", "/inquiries/search", { email: fields.email });
    const found = (await search.json()) as { inquiries: Record<string, unknown>[] };
    expect(found.inquiries).toEqual([expect.objectContaining({ quantity: 40 })]);

    const erased = await admin("POST", "/inquiries/erase", { email: fields.email });
    expect(await erased.json()).toEqual({ ok: true, deleted: 1 });
    expect(await storedRow(id)).toBeNull();
  });

  it("refuses to rectify the service", async () => {
    const id = await store(filled());
    const res = await admin("PATCH", `/inquiries/${id}`, { service: "weld" });
    expect(res.status).toBe(422);
    expect((await storedRow(id))?.service).toBe("cnc");
  });
});

describe("the purge", () => {
  it("takes the own fields with the inquiry", async () => {
    const id = await store(filled({ quantity: "777" }));
    expect((await storedRow(id))?.extra_fields).toContain("777");
    await runCron(Date.now() + 25 * 31 * 24 * 3600_000, VARS);
    expect(await storedRow(id)).toBeNull();
    const left = await env.DB.prepare(
      "SELECT count(*) AS n FROM inquiries WHERE extra_fields LIKE ?",
    )
      .bind("%777%")
      .first<{ n: number }>();
    expect(left?.n).toBe(0);
  });
});

describe("an invalid form definition", () => {
  const broken: [string, unknown, string, string][] = [
    ["not JSON", "{company:", "FORM", "intake"],
    [
      "an unknown type",
      { fields: [{ ...FORM.fields[0], type: "slider" }] },
      "FORM.fields[0].type",
      "intake",
    ],
    [
      "a bad name",
      { fields: [{ ...FORM.fields[0], name: "_qty" }] },
      "FORM.fields[0].name",
      "intake",
    ],
    [
      "a name clashing with a built-in",
      { fields: [{ ...FORM.fields[0], name: "phone" }] },
      "FORM.fields[0].name",
      "intake",
    ],
    [
      "a service without a label",
      { services: [{ id: "cnc", to: "a@b.si" }] },
      "FORM.services[0].label",
      "intake",
    ],
    [
      "a choice without options",
      { fields: [{ ...FORM.fields[2], options: [] }] },
      "FORM.fields[0].options",
      "intake",
    ],
    [
      // The form's <option>alu</option> would be stored as the other option, "x".
      "an option's label that is another option's id",
      {
        fields: [
          {
            name: "amb",
            type: "choice",
            label: { sl: "Embalaža", en: "Packaging" },
            options: ["alu", { id: "x", label: { sl: "alu", en: "steel" } }],
          },
        ],
      },
      "FORM.fields[0].options[1]",
      "intake",
    ],
    [
      "a service's id that is another service's label",
      {
        services: [
          { id: "a", label: { sl: "B", en: "B" } },
          { id: "B", label: { sl: "C", en: "C" } },
        ],
      },
      "FORM.services[1]",
      "intake",
    ],
    ["a bad time zone", { timezone: "Mars/Olympus" }, "FORM.timezone", "intake"],
    ["a bad privacy_url", { privacy_url: "javascript:alert(1)" }, "FORM.privacy_url", "intake"],
    [
      "a bad to",
      { services: [{ ...FORM.services[0], to: "cnc at kovina" }] },
      "FORM.services[0].to",
      "mail",
    ],
  ];
  for (const [label, form, name, scope] of broken) {
    it(`${label}: a problem on /health naming ${name}; ${scope} off`, async () => {
      const vars = { FORM: typeof form === "string" ? form : JSON.stringify(form) };
      const res = await call(new Request("https://forms.example.com/health"), vars);
      expect(res.status).toBe(503);
      const body = (await res.json()) as { problems: { name: string; scope: string }[] };
      expect(body.problems).toContainEqual(expect.objectContaining({ name, scope }));
      const post = await submit(filled({ service: "cnc" }), {}, vars);
      if (scope === "intake") expect(post.status).toBe(503);
      else {
        expect(post.status).toBe(201);
        expect(fakes.resend.emails).toHaveLength(0);
      }
    });
  }

  it("never repeats the value at fault", async () => {
    const vars = { FORM: JSON.stringify({ company: "Secretly\u0007Named" }) };
    const text = await (await call(new Request("https://forms.example.com/health"), vars)).text();
    expect(text).toContain("FORM.company");
    expect(text).not.toContain("Secretly");
  });

  it("is read the same from a wrangler.toml table (an object)", async () => {
    const res = await submit(filled({ service: "Varjenje" }), {}, { FORM });
    expect(res.status).toBe(201);
    expect(fakes.resend.emails.at(-1)?.body.to).toEqual(DESKS.weld);
  });
});
