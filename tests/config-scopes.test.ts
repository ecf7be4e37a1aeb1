import { Webhook } from "standardwebhooks";
import { beforeEach, describe, expect, it } from "vitest";
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

/**
 * Every variable and secret set wrong, one at a time, on a deployment that
 * uses every part (admin, webhook, Turnstile, a company page): what still
 * works, what stops, and that /health names it. The form keeps storing
 * whenever storage works and the intake's own settings are right.
 */

const WEBHOOK_SECRET = "whsec_dGVzdC13ZWJob29rLXNlY3JldC0wMTIzNDU2Nzg5YWJjZGVm";
const COMPANY = "https://www.primer.si";
/** Everything on and right; each case replaces one value. */
const BASE: Vars = {
  MAIL_TO: "office@primer.si",
  MAIL_FROM: "Povpraševanja <form@primer.si>",
  ALLOWED_ORIGINS: COMPANY,
  REDIRECT_URL: "https://www.primer.si/hvala",
  RESEND_WEBHOOK_SECRET: WEBHOOK_SECRET,
  TURNSTILE_SITE_KEY: "0x4AAAAAAAtest",
  TURNSTILE_SECRET_KEY: "0x4AAAAAAAtest-secret-0123456789",
};

type Part = "intake" | "mail" | "admin" | "webhook" | "turnstile";

interface Case {
  vars: Vars;
  code: string;
  /** The variable /health names (the missing half, for a half-configured Turnstile). */
  name: string;
  /** The one part switched off; every other part of `Part` must keep working. */
  off: string;
}

const CASES: Case[] = [
  { vars: { MAIL_TO: "" }, code: "missing", name: "MAIL_TO", off: "mail" },
  {
    vars: { MAIL_TO: "Novak, Sales <s@primer.si>" },
    code: "invalid_mailbox",
    name: "MAIL_TO",
    off: "mail",
  },
  {
    vars: { MAIL_FROM: "Sales <not-an-address>" },
    code: "invalid_mailbox",
    name: "MAIL_FROM",
    off: "mail",
  },
  { vars: { SERVICES: "" }, code: "missing", name: "SERVICES", off: "intake" },
  { vars: { FORM: "{company: Primer}" }, code: "invalid_form", name: "FORM", off: "intake" },
  {
    // A desk's address is a mail setting: the inquiry is stored and its mail waits.
    vars: {
      FORM: JSON.stringify({
        services: [{ id: "cnc", label: { sl: "CNC obdelava", en: "CNC machining" }, to: "cnc@" }],
      }),
    },
    code: "invalid_mailbox",
    name: "FORM.services[0].to",
    off: "mail",
  },
  {
    vars: { SERVICES: `a,${"b".repeat(121)}` },
    code: "invalid_service",
    name: "SERVICES",
    off: "intake",
  },
  { vars: { FORM: "{not json" }, code: "invalid_form", name: "FORM", off: "intake" },
  {
    vars: {
      FORM: JSON.stringify({
        services: [{ id: "cnc", label: { sl: "CNC obdelava", en: "CNC machining" }, to: "x" }],
      }),
    },
    code: "invalid_mailbox",
    name: "FORM.services[0].to",
    off: "mail",
  },
  {
    vars: { ALLOWED_ORIGINS: `${COMPANY}, https://x.example/kontakt` },
    code: "invalid_origin",
    name: "ALLOWED_ORIGINS",
    off: "origins",
  },
  {
    vars: { REDIRECT_URL: "http://www.primer.si/hvala" },
    code: "insecure_url",
    name: "REDIRECT_URL",
    off: "redirect",
  },
  { vars: { DEFAULT_LANG: "de" }, code: "invalid_choice", name: "DEFAULT_LANG", off: "language" },
  {
    vars: { MAX_ATTACHMENT_BYTES: "lots" },
    code: "out_of_range",
    name: "MAX_ATTACHMENT_BYTES",
    off: "attachments",
  },
  {
    vars: { MAX_ATTACHMENT_BYTES: "40000000" },
    code: "attachment_limit_too_high",
    name: "MAX_ATTACHMENT_BYTES",
    off: "attachments",
  },
  {
    vars: { ATTACHMENT_TYPES: "pdf, exe" },
    code: "invalid_choice",
    name: "ATTACHMENT_TYPES",
    off: "attachments",
  },
  { vars: { RETENTION_MONTHS: "0" }, code: "out_of_range", name: "RETENTION_MONTHS", off: "purge" },
  {
    vars: { LOG_RETENTION_DAYS: "forever" },
    code: "out_of_range",
    name: "LOG_RETENTION_DAYS",
    off: "purge",
  },
  {
    vars: { SPAM_RETENTION_DAYS: "366" },
    code: "out_of_range",
    name: "SPAM_RETENTION_DAYS",
    off: "purge",
  },
  { vars: { LOG_IP: "all" }, code: "invalid_choice", name: "LOG_IP", off: "log_ip" },
  {
    vars: { RESEND_BASE_URL: "http://api.resend.com" },
    code: "insecure_url",
    name: "RESEND_BASE_URL",
    off: "mail",
  },
  {
    vars: { SPAM_FILTER: "drop" },
    code: "invalid_choice",
    name: "SPAM_FILTER",
    off: "spam_filter",
  },
  { vars: { PLAN: "business" }, code: "invalid_choice", name: "PLAN", off: "plan" },
  {
    vars: { PUBLIC_URL: "http://forms.example.com" },
    code: "insecure_url",
    name: "PUBLIC_URL",
    off: "links",
  },
  { vars: { RESEND_RATE: "0" }, code: "out_of_range", name: "RESEND_RATE", off: "pacing" },
  {
    vars: { TURNSTILE_SITE_KEY: "" },
    code: "turnstile_half_configured",
    name: "TURNSTILE_SITE_KEY",
    off: "turnstile",
  },
  {
    vars: { TURNSTILE_SECRET_KEY: "" },
    code: "turnstile_half_configured",
    name: "TURNSTILE_SECRET_KEY",
    off: "turnstile",
  },
  {
    vars: { TURNSTILE_SITE_KEY: "not a key!" },
    code: "invalid_choice",
    name: "TURNSTILE_SITE_KEY",
    off: "turnstile",
  },
  {
    vars: { TURNSTILE_SECRET_KEY: "replace-me-with-your-turnstile-secret-key" },
    code: "example_value",
    name: "TURNSTILE_SECRET_KEY",
    off: "turnstile",
  },
  {
    vars: { RESEND_API_KEY: "replace-me-with-your-resend-api-key" },
    code: "example_value",
    name: "RESEND_API_KEY",
    off: "mail",
  },
  // An upgrade that kept its old 21-character token.
  {
    vars: { ADMIN_TOKEN: "old-token-21-chars-xx" },
    code: "too_short",
    name: "ADMIN_TOKEN",
    off: "admin",
  },
  {
    vars: { ADMIN_TOKEN: "replace-me-with-the-output-of-openssl-rand-hex-32" },
    code: "example_value",
    name: "ADMIN_TOKEN",
    off: "admin",
  },
  // Pasted with the signature's version prefix.
  {
    vars: { RESEND_WEBHOOK_SECRET: `v1,${WEBHOOK_SECRET}` },
    code: "invalid_secret",
    name: "RESEND_WEBHOOK_SECRET",
    off: "webhook",
  },
  // Cloudflare Access half set up, or its team domain over plain http: the token still opens /admin.
  {
    vars: { ACCESS_TEAM_DOMAIN: "primer.cloudflareaccess.com" },
    code: "access_half_configured",
    name: "ACCESS_AUD",
    off: "access",
  },
  {
    vars: {
      ACCESS_TEAM_DOMAIN: "http://primer.cloudflareaccess.com",
      ACCESS_AUD: "aud-0123456789",
    },
    code: "insecure_url",
    name: "ACCESS_TEAM_DOMAIN",
    off: "access",
  },
];

let fakes: Fakes;
beforeEach(() => {
  fakes = installFakes();
});

interface Health {
  ok: boolean;
  off: string[];
  problems: { code: string; name?: string; scope?: string }[];
}

async function health(vars: Vars): Promise<{ status: number; body: Health; text: string }> {
  const res = await call(new Request("https://forms.example.com/health"), vars);
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as Health, text };
}

/** What each part answers under `vars`: true while it works. */
async function parts(vars: Vars): Promise<Record<Part, boolean>> {
  const before = fakes.resend.emails.length;
  const checks = fakes.turnstile.calls.length;
  const res = await submit(
    { ...validFields(), "cf-turnstile-response": "pass" },
    { headers: { origin: COMPANY } },
    vars,
  );
  const id = res.status === 201 ? ((await res.json()) as { id: string }).id : null;
  const row = id ? await storedRow(id) : null;
  const form = await call(new Request("https://forms.example.com/"), vars);
  const intake = res.status === 201 && row !== null && form.status === 200;
  if (!intake) expect([res.status, form.status]).toEqual([503, 503]);

  const mail = intake && fakes.resend.emails.length === before + 1;
  if (intake && !mail) expect(row?.delivery_status).toBe("pending");

  const admin = await call(
    new Request("https://forms.example.com/admin/retention", {
      headers: { authorization: `Bearer ${String(vars.ADMIN_TOKEN ?? ADMIN_TOKEN)}` },
    }),
    vars,
  );
  expect([200, 503]).toContain(admin.status);
  // Switched off says so, never the visitor's "cannot store your inquiry".
  if (admin.status === 503)
    expect(await admin.clone().json()).toMatchObject({ code: "switched_off" });

  const event = JSON.stringify({ type: "email.delivered", data: { email_id: "none" } });
  const msgId = `msg_${crypto.randomUUID()}`;
  const hook = await call(
    new Request("https://forms.example.com/webhooks/resend", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "svix-id": msgId,
        "svix-timestamp": String(Math.floor(Date.now() / 1000)),
        "svix-signature": new Webhook(WEBHOOK_SECRET).sign(msgId, new Date(), event),
      },
      body: event,
    }),
    vars,
  );
  expect([200, 503]).toContain(hook.status);
  if (hook.status === 503)
    expect(await hook.clone().json()).toMatchObject({ code: "switched_off" });

  return {
    intake,
    mail,
    admin: admin.status === 200,
    webhook: hook.status === 200,
    turnstile: fakes.turnstile.calls.length > checks,
  };
}

describe("a setting set wrong switches off only what needs it", () => {
  it("with every setting right, every part works and /health is ok", async () => {
    const vars = { ...BASE, HEALTH_PROBE: "all-right" };
    expect(await parts(vars)).toEqual({
      intake: true,
      mail: true,
      admin: true,
      webhook: true,
      turnstile: true,
    });
    const h = await health(vars);
    expect(h.body.problems).toEqual([]);
    expect(h.status).toBe(200);
  });

  for (const c of CASES) {
    const label = `${c.name} ${c.code}: ${c.off} off, the rest works`;
    it(label, async () => {
      const vars = { ...BASE, ...c.vars };
      const h = await health(vars);
      expect(h.status).toBe(503);
      expect(h.body.problems).toContainEqual(
        expect.objectContaining({ code: c.code, name: c.name, scope: c.off }),
      );
      expect(h.body.off).toEqual([c.off]);
      for (const value of Object.values(c.vars)) {
        if (typeof value === "string" && value.length >= 4) expect(h.text).not.toContain(value);
      }

      const got = await parts(vars);
      const expected: Record<Part, boolean> = {
        intake: c.off !== "intake",
        mail: c.off !== "intake" && c.off !== "mail",
        admin: c.off !== "admin",
        webhook: c.off !== "webhook",
        turnstile: c.off !== "intake" && c.off !== "turnstile",
      };
      expect(got).toEqual(expected);
    });
  }

  it("covers every variable of wrangler.toml and every secret, with one case at least", () => {
    const names = [
      ...env.TEST_DECLARED.vars,
      "RESEND_API_KEY",
      "ADMIN_TOKEN",
      "TURNSTILE_SECRET_KEY",
      "RESEND_WEBHOOK_SECRET",
    ];
    expect(names.length).toBeGreaterThan(10);
    // A problem in FORM names its member (FORM.services[1].to).
    const covered = new Set(CASES.map((c) => c.name.split(/[.[]/)[0]));
    expect(names.filter((n) => !covered.has(n))).toEqual([]);
  });
});

describe("ALLOWED_ORIGINS", () => {
  it("/health warns while it is empty: only the worker's own page can send", async () => {
    const h = await health({ ...BASE, ALLOWED_ORIGINS: "" });
    const body = JSON.parse(h.text) as { warnings: { code: string; name: string }[] };
    expect(body.warnings).toContainEqual(
      expect.objectContaining({ code: "no_allowed_origins", name: "ALLOWED_ORIGINS" }),
    );
    const set = JSON.parse((await health(BASE)).text) as { warnings: { code: string }[] };
    expect(set.warnings.map((w) => w.code)).not.toContain("no_allowed_origins");
  });

  it("a refused page can read the refusal, in its visitor's language, so its script can say why", async () => {
    const res = await submit(
      validFields(),
      { headers: { origin: "https://www.forgotten.si", "accept-language": "en" } },
      BASE,
    );
    expect(res.status).toBe(403);
    expect(res.headers.get("access-control-allow-origin")).toBe("https://www.forgotten.si");
    expect(res.headers.get("access-control-allow-credentials")).toBeNull();
    expect(res.headers.get("vary")).toContain("Origin");
    const body = (await res.json()) as { code: string; message: string };
    expect(body.code).toBe("origin_not_allowed");
    expect(body.message).toContain("not yet connected");
    expect(body.message).not.toMatch(/connection/i);
    expect(fakes.resend.emails).toHaveLength(0);
  });
});

describe("what each fallback does", () => {
  it("a wrong ALLOWED_ORIGINS entry is skipped: the right one still sends, the wrong one is refused", async () => {
    const vars = { ...BASE, ALLOWED_ORIGINS: `${COMPANY}, https://x.example/kontakt` };
    const other = await submit(
      { ...validFields(), "cf-turnstile-response": "pass" },
      { headers: { origin: "https://x.example" } },
      vars,
    );
    expect(other.status).toBe(403);
  });

  it("a wrong REDIRECT_URL sends the browser to the built-in thanks page", async () => {
    const vars = { ...BASE, REDIRECT_URL: "http://www.primer.si/hvala" };
    const res = await submit(
      { ...validFields(), "cf-turnstile-response": "pass" },
      { accept: "text/html", encoding: "urlencoded" },
      vars,
    );
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toMatch(/^\/thanks\?lang=/);
  });

  it("a wrong MAX_ATTACHMENT_BYTES takes files up to the default 10 MiB", async () => {
    const page = await call(new Request("https://forms.example.com/?lang=en"), {
      ...BASE,
      MAX_ATTACHMENT_BYTES: "40000000",
    });
    expect(await page.text()).toContain("10 MB");
  });

  it("a wrong SPAM_FILTER mails suspected spam tagged, never hides it", async () => {
    const vars = { ...BASE, SPAM_FILTER: "drop" };
    const res = await submit(
      {
        ...validFields({
          name: "Mike Spammer",
          email: `mike.${crypto.randomUUID().slice(0, 8)}@example.net`,
          phone: "",
          company: "",
          message:
            "Hi there, I checked your site: your SEO and backlinks need work, better ranking here https://bit.ly/x1",
        }),
        "cf-turnstile-response": "pass",
      },
      {},
      vars,
    );
    expect(res.status).toBe(201);
    expect(fakes.resend.emails).toHaveLength(1);
    expect(fakes.resend.emails[0]?.body.subject).toMatch(/^\[SPAM\?\]/);
  });

  it("mail that waited for a fixed mail setting goes out at the next run", async () => {
    const broken = { ...BASE, MAIL_FROM: "Sales <not-an-address>" };
    const res = await submit({ ...validFields(), "cf-turnstile-response": "pass" }, {}, broken);
    const { id } = (await res.json()) as { id: string };
    await runCron(Date.now(), broken);
    expect(fakes.resend.emails).toHaveLength(0);
    await runCron(Date.now(), BASE);
    expect(fakes.resend.emails.map((m) => m.body.to)).toContainEqual(["office@primer.si"]);
    expect((await storedRow(id))?.delivery_status).toBe("sent");
  });
});
