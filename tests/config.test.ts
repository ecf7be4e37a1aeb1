import { beforeEach, describe, expect, it, vi } from "vitest";
import devVarsExample from "../.dev.vars.example?raw";
import {
  ADMIN_TOKEN,
  call,
  installFakes,
  submit,
  validFields,
  type Fakes,
  type Vars,
} from "./helpers.ts";

let fakes: Fakes;
beforeEach(() => {
  fakes = installFakes();
});

interface HealthProblem {
  code: string;
  name: string;
}

/** GET /health as a monitor sees it: the body's problems, and its raw text for "never echoes". */
async function health(
  vars: Vars,
): Promise<{ ok: boolean; problems: HealthProblem[]; text: string }> {
  const res = await call(new Request("https://forms.example.com/health"), vars);
  const text = await res.text();
  const body = JSON.parse(text) as { ok: boolean; problems: HealthProblem[] };
  return {
    ok: body.ok,
    problems: body.problems.map(({ code, name }) => ({ code, name })),
    text,
  };
}

/** Asserts /health reports exactly this problem for these vars, and never repeats a value given. */
async function expectProblem(vars: Vars, code: string, name: string) {
  const h = await health(vars);
  expect(h.ok).toBe(false);
  expect(h.problems).toContainEqual({ code, name });
  for (const value of Object.values(vars)) {
    if (typeof value === "string" && value.length >= 4) expect(h.text).not.toContain(value);
  }
}

async function expectHealthy(vars: Vars) {
  const h = await health(vars);
  expect(h.problems).toEqual([]);
  expect(h.ok).toBe(true);
}

describe("MAIL_FROM and MAIL_TO", () => {
  it("quotes a display name with a comma, so Resend accepts the sender", async () => {
    const vars = { MAIL_FROM: "Novak, Sales <inquiries@primer.si>" };
    await expectHealthy(vars);
    const res = await submit(validFields(), {}, vars);
    expect(res.status).toBe(201);
    const [mail] = fakes.resend.emails;
    expect(mail?.body.from).toBe('"Novak, Sales" <inquiries@primer.si>');
  });

  it('escapes " and \\ inside the quoted name, and keeps a plain or already-quoted name as it is', async () => {
    await submit(validFields(), {}, { MAIL_FROM: 'Ana "Prodaja" Novak\\d.o.o. <a@primer.si>' });
    await submit(validFields(), {}, { MAIL_FROM: "Prodaja Primer <b@primer.si>" });
    await submit(validFields(), {}, { MAIL_FROM: '"Primer, d.o.o." <c@primer.si>' });
    expect(fakes.resend.emails.map((m) => m.body.from)).toEqual([
      '"Ana \\"Prodaja\\" Novak\\\\d.o.o." <a@primer.si>',
      "Prodaja Primer <b@primer.si>",
      '"Primer, d.o.o." <c@primer.si>',
    ]);
  });

  it("takes several recipients, with quoted names holding commas", async () => {
    const vars = { MAIL_TO: '"Novak, Sales" <sales@primer.si>, office@primer.si' };
    await expectHealthy(vars);
    await submit(validFields(), {}, vars);
    expect(fakes.resend.emails[0]?.body.to).toEqual([
      '"Novak, Sales" <sales@primer.si>',
      "office@primer.si",
    ]);
  });

  it("refuses what cannot be a mailbox, naming the variable and never the value", async () => {
    await expectProblem(
      { MAIL_TO: "Novak, Sales <sales@primer.si>" },
      "invalid_mailbox",
      "MAIL_TO",
    );
    await expectProblem({ MAIL_FROM: "Sales <not-an-address>" }, "invalid_mailbox", "MAIL_FROM");
    await expectProblem({ MAIL_FROM: "A <b> <c@primer.si>" }, "invalid_mailbox", "MAIL_FROM");
    await expectProblem({ MAIL_FROM: "" }, "missing", "MAIL_FROM");
  });
});

describe("RESEND_BASE_URL", () => {
  it("must be https, so the API key and the inquiries never travel in clear", async () => {
    await expectProblem(
      { RESEND_BASE_URL: "http://api.resend.com" },
      "insecure_url",
      "RESEND_BASE_URL",
    );
    await expectProblem(
      { RESEND_BASE_URL: "http://mail-catcher.internal:8025" },
      "insecure_url",
      "RESEND_BASE_URL",
    );
    await expectProblem(
      { RESEND_BASE_URL: "ftp://api.resend.com" },
      "invalid_url",
      "RESEND_BASE_URL",
    );
  });

  it("allows plain http only to this machine (a local fake or mail catcher)", async () => {
    await expectHealthy({ RESEND_BASE_URL: "http://localhost:8025" });
    await expectHealthy({ RESEND_BASE_URL: "http://127.0.0.1:8025/" });
    await expectHealthy({ RESEND_BASE_URL: "https://api.resend.com" });
  });
});

describe("REDIRECT_URL", () => {
  it("must be https: a visitor sent on to plain http leaves the encrypted site", async () => {
    await expectProblem(
      { REDIRECT_URL: "http://example.com/thanks" },
      "insecure_url",
      "REDIRECT_URL",
    );
    await expectProblem({ REDIRECT_URL: "javascript:alert(1)" }, "invalid_url", "REDIRECT_URL");
    await expectProblem({ REDIRECT_URL: "/hvala" }, "invalid_url", "REDIRECT_URL");
  });

  it("takes https anywhere, and plain http only to this machine (a page under development)", async () => {
    await expectHealthy({ REDIRECT_URL: "https://www.primer.si/hvala?from=form#top" });
    await expectHealthy({ REDIRECT_URL: "http://localhost:8080/thanks" });
    await expectHealthy({ REDIRECT_URL: "http://127.0.0.1/thanks" });
  });
});

describe("example addresses in MAIL_TO and MAIL_FROM", () => {
  async function warnings(vars: Vars) {
    const res = await call(new Request("https://forms.example.com/health"), vars);
    const body = (await res.json()) as { ok: boolean; warnings: { code: string; name: string }[] };
    return {
      ok: body.ok,
      warnings: body.warnings
        .filter((w) => w.code === "example_address")
        .map(({ code, name }) => ({ code, name })),
    };
  }

  it("wrangler.toml's committed addresses are a warning on /health, not a problem", async () => {
    // The test runs with wrangler.toml's [vars], as the Deploy button pre-fills them.
    const h = await warnings({});
    expect(h.ok).toBe(true);
    expect(h.warnings).toContainEqual({ code: "example_address", name: "MAIL_TO" });
    expect(h.warnings).toContainEqual({ code: "example_address", name: "MAIL_FROM" });
  });

  it("names each domain RFC 2606 reserves, and no real one", async () => {
    for (const address of [
      "a@example.org",
      "Sales <a@mail.EXAMPLE.net>",
      "a@shop.test",
      "a@x.invalid",
      "a@company.example",
    ]) {
      const h = await warnings({
        MAIL_TO: `office@primer.si, ${address}`,
        MAIL_FROM: "f@primer.si",
      });
      expect(h.warnings, address).toEqual([{ code: "example_address", name: "MAIL_TO" }]);
    }
    const real = await warnings({
      MAIL_TO: "office@primer.si, a@example-company.com",
      MAIL_FROM: '"Form, example.com" <form@notexample.com>',
    });
    expect(real.warnings).toEqual([]);
  });
});

describe("Turnstile", () => {
  const SITE_KEY = "0x4AAAAAAAtest";
  const SECRET = "0x4AAAAAAAtest-secret-0123456789";

  it("a site key without its secret is a problem, and the form keeps working without the check", async () => {
    const vars = { TURNSTILE_SITE_KEY: SITE_KEY };
    await expectProblem(vars, "turnstile_half_configured", "TURNSTILE_SECRET_KEY");
    // No widget that checks nothing: the page shows none, and an inquiry is taken.
    const page = await call(new Request("https://forms.example.com/"), vars);
    expect(await page.text()).not.toContain(SITE_KEY);
    const res = await submit(validFields(), { encoding: "json" }, vars);
    expect(res.status).toBe(201);
    expect(fakes.turnstile.calls).toHaveLength(0);
    expect(fakes.resend.emails).toHaveLength(1);
  });

  it("a secret without the site key is a problem too: the reference form could never pass", async () => {
    await expectProblem(
      { TURNSTILE_SECRET_KEY: SECRET },
      "turnstile_half_configured",
      "TURNSTILE_SITE_KEY",
    );
  });

  it("accepts a token only when siteverify names a host the form may be on", async () => {
    const vars = {
      TURNSTILE_SITE_KEY: SITE_KEY,
      TURNSTILE_SECRET_KEY: SECRET,
      ALLOWED_ORIGINS: "https://www.primer.si",
    };
    await expectHealthy(vars);
    const token = { "cf-turnstile-response": "pass" };

    fakes.turnstile.hostname = "forms.example.com"; // the worker's own page
    expect((await submit({ ...validFields(), ...token }, {}, vars)).status).toBe(201);
    fakes.turnstile.hostname = "www.primer.si"; // the company's page, an allowed origin
    expect((await submit({ ...validFields(), ...token }, {}, vars)).status).toBe(201);

    fakes.turnstile.hostname = "elsewhere.example"; // solved on a site sharing the widget
    const foreign = await submit({ ...validFields(), ...token }, {}, vars);
    expect(foreign.status).toBe(403);
    expect(((await foreign.json()) as { code: string }).code).toBe("captcha_failed");
    expect(fakes.resend.emails).toHaveLength(2);
  });
});

describe("MAX_ATTACHMENT_BYTES", () => {
  it("may be up to 15 MiB, the most a send fits in a worker's memory", async () => {
    await expectHealthy({ MAX_ATTACHMENT_BYTES: String(15 * 1024 * 1024) });
    await expectHealthy({ MAX_ATTACHMENT_BYTES: "0" });
  });

  it("above that is a problem, even where Resend's 40,000,000 bytes would still carry it", async () => {
    for (const bytes of [15 * 1024 * 1024 + 1, 29_250_000, 30 * 1024 * 1024, 40_000_000]) {
      await expectProblem(
        { MAX_ATTACHMENT_BYTES: String(bytes) },
        "attachment_limit_too_high",
        "MAX_ATTACHMENT_BYTES",
      );
    }
    await expectProblem({ MAX_ATTACHMENT_BYTES: "lots" }, "out_of_range", "MAX_ATTACHMENT_BYTES");
  });
});

describe("ADMIN_TOKEN", () => {
  it("under 32 characters is a problem, and such a token opens nothing", async () => {
    const short = "a".repeat(31);
    await expectProblem({ ADMIN_TOKEN: short }, "too_short", "ADMIN_TOKEN");
    const res = await call(
      new Request("https://forms.example.com/admin/retention", {
        headers: { authorization: `Bearer ${short}` },
      }),
      { ADMIN_TOKEN: short },
    );
    expect(res.status).toBe(503);
  });

  it("of only spaces is a problem, not an unset token", async () => {
    await expectProblem({ ADMIN_TOKEN: "   " }, "too_short", "ADMIN_TOKEN");
  });

  it("of 32 characters or more is fine", async () => {
    await expectHealthy({ ADMIN_TOKEN: "b".repeat(32) });
    expect(ADMIN_TOKEN.length).toBeGreaterThanOrEqual(32);
  });
});

/** Every `NAME=value` of .dev.vars.example, commented out or not. */
function exampleEntries(): [string, string][] {
  return devVarsExample
    .split("\n")
    .map((line) => /^#?\s*([A-Z][A-Z0-9_]*)=(\S+)/.exec(line.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [m[1]!, m[2]!]);
}

describe("values copied from .dev.vars.example", () => {
  it("lists the secrets, optional ones commented out", () => {
    const names = exampleEntries().map(([name]) => name);
    expect(names).toEqual([
      "RESEND_API_KEY",
      "ADMIN_TOKEN",
      "TURNSTILE_SECRET_KEY",
      "RESEND_WEBHOOK_SECRET",
    ]);
    const uncommented = devVarsExample
      .split("\n")
      .filter((l) => /^[A-Z]/.test(l))
      .map((l) => l.split("=")[0]);
    expect(uncommented).toEqual(["RESEND_API_KEY", "ADMIN_TOKEN"]);
  });

  it("each is refused by name, so the Deploy button's pre-filled values cannot reach production", async () => {
    const entries = exampleEntries();
    expect(entries.length).toBeGreaterThan(0);
    for (const [name, value] of entries) {
      const vars: Vars = { [name]: value };
      // The Turnstile secret goes with a site key; give one so only the example value is wrong.
      if (name === "TURNSTILE_SECRET_KEY") vars.TURNSTILE_SITE_KEY = "0x4AAAAAAAtest";
      await expectProblem(vars, "example_value", name);
    }
  });

  it("the example ADMIN_TOKEN opens nothing, and a submission is still taken and mailed", async () => {
    const token = exampleEntries().find(([n]) => n === "ADMIN_TOKEN")![1];
    const vars = { ADMIN_TOKEN: token };
    const admin = await call(
      new Request("https://forms.example.com/admin/retention", {
        headers: { authorization: `Bearer ${token}` },
      }),
      vars,
    );
    expect(admin.status).toBe(503);
    expect((await submit(validFields(), {}, vars)).status).toBe(201);
    expect(fakes.resend.emails).toHaveLength(1);
  });

  it("the test suite's own secrets are not example values", async () => {
    await expectHealthy({});
  });
});

describe("a configuration problem", () => {
  it("never echoes the value it is about (origins, types), on /health or in the log", async () => {
    const errors = vi.spyOn(console, "error");
    const vars = {
      ALLOWED_ORIGINS: "https://ok.example, https://secret-path.example/kontakt?token=s3cr3t",
      ATTACHMENT_TYPES: "pdf, s3cr3t-type",
    };
    await expectProblem(vars, "invalid_origin", "ALLOWED_ORIGINS");
    await expectProblem(vars, "invalid_choice", "ATTACHMENT_TYPES");
    const logged = errors.mock.calls.flat().join("\n");
    expect(logged).toContain("ALLOWED_ORIGINS invalid_origin");
    expect(logged).not.toContain("s3cr3t");
    errors.mockRestore();
  });

  it("is reported at the first request, which is still stored while only mail waits", async () => {
    const errors = vi.spyOn(console, "error");
    const vars = { RESEND_BASE_URL: "http://resend.typo.example" };
    const res = await submit(validFields(), { headers: { "accept-language": "en" } }, vars);
    expect(res.status).toBe(201);
    const logged = errors.mock.calls.flat().join("\n");
    expect(logged).toContain("RESEND_BASE_URL insecure_url (mail off)");
    expect(logged).not.toContain("typo");
    expect(fakes.resend.requests).toHaveLength(0);
    errors.mockRestore();
  });
});
