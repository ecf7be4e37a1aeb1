import { env } from "cloudflare:test";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { fieldMessage } from "../src/i18n/messages.ts";
import { countOf } from "../src/i18n/plural.ts";
import { instrumentEnv } from "../testing/bindings.ts";
import { bin, concat, samples } from "./file-samples.ts";
import {
  call,
  countInquiries,
  file,
  inquiryRequest,
  installFakes,
  postRaw,
  storedRow,
  submit,
  testIp,
  validFields,
  type Fakes,
  limiterWindowAhead,
} from "./helpers.ts";

let fakes: Fakes;
beforeEach(() => {
  fakes = installFakes();
});

const BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

describe("encodings", () => {
  it.each(["multipart", "urlencoded", "json"] as const)("stores a %s body", async (encoding) => {
    const fields = validFields();
    const res = await submit(fields, { encoding });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { ok: boolean; id: string };
    expect(body).toEqual({ ok: true, id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    const row = await storedRow(body.id);
    expect(row).toMatchObject({
      name: fields.name,
      service: fields.service,
      message: fields.message,
    });
  });

  it("gives every inquiry its own random id", async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const res = await submit(validFields(), { encoding: "json" });
      ids.add(((await res.json()) as { id: string }).id);
    }
    expect(ids.size).toBe(5);
    for (const id of ids)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it.each([
    ["text/plain", "name=x"],
    ["application/xml", "<x/>"],
  ])("refuses %s with 415", async (type, body) => {
    const res = await postRaw(body, type);
    expect(res.status).toBe(415);
    expect(await res.json()).toEqual({
      ok: false,
      code: "unsupported_media_type",
      message: expect.stringContaining("not supported"),
    });
  });

  it.each([
    ["application/json", "{not json"],
    ["application/json", "[1,2]"],
    ["application/json", '"text"'],
    ["multipart/form-data", '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--x--'],
    ["multipart/form-data; boundary=zzz", "no parts at all"],
  ])("answers a malformed %s body with 400", async (type, body) => {
    const before = await countInquiries();
    const res = await postRaw(body, type, { "accept-language": "sl" });
    expect(res.status).toBe(400);
    const json = (await res.json()) as { code: string; message: string };
    expect(json.code).toBe("malformed_body");
    expect(json.message).toContain("Poslanih podatkov");
    expect(await countInquiries()).toBe(before);
  });

  it("answers a body over the limit with 413 before reading it", async () => {
    const res = await call(
      new Request("https://forms.example.com/inquiry", {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "content-length": String(200 * 1024),
          "accept-language": "en",
          "cf-connecting-ip": testIp(),
        },
        body: "x".repeat(200 * 1024),
      }),
    );
    expect(res.status).toBe(413);
    expect(((await res.json()) as { code: string }).code).toBe("payload_too_large");
  });
});

describe("answers for browsers (HTML) and scripts (JSON)", () => {
  it("a browser form post is redirected to the thank-you page in its language", async () => {
    const res = await submit({ ...validFields(), _lang: "en" }, { accept: BROWSER_ACCEPT });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/thanks?lang=en");
    const thanks = await call(new Request("https://forms.example.com/thanks?lang=en"));
    expect(await thanks.text()).toContain("Thank you for your inquiry");
  });

  it("goes to REDIRECT_URL when it is configured", async () => {
    const res = await submit(
      validFields(),
      { accept: BROWSER_ACCEPT },
      {
        REDIRECT_URL: "https://www.example.com/hvala",
      },
    );
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("https://www.example.com/hvala");
  });

  it("shows a 422 page in Slovenian listing each error, with a way back", async () => {
    const res = await submit(
      { ...validFields(), email: "napačen", message: "" },
      {
        accept: BROWSER_ACCEPT,
        headers: {
          "accept-language": "sl-SI,sl;q=0.9,en;q=0.5",
          origin: "https://www.example.com",
          referer: "https://www.example.com/",
        },
      },
      { ALLOWED_ORIGINS: "https://www.example.com" },
    );
    expect(res.status).toBe(422);
    expect(res.headers.get("content-type")).toContain("text/html");
    const page = await res.text();
    expect(page).toContain('<html lang="sl">');
    expect(page).toContain("E-pošta:</strong> Vnesite veljaven e-poštni naslov");
    expect(page).toContain("Sporočilo:</strong> To polje je obvezno.");
    // Only the origin is known (a browser's default cross-origin Referer): the link says so.
    expect(page).toContain('<a href="https://www.example.com/">Nazaj na spletno stran</a>');
    expect(page).not.toContain("Nazaj na obrazec");
    expect(page).toContain("z gumbom Nazaj v brskalniku");
  });

  it("shows the same page in English when the form asks for it", async () => {
    const res = await submit(
      { ...validFields(), _lang: "en", phone: "abc" },
      { accept: BROWSER_ACCEPT, headers: { "accept-language": "sl" } },
    );
    expect(res.status).toBe(422);
    const page = await res.text();
    expect(page).toContain('<html lang="en">');
    expect(page).toContain("Phone:</strong> Please enter a phone number");
  });

  it("links back to the page the form was on when it is an allowed origin", async () => {
    const res = await submit(
      { ...validFields(), name: "" },
      {
        accept: BROWSER_ACCEPT,
        headers: {
          origin: "https://www.example.com",
          referer: "https://www.example.com/kontakt?x=1",
        },
      },
      { ALLOWED_ORIGINS: "https://www.example.com" },
    );
    expect(res.status).toBe(422);
    expect(await res.text()).toContain('href="https://www.example.com/kontakt?x=1"');
  });

  describe("the back link of a company form's error page", () => {
    // Chromium's default Referrer-Policy sends only the origin to another site.
    const post = (fields: Record<string, string>, referer = "https://www.example.com/") =>
      submit(
        { ...validFields(), email: "x", _lang: "en", ...fields },
        { accept: BROWSER_ACCEPT, headers: { origin: "https://www.example.com", referer } },
        { ALLOWED_ORIGINS: "https://www.example.com" },
      );

    it("goes to the form's page named by _return, not to the site's home page", async () => {
      const res = await post({ _return: "https://www.example.com/contact/en.html?from=menu#form" });
      expect(res.status).toBe(422);
      const page = await res.text();
      expect(page).toContain(
        '<a href="https://www.example.com/contact/en.html?from=menu">Back to the form</a>',
      );
      expect(page).toContain("return with your browser&#39;s Back button");
    });

    it("accepts the worker's own origin in _return", async () => {
      const res = await post({ _return: "https://forms.example.com/?lang=en" });
      expect(await res.text()).toContain(
        '<a href="https://forms.example.com/?lang=en">Back to the form</a>',
      );
    });

    it.each([
      ["another origin", "https://evil.example/contact"],
      ["a script URL", "javascript:alert(1)"],
      ["a relative path", "/contact/en.html"],
      ["an overlong URL", `https://www.example.com/${"a".repeat(2100)}`],
    ])("ignores %s in _return and links only to the website", async (_, value) => {
      const res = await post({ _return: value });
      expect(res.status).toBe(422);
      const page = await res.text();
      expect(page).toContain('<a href="https://www.example.com/">Back to the website</a>');
      expect(page).not.toContain("Back to the form");
      expect(page).not.toContain("evil.example");
      expect(page).not.toContain("javascript:");
    });

    it("without _return, a full Referer still names the form's page", async () => {
      const res = await post({}, "https://www.example.com/contact/en.html");
      expect(await res.text()).toContain(
        '<a href="https://www.example.com/contact/en.html">Back to the form</a>',
      );
    });

    it("is not stored or mailed", async () => {
      const res = await submit(
        { ...validFields(), _return: "https://www.example.com/contact/en.html" },
        { headers: { origin: "https://www.example.com" } },
        { ALLOWED_ORIGINS: "https://www.example.com" },
      );
      expect(res.status).toBe(201);
      const { id } = (await res.json()) as { id: string };
      expect(JSON.stringify(await storedRow(id))).not.toContain("contact/en.html");
    });
  });

  describe("no typing lost without JavaScript", () => {
    const OWN = { origin: "https://forms.example.com", referer: "https://forms.example.com/" };
    const typed = {
      name: 'Ana <b>"Novak" & Co. č',
      email: "ana@<primer>",
      phone: "+386 41 123 456",
      company: "Čokolada & <Sladice> d.o.o.",
      service: "CNC machining",
      message: 'Ponudba za 200 kosov </textarea><script>alert("č")</script>\nRok: marec & april',
    };

    it("answers a refused post from the reference form with the form itself, filled in", async () => {
      const res = await submit(
        { ...typed, _lang: "en", attachment: file("SECRET-FILE-BYTES %PDF", "tajno.pdf") },
        { accept: BROWSER_ACCEPT, headers: OWN },
      );
      expect(res.status).toBe(422);
      expect(res.headers.get("content-type")).toContain("text/html");
      const page = await res.text();
      expect(page).toContain('<html lang="en">');
      expect(page).toContain("<title>Error: Inquiry</title>");
      expect(page).toMatch(/<form[^>]*id="inquiry-form"[^>]*action="\/inquiry"/);
      // Every typed value is back in its field, escaped.
      expect(page).toContain('value="Ana &lt;b&gt;&quot;Novak&quot; &amp; Co. č"');
      expect(page).toContain('value="ana@&lt;primer&gt;"');
      expect(page).toContain('value="+386 41 123 456"');
      expect(page).toContain('value="Čokolada &amp; &lt;Sladice&gt; d.o.o."');
      expect(page).toContain("<option selected>CNC machining</option>");
      expect(page).toContain(
        "&lt;/textarea&gt;&lt;script&gt;alert(&quot;č&quot;)&lt;/script&gt;\nRok: marec &amp; april</textarea>",
      );
      expect(page).not.toContain("<script>alert");
      // The error sits beside its field, and the field points at it.
      const email = /<input[^>]*name="email"[^>]*>/.exec(page)?.[0] ?? "";
      expect(email).toContain('aria-invalid="true"');
      expect(email).toContain('aria-describedby="err-email"');
      expect(page).toMatch(/<p class="field-error" id="err-email">\s*Please enter a valid e-mail/);
      const name = /<input[^>]*name="name"[^>]*>/.exec(page)?.[0] ?? "";
      expect(name).not.toContain("aria-invalid");
      // The summary takes focus and links to the field.
      const summary = /<div[^>]*class="error-summary"[\s\S]*?<\/div>/.exec(page)?.[0] ?? "";
      expect(summary).toContain('role="alert"');
      expect(summary).toContain('tabindex="-1"');
      expect(summary).toContain("autofocus");
      expect(summary).toMatch(/<a href="#f-email">E-mail: Please enter a valid e-mail/);
      // Never the file: neither its bytes nor its name, and the visitor is told to choose it again.
      expect(page).not.toContain("SECRET-FILE-BYTES");
      expect(page).not.toContain("tajno.pdf");
      expect(page).toMatch(/id="err-attachment">\s*Please choose the file again/);
    });

    it("keeps what was typed when Turnstile fails too", async () => {
      const res = await submit(
        { ...validFields(), ...typed, email: "ana@primer.si", "cf-turnstile-response": "fail" },
        { accept: BROWSER_ACCEPT, headers: { ...OWN, "accept-language": "sl" } },
        {
          TURNSTILE_SECRET_KEY: "1x0000000000000000000000000000000AA",
          TURNSTILE_SITE_KEY: "0x4AAA",
        },
      );
      expect(res.status).toBe(403);
      const page = await res.text();
      expect(page).toContain('value="Ana &lt;b&gt;&quot;Novak&quot; &amp; Co. č"');
      expect(page).toMatch(/class="error-summary"[\s\S]*Preverjanje, da niste robot, ni uspelo/);
    });

    it("from another page lists the errors, keeps the Back advice, and links back to that page", async () => {
      const res = await submit(
        { ...typed, _lang: "en" },
        {
          accept: BROWSER_ACCEPT,
          headers: {
            origin: "https://www.example.com",
            referer: "https://www.example.com/kontakt",
          },
        },
        { ALLOWED_ORIGINS: "https://www.example.com" },
      );
      expect(res.status).toBe(422);
      const page = await res.text();
      expect(page).not.toContain("<form");
      expect(page).toContain("E-mail:</strong> Please enter a valid e-mail");
      expect(page).toContain('<a href="https://www.example.com/kontakt">Back to the form</a>');
      expect(page).toContain("return with your browser&#39;s Back button");
      expect(page).not.toContain("Novak");
    });

    it("never links to a blank form when the page that posted is unknown or not allowed", async () => {
      const cases: Record<string, string>[] = [
        { origin: "null", "sec-fetch-mode": "navigate", "sec-fetch-dest": "document" },
        { origin: "https://www.example.com", referer: "https://evil.example/kontakt" },
      ];
      for (const headers of cases) {
        const res = await submit(
          { ...validFields(), email: "x", _lang: "en" },
          { accept: BROWSER_ACCEPT, headers },
          { ALLOWED_ORIGINS: "https://www.example.com" },
        );
        expect(res.status).toBe(422);
        const page = await res.text();
        expect(page).not.toContain("Back to the form</a>");
        expect(page).not.toContain("evil.example");
        expect(page).toContain("return with your browser&#39;s Back button");
      }
    });
  });

  it("JSON errors carry the message in the visitor's language", async () => {
    const sl = await submit(
      { ...validFields(), name: "" },
      { headers: { "accept-language": "sl" } },
    );
    const en = await submit(
      { ...validFields(), name: "" },
      { headers: { "accept-language": "en-GB" } },
    );
    const fallback = await submit(
      { ...validFields(), name: "" },
      { headers: { "accept-language": "de" } },
    );
    const msg = async (r: Response) =>
      ((await r.json()) as { errors: { message: string }[] }).errors[0]!.message;
    expect(await msg(sl)).toBe("To polje je obvezno.");
    expect(await msg(en)).toBe("This field is required.");
    expect(await msg(fallback)).toBe("To polje je obvezno."); // DEFAULT_LANG = sl
    const defaultEn = await submit(
      { ...validFields(), name: "" },
      { headers: { "accept-language": "de" } },
      { DEFAULT_LANG: "en" },
    );
    expect(await msg(defaultEn)).toBe("This field is required.");
  });

  it("never echoes input unescaped", async () => {
    const evil = '<script>alert("x")</script>';
    const res = await submit(
      { ...validFields(), name: evil, email: evil, service: evil },
      { accept: BROWSER_ACCEPT },
    );
    expect(res.status).toBe(422);
    expect(await res.text()).not.toContain("<script>alert");
  });
});

describe("honeypot", () => {
  it("looks exactly like success but stores and mails nothing", async () => {
    const before = await countInquiries();
    const res = await submit({ ...validFields(), _gotcha: "http://spam.example" });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { ok: boolean; id: string };
    expect(body).toEqual({ ok: true, id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(await storedRow(body.id)).toBeNull();
    expect(await countInquiries()).toBe(before);
    expect(fakes.resend.requests).toHaveLength(0);

    const html = await submit({ ...validFields(), _gotcha: "x" }, { accept: BROWSER_ACCEPT });
    expect(html.status).toBe(303);
    expect(html.headers.get("location")).toMatch(/^\/thanks\?lang=/);
  });

  it("an empty honeypot is fine", async () => {
    const res = await submit({ ...validFields(), _gotcha: "" });
    expect(res.status).toBe(201);
  });

  it.each([null, false, 0, " \u00a0"])(
    "a JSON form model's untouched honeypot (%j) is not filled: stored and mailed",
    async (gotcha) => {
      const fields = { ...validFields(), _gotcha: gotcha } as unknown as Record<string, string>;
      const res = await submit(fields, { encoding: "json" });
      expect(res.status).toBe(201);
      const { id } = (await res.json()) as { id: string };
      expect(await storedRow(id)).toMatchObject({ name: "Ana Novak" });
      const mails = fakes.resend.emails.filter((e) => e.idempotencyKey === `inquiry-${id}`);
      expect(mails).toHaveLength(1);
    },
  );
});

describe("origin, rate limit, captcha, storage", () => {
  it("refuses a browser post from an origin that is not allowed", async () => {
    const res = await submit(validFields(), { headers: { origin: "https://evil.example" } });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { code: string }).code).toBe("origin_not_allowed");
  });

  it("accepts its own origin, an allowed origin (with CORS headers) and no origin", async () => {
    const own = await submit(validFields(), { headers: { origin: "https://forms.example.com" } });
    expect(own.status).toBe(201);
    const vars = { ALLOWED_ORIGINS: "https://www.example.com, https://example.si" };
    const allowed = await submit(
      validFields(),
      { headers: { origin: "https://example.si" } },
      vars,
    );
    expect(allowed.status).toBe(201);
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://example.si");
    const none = await submit(validFields());
    expect(none.status).toBe(201);
  });

  describe("Origin: null (a page with Referrer-Policy: no-referrer)", () => {
    const navigation = { "sec-fetch-mode": "navigate", "sec-fetch-dest": "document" };

    it("accepts a top-level form navigation and stores what was sent", async () => {
      const variants: Record<string, string>[] = [
        navigation,
        { "sec-fetch-mode": "navigate" },
        { "sec-fetch-dest": "document" },
      ];
      for (const headers of variants) {
        const email = `null-origin-${crypto.randomUUID()}@primer.si`;
        const fields = validFields({ email });
        const res = await submit(fields, {
          accept: BROWSER_ACCEPT,
          headers: { origin: "null", "sec-fetch-site": "cross-site", ...headers },
        });
        expect(res.status).toBe(303);
        expect(res.headers.get("access-control-allow-origin")).toBeNull();
        const row = await env.DB.prepare("SELECT name, message FROM inquiries WHERE email = ?")
          .bind(email)
          .first();
        expect(row).toEqual({ name: fields.name, message: fields.message });
      }
    });

    it.each([
      ["from a frame", { "sec-fetch-mode": "navigate", "sec-fetch-dest": "iframe" }],
      ["from a nested frame", { "sec-fetch-mode": "navigate", "sec-fetch-dest": "frame" }],
      ["from fetch()", { "sec-fetch-mode": "cors", "sec-fetch-dest": "empty" }],
      ["from fetch() with no-cors", { "sec-fetch-mode": "no-cors", "sec-fetch-dest": "empty" }],
      ["without Fetch Metadata", {}],
    ])("refuses it %s", async (_, headers) => {
      const before = await countInquiries();
      const res = await submit(validFields(), { headers: { origin: "null", ...headers } });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { code: string }).code).toBe("origin_not_allowed");
      expect(await countInquiries()).toBe(before);
    });

    it("still refuses a foreign origin on a top-level navigation", async () => {
      const res = await submit(validFields(), {
        headers: { origin: "https://evil.example", ...navigation },
      });
      expect(res.status).toBe(403);
    });

    it("still applies the rate limit and Turnstile", async () => {
      await limiterWindowAhead();
      const ip = "192.0.2.78";
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        const res = await submit(validFields(), {
          headers: { origin: "null", "cf-connecting-ip": ip, ...navigation },
        });
        statuses.push(res.status);
      }
      expect(statuses).toEqual([201, 201, 201, 201, 201, 429]);
      const vars = {
        TURNSTILE_SITE_KEY: "1x00000000000000000000AA",
        TURNSTILE_SECRET_KEY: "1x0000000000000000000000000000000AA",
      };
      const noToken = await submit(
        validFields(),
        { headers: { origin: "null", ...navigation } },
        vars,
      );
      expect(noToken.status).toBe(403);
      expect(((await noToken.json()) as { code: string }).code).toBe("captcha_failed");
    });
  });

  it("answers the CORS preflight for allowed origins only", async () => {
    const vars = { ALLOWED_ORIGINS: "https://www.example.com" };
    const preflight = (origin: string) =>
      call(
        new Request("https://forms.example.com/inquiry", {
          method: "OPTIONS",
          headers: { origin, "access-control-request-method": "POST" },
        }),
        vars,
      );
    const ok = await preflight("https://www.example.com");
    expect(ok.status).toBe(204);
    expect(ok.headers.get("access-control-allow-origin")).toBe("https://www.example.com");
    expect(ok.headers.get("access-control-allow-methods")).toContain("POST");
    const bad = await preflight("https://evil.example");
    expect(bad.status).toBe(403);
    expect(bad.headers.get("access-control-allow-origin")).toBeNull();
    // The same refusal as a post gets, from the one error mapping.
    expect(await bad.json()).toEqual({
      ok: false,
      code: "origin_not_allowed",
      message: expect.any(String),
    });
  });

  it("limits submissions per client with 429 and Retry-After", async () => {
    await limiterWindowAhead();
    const ip = "192.0.2.77";
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 7; i++) {
      last = await submit(validFields(), {
        headers: { "cf-connecting-ip": ip, "accept-language": "en" },
      });
      statuses.push(last.status);
    }
    expect(statuses.slice(0, 5)).toEqual([201, 201, 201, 201, 201]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    expect(last!.headers.get("retry-after")).toBe("60");
    expect(await last!.json()).toEqual({
      ok: false,
      code: "rate_limited",
      message: expect.stringContaining("Too many"),
    });
  });

  it("stores the inquiry when the rate limiter cannot answer", async () => {
    const down = instrumentEnv({ SUBMIT_LIMITER: env.SUBMIT_LIMITER }, { fail: () => true });
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const fields = validFields();
    const res = await submit(fields, {}, down);
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    expect(await storedRow(id)).toMatchObject({ name: fields.name, message: fields.message });
    expect(errors).toHaveBeenCalledWith(expect.stringMatching(/^rate limiter unavailable/));
    errors.mockRestore();
  });

  it("answers a 429 before reading the body: in the language of ?lang=, not _lang", async () => {
    await limiterWindowAhead();
    const ip = "192.0.2.79";
    const sl = { "cf-connecting-ip": ip, "accept-language": "sl" };
    for (let i = 0; i < 5; i++) {
      expect((await submit(validFields(), { headers: sl })).status).toBe(201);
    }
    const byField = await submit({ ...validFields(), _lang: "en" }, { headers: sl });
    expect(byField.status).toBe(429);
    expect(((await byField.json()) as { message: string }).message).toContain("Poslali ste preveč");
    const byQuery = await submit(validFields(), { headers: sl, path: "/inquiry?lang=en" });
    expect(byQuery.status).toBe(429);
    expect(((await byQuery.json()) as { message: string }).message).toContain("Too many");
  });

  it("answers after the body in the language of ?lang= when there is no _lang", async () => {
    const headers = { "accept-language": "sl" };
    const res = await submit(
      { ...validFields(), email: "x" },
      { headers, path: "/inquiry?lang=en" },
    );
    expect(res.status).toBe(422);
    expect(((await res.json()) as { message: string }).message).toContain("Some fields");
    const field = await submit(
      { ...validFields(), email: "x", _lang: "sl" },
      { headers, path: "/inquiry?lang=en" },
    );
    expect(((await field.json()) as { message: string }).message).toContain("Nekatera polja");
  });

  it("checks Turnstile on the server when a secret is set, failing closed", async () => {
    const vars = {
      TURNSTILE_SITE_KEY: "1x00000000000000000000AA",
      TURNSTILE_SECRET_KEY: "1x0000000000000000000000000000000AA",
    };
    const missing = await submit(validFields(), {}, vars);
    expect(missing.status).toBe(403);
    expect(((await missing.json()) as { code: string }).code).toBe("captcha_failed");
    const wrong = await submit({ ...validFields(), "cf-turnstile-response": "fail" }, {}, vars);
    expect(wrong.status).toBe(403);
    const good = await submit({ ...validFields(), "cf-turnstile-response": "pass" }, {}, vars);
    expect(good.status).toBe(201);
    expect(fakes.turnstile.calls.at(-1)?.get("secret")).toBe(vars.TURNSTILE_SECRET_KEY);
    fakes.turnstile.answer = "down";
    const down = await submit({ ...validFields(), "cf-turnstile-response": "pass" }, {}, vars);
    expect(down.status).toBe(403);
  });

  it("answers 503 with Retry-After when storage is unavailable, and nothing half-stored stays", async () => {
    const brokenDb = {
      prepare() {
        throw new Error("D1_ERROR: database unavailable");
      },
    };
    const req = inquiryRequest(validFields(), { headers: { "accept-language": "en" } });
    const res = await call(req, { DB: brokenDb });
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("60");
    expect(await res.json()).toEqual({
      ok: false,
      code: "unavailable",
      message: expect.stringContaining("cannot store"),
    });
  });

  it("reports a bad configuration value as 503 and on /health, not a stack trace", async () => {
    const vars = { MAX_ATTACHMENT_BYTES: "lots", SERVICES: "" };
    const res = await submit(validFields(), { headers: { "accept-language": "en" } }, vars);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { code: string }).code).toBe("unavailable");
    const health = await call(new Request("https://forms.example.com/health"), vars);
    expect(health.status).toBe(503);
    const body = (await health.json()) as { ok: boolean; problems: { name: string }[] };
    expect(body.ok).toBe(false);
    expect(body.problems.map((p) => p.name).sort()).toEqual(["MAX_ATTACHMENT_BYTES", "SERVICES"]);
  });

  it("a healthy configuration says ok and never shows a secret", async () => {
    const res = await call(new Request("https://forms.example.com/health"));
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({
      ok: true,
      config: "ok",
      mail: "resend",
      problems: [],
    });
    expect(text).not.toContain(env.RESEND_API_KEY as string);
    expect(text).not.toContain(env.ADMIN_TOKEN as string);
  });
});

describe("what the inquiry row holds", () => {
  it("has no IP, user agent or referrer, not even as a column", async () => {
    const res = await submit(validFields(), {
      headers: {
        "cf-connecting-ip": "203.0.113.99",
        "user-agent": "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0",
        referer: "https://forms.example.com/?utm=abc",
      },
    });
    const { id } = (await res.json()) as { id: string };
    const row = (await storedRow(id)) as unknown as Record<string, unknown>;
    const columns = await env.DB.prepare("SELECT name FROM pragma_table_info('inquiries')").all<{
      name: string;
    }>();
    const names = columns.results.map((c) => c.name).join(" ");
    expect(names).not.toMatch(/ip|agent|referr?er|browser/i);
    const values = JSON.stringify(row);
    expect(values).not.toContain("203.0.113");
    expect(values).not.toContain("Firefox");
    expect(values).not.toContain("utm=abc");
  });
});

/** A multipart body written byte for byte, as a non-browser client sends it. */
function multipart(boundary: string, parts: { headers: string[]; body: string | Uint8Array }[]) {
  return concat(
    ...parts.flatMap((p) => [`--${boundary}\r\n${p.headers.join("\r\n")}\r\n\r\n`, p.body, "\r\n"]),
    `--${boundary}--\r\n`,
  );
}

function textParts(fields: Record<string, string>, quote = true) {
  return Object.entries(fields).map(([name, value]) => ({
    headers: [`Content-Disposition: form-data; name=${quote ? `"${name}"` : name}`],
    body: value,
  }));
}

function mailFor(id: string) {
  const mail = fakes.resend.emails.find((e) => e.idempotencyKey === `inquiry-${id}`);
  expect(mail).toBeDefined();
  return mail!.body;
}

describe("multipart as real clients write it (RFC 7578)", () => {
  it("unquoted part-header values and a quoted boundary, as .NET's HttpClient sends", async () => {
    const fields = validFields();
    const boundary = "d3b0b1c2-6f4e-4b7a-9c1e-0a5f2e8d7c11";
    const body = multipart(boundary, [
      ...Object.entries(fields).map(([name, value]) => ({
        headers: [
          "Content-Type: text/plain; charset=utf-8",
          `Content-Disposition: form-data; name=${name}`,
        ],
        body: value,
      })),
      {
        headers: [
          "Content-Type: application/pdf",
          "Content-Disposition: form-data; name=attachment; filename=ponudba.pdf; filename*=utf-8''ponudba.pdf",
        ],
        body: samples.pdf(),
      },
    ]);
    const res = await postRaw(body, `multipart/form-data; boundary="${boundary}"`);
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    expect(await storedRow(id)).toMatchObject({
      name: fields.name,
      phone: fields.phone,
      message: fields.message,
      attachment_name: "ponudba.pdf",
      attachment_type: "application/pdf",
    });
    const mail = mailFor(id);
    expect(mail.text).toContain(fields.message);
    expect(mail.attachments?.[0]?.filename).toBe("ponudba.pdf");
  });

  it("a text part in another charset is read in that charset (RFC 7578 §4.4)", async () => {
    const fields = validFields();
    delete (fields as Partial<typeof fields>).name;
    const body = concat(
      multipart("b", textParts(fields)).slice(0, -"--b--\r\n".length),
      '--b\r\nContent-Disposition: form-data; name="name"\r\nContent-Type: text/plain; charset=iso-8859-2\r\n\r\n',
      bin("\xa9pela \xaeagar"), // "Špela Žagar" in ISO-8859-2
      "\r\n--b--\r\n",
    );
    const res = await postRaw(body, "multipart/form-data; boundary=b");
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    expect((await storedRow(id))?.name).toBe("Špela Žagar");
  });

  it.each([
    ["a CRLF", "\r\n"],
    ["a preamble", "This is a multi-part message in MIME format.\r\n"],
  ])("%s before the first boundary is ignored (RFC 2046 §5.1.1)", async (_label, preamble) => {
    const fields = validFields();
    const res = await postRaw(
      concat(preamble, multipart("b", textParts(fields))),
      "multipart/form-data; boundary=b",
    );
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    expect((await storedRow(id))?.message).toBe(fields.message);
  });

  it("an epilogue after the close delimiter is ignored (RFC 2046 §5.1.1)", async () => {
    const bytes = concat(multipart("b", textParts(validFields())), "epilogue text\r\n");
    // The epilogue arrives in a chunk of its own.
    const split = bytes.length - "epilogue text\r\n".length;
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(bytes.slice(0, split));
        c.enqueue(bytes.slice(split));
        c.close();
      },
    });
    const res = await postRaw(body, "multipart/form-data; boundary=b");
    expect(res.status).toBe(201);
  });
});

describe("file names as clients encode them (RFC 7578 §4.2, RFC 6266 §4.3)", () => {
  const pdfNamed = (disposition: string) => ({
    headers: [
      `Content-Disposition: form-data; name="attachment"; ${disposition}`,
      "Content-Type: application/pdf",
    ],
    body: samples.pdf(),
  });
  const b64 = (s: string) => btoa(String.fromCharCode(...new TextEncoder().encode(s)));

  const cases: [label: string, disposition: string | Uint8Array, staffSee: string][] = [
    ["filename* alone (RFC 8187)", "filename*=UTF-8''ponudba_%C4%8D.pdf", "ponudba_č.pdf"],
    [
      "filename* before filename",
      "filename=\"ponudba_c.pdf\"; filename*=UTF-8''ponudba_%C4%8D.pdf",
      "ponudba_č.pdf",
    ],
    ["filename* in ISO-8859-1", "filename*=iso-8859-1'sl'ra%E8un.pdf", "raèun.pdf"],
    ["filename* with a path", "filename*=UTF-8''..%2F..%2Fponudba.pdf", "ponudba.pdf"],
    [
      "undecodable filename* falls back to filename",
      "filename*=UTF-8''%FF%FE.pdf; filename=\"ponudba.pdf\"",
      "ponudba.pdf",
    ],
    ["raw UTF-8 bytes", 'filename="ponudba_č.pdf"', "ponudba_č.pdf"],
    ["decomposed (NFD, as macOS names files)", 'filename="ponudba_c\u030C.pdf"', "ponudba_č.pdf"],
    ["unquoted", "filename=ponudba.pdf", "ponudba.pdf"],
    [
      "quoted with backslash escapes",
      'filename="Ponudba \\"A\\" 2026.pdf"',
      "Ponudba _A_ 2026.pdf",
    ],
    [
      "the HTML escapes browsers use",
      'filename="Ponudba %22A%22 50%25.pdf"',
      "Ponudba _A_ 50%25.pdf",
    ],
    [
      "RFC 2047 B, as .NET writes non-ASCII names",
      `filename="=?utf-8?B?${b64("ponudba_č.pdf")}?="`,
      "ponudba_č.pdf",
    ],
    ["RFC 2047 Q", 'filename="=?UTF-8?Q?ponudba=5F=C4=8D_2026.pdf?="', "ponudba_č 2026.pdf"],
    ["a Windows path", 'filename="C:\\Users\\Ana\\Documents\\ponudba.pdf"', "ponudba.pdf"],
    ["an escaped Windows path", 'filename="C:\\\\Users\\\\Ana\\\\ponudba.pdf"', "ponudba.pdf"],
    ["a Unix path", 'filename="/home/ana/ponudba.pdf"', "ponudba.pdf"],
    ["direction overrides", 'filename="ponudba\u202Efdp.exe\u202C.pdf"', "ponudba_fdp.exe_.pdf"],
  ];

  it.each(cases)("%s", async (_label, disposition, staffSee) => {
    const fields = validFields();
    const body = multipart("b", [...textParts(fields), pdfNamed(disposition as string)]);
    const res = await postRaw(body, "multipart/form-data; boundary=b");
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    expect(await storedRow(id)).toMatchObject({
      attachment_name: staffSee,
      attachment_type: "application/pdf",
    });
    const mail = mailFor(id);
    expect(mail.attachments?.[0]?.filename).toBe(staffSee);
    expect(mail.text).toContain(staffSee);
  });
});

describe("numbers in Slovenian messages take the noun's form for that number", () => {
  // CLDR plural rules for sl, by the last two digits: one 1, two 2, few 3–4, other the rest.
  it.each([
    [1, "Vnesite vsaj 1 znak.", "Please enter at least 1 character."],
    [2, "Vnesite vsaj 2 znaka.", "Please enter at least 2 characters."],
    [3, "Vnesite vsaj 3 znake.", "Please enter at least 3 characters."],
    [4, "Vnesite vsaj 4 znake.", "Please enter at least 4 characters."],
    [5, "Vnesite vsaj 5 znakov.", "Please enter at least 5 characters."],
    [11, "Vnesite vsaj 11 znakov.", "Please enter at least 11 characters."],
    [12, "Vnesite vsaj 12 znakov.", "Please enter at least 12 characters."],
    [100, "Vnesite vsaj 100 znakov.", "Please enter at least 100 characters."],
    [101, "Vnesite vsaj 101 znak.", "Please enter at least 101 characters."],
    [102, "Vnesite vsaj 102 znaka.", "Please enter at least 102 characters."],
    [103, "Vnesite vsaj 103 znake.", "Please enter at least 103 characters."],
    [5000, "Vnesite vsaj 5000 znakov.", "Please enter at least 5000 characters."],
  ])("too_short with %i", (min, sl, en) => {
    expect(fieldMessage("too_short", "sl", { min })).toBe(sl);
    expect(fieldMessage("too_short", "en", { min })).toBe(en);
    expect(fieldMessage("too_long", "sl", { max: min })).toBe(sl.replace("vsaj", "največ"));
  });

  it.each([
    [1, "1 števko"],
    [2, "2 števkama"],
    [3, "3 števkami"],
    [15, "15 števkami"],
    [102, "102 števkama"],
  ])("digits after 's … do' with %i", (n, text) => {
    expect(countOf(n, "digitsWith", "sl")).toBe(text);
  });

  it("a one-letter name is answered 'vsaj 2 znaka' and the phone rule with 'do 15 števkami'", async () => {
    const res = await submit({ ...validFields(), name: "A", phone: "12", _lang: "sl" });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { errors: { field: string; message: string }[] };
    expect(body.errors).toContainEqual(
      expect.objectContaining({ field: "name", message: "Vnesite vsaj 2 znaka." }),
    );
    expect(body.errors.find((e) => e.field === "phone")?.message).toContain("s 6 do 15 števkami");
  });
});
