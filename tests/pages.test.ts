import { describe, expect, it } from "vitest";
import { call } from "./helpers.ts";

const get = (path: string, headers: Record<string, string> = {}, vars = {}) =>
  call(new Request(`https://forms.example.com${path}`, { headers }), vars);

describe("GET / the reference form", () => {
  it("is a working no-JavaScript form in Slovenian by default", async () => {
    const res = await get("/");
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('<html lang="sl">');
    const form = /<form[^>]*>/.exec(page)?.[0] ?? "";
    expect(form).toMatch(/method="post"/);
    expect(form).toMatch(/action="\/inquiry"/);
    expect(form).toMatch(/enctype="multipart\/form-data"/);
    for (const name of [
      "name",
      "email",
      "phone",
      "company",
      "service",
      "message",
      "attachment",
      "_gotcha",
    ]) {
      expect(page).toContain(`name="${name}"`);
    }
    expect(page).toContain('<label for="f-email">E-pošta *</label>');
    expect(page).toMatch(/<input type="hidden" name="_lang" value="sl"\s*\/?>/);
    expect(page).toContain("<option>CNC machining</option>");
    expect(page).toContain('<script src="/assets/form.js" defer></script>');
  });

  it("speaks English when asked, by link or by browser", async () => {
    for (const res of [
      await get("/?lang=en"),
      await get("/", { "accept-language": "en-US,en;q=0.9" }),
    ]) {
      const page = await res.text();
      expect(page).toContain('<html lang="en">');
      expect(page).toContain('<label for="f-email">E-mail *</label>');
      expect(page).toContain('href="/?lang=sl"');
    }
  });

  it("lists the configured services, escaped", async () => {
    const page = await (await get("/", {}, { SERVICES: "Laser <cutting>,3D print" })).text();
    expect(page).toContain("<option>Laser &lt;cutting&gt;</option>");
    expect(page).toContain("<option>3D print</option>");
  });

  it("is sent with a strict CSP, nosniff and no framing", async () => {
    const res = await get("/");
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe-inline");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    const script = await get("/assets/form.js");
    expect(script.headers.get("content-type")).toContain("text/javascript");
    expect(await script.text()).toContain('headers: { Accept: "application/json" }');
  });

  it("lets the form redirect to REDIRECT_URL's origin and load Turnstile when configured", async () => {
    const plain = (await get("/")).headers.get("content-security-policy") ?? "";
    expect(plain).toContain("form-action 'self';");
    expect(plain).not.toContain("challenges.cloudflare.com");
    const vars = {
      REDIRECT_URL: "https://www.example.com/hvala?x=1",
      TURNSTILE_SITE_KEY: "0x4AAA",
      TURNSTILE_SECRET_KEY: "1x0000000000000000000000000000000AA",
    };
    const res = await get("/", {}, vars);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("form-action 'self' https://www.example.com;");
    expect(csp).toContain("script-src 'self' https://challenges.cloudflare.com");
    expect(await res.text()).toContain('data-sitekey="0x4AAA"');
  });

  it("answers unknown paths with 404 in the asked style", async () => {
    const json = await get("/nope", { accept: "application/json", "accept-language": "en" });
    expect(json.status).toBe(404);
    expect(await json.json()).toEqual({ ok: false, code: "not_found", message: "Not found." });
    const html = await get("/nope", { accept: "text/html" });
    expect(html.status).toBe(404);
    expect(html.headers.get("content-type")).toContain("text/html");
  });

  it("has no outbox pages unless the local outbox is on", async () => {
    expect((await get("/outbox")).status).toBe(404);
  });
});
