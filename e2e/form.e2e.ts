import { createHash } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeResend } from "../tests/fakes/resend.ts";
import { violations } from "./axe.ts";
import { startStack, type Stack } from "./stack.ts";

/** A company's own site on another origin, with its own form enhanced by /embed.js. */
const PORT = Number(process.env.E2E_PORT ?? 8793);
const COMPANY = `http://localhost:${PORT + 1}`;
let stack: Stack;
let company: Server;
let redirecting: Stack | null = null;
beforeAll(async () => {
  // These tests are about the form, not about spam: the filter is off, so no score
  // (too_fast beside a test's link, say) tags a mail a test reads.
  stack = await startStack(PORT, { ALLOWED_ORIGINS: COMPANY, SPAM_FILTER: "off" });
  company = createServer((req, res) => {
    if (req.url === "/favicon.ico") return void res.writeHead(404).end();
    if (req.url === "/hvala") return void res.writeHead(200).end("Hvala!");
    // /r/… pages use the second worker, the one with REDIRECT_URL set.
    const url = new URL(req.url ?? "/", COMPANY);
    const worker =
      url.pathname.startsWith("/r/") && redirecting ? redirecting.dev.base : stack.dev.base;
    const lang = url.pathname.endsWith("/kontakt") ? "sl" : "en";
    // REDIRECT_URL's origin (CSP3 form-action covers redirects): a no-JS post's 303 goes there.
    const redirectOrigin = url.pathname.startsWith("/r/") && !url.searchParams.has("old-csp");
    res.writeHead(200, {
      "content-type": "text/html; charset=utf-8",
      // The strictest CSP a company can keep: only the worker's origin for script and fetch.
      "content-security-policy": [
        "default-src 'none'",
        `script-src ${worker}`,
        `connect-src ${worker}`,
        `form-action ${worker}${redirectOrigin ? ` ${COMPANY}` : ""}`,
      ].join("; "),
    });
    if (url.pathname === "/wp") return void res.end(wordPressPage(worker));
    if (url.pathname === "/odd") return void res.end(oddNamesPage(worker));
    res.end(companyPage(lang, worker, `${COMPANY}${url.pathname}`));
  });
  await new Promise<void>((resolve) => company.listen(PORT + 1, "localhost", resolve));
  mkdirSync(".e2e/screenshots", { recursive: true });
});
afterAll(async () => {
  await new Promise((resolve) => company?.close(resolve));
  await stack?.stop();
});

/** Markup unlike the reference form: no phone or company, an extra field, a custom error box. */
function companyPage(lang: "sl" | "en", worker: string, self: string): string {
  const l = (sl: string, en: string) => (lang === "sl" ? sl : en);
  return `<!doctype html>
<html lang="${lang}-${lang === "sl" ? "SI" : "GB"}"><head><meta charset="utf-8"><title>Kontakt</title>
<script src="${worker}/embed.js" defer></script></head>
<body><main><h1>${l("Pišite nam", "Write to us")}</h1>
<form data-inquiry action="${worker}/inquiry" method="post" enctype="multipart/form-data">
<input type="hidden" name="_return" value="${self}">
<p><label for="n">${l("Ime", "Your name")} *</label> <input id="n" name="name"></p>
<p><label for="e">E-mail *</label> <input id="e" name="email" type="email"></p>
<div id="email-problem" data-inquiry-error="email"></div>
<p><label for="s">${l("Storitev", "Service")}</label> <select id="s" name="service"><option>Welding</option></select></p>
<p><label for="m">${l("Sporočilo", "Message")}</label> <textarea id="m" name="message"></textarea></p>
<p><label for="f">${l("Datoteka", "File")}</label> <input id="f" type="file" name="attachment"></p>
<p><label><input name="newsletter" type="checkbox" value="yes"> News</label></p>
<button type="submit">${l("Pošlji", "Send")}</button>
</form></main></body></html>`;
}

/**
 * A WordPress-style form: hidden controls named like the form's own members
 * (`action`, `reset`, `elements`, `method`, `submit`) and the service as radio
 * buttons in a fieldset. No `_return`: its error page knows only the origin.
 */
function wordPressPage(worker: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Contact</title>
<script src="${worker}/embed.js" defer></script></head>
<body><main><h1>Contact</h1>
<form data-inquiry action="${worker}/inquiry" method="post" enctype="multipart/form-data">
<input type="hidden" name="action" value="contact_form_submit">
<input type="hidden" name="reset" value="1">
<input type="hidden" name="elements" value="x">
<input type="hidden" name="method" value="x">
<input type="hidden" name="submit" value="x">
<p><label for="n">Your name *</label> <input id="n" name="name"></p>
<p><label for="e">E-mail *</label> <input id="e" name="email" type="email"></p>
<fieldset><legend>Which service?</legend>
<label><input type="radio" name="service" value="CNC machining"> CNC machining: Please choose…</label>
<label><input type="radio" name="service" value="Welding"> Welding</label>
</fieldset>
<p><label for="m">Message</label> <textarea id="m" name="message"></textarea></p>
<button type="submit">Send</button>
</form></main></body></html>`;
}

/** A form whose fields are not named as the worker expects (name, message). */
function oddNamesPage(worker: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Contact</title>
<script src="${worker}/embed.js" defer></script></head>
<body><main><h1>Contact</h1>
<form data-inquiry action="${worker}/inquiry" method="post">
<p><label for="n">Your name</label> <input id="n" name="your-name"></p>
<p><label for="e">E-mail</label> <input id="e" name="email" type="email"></p>
<p><label for="s">Service</label> <select id="s" name="service"><option>Welding</option></select></p>
<p><label for="m">Your message</label> <textarea id="m" name="your-message"></textarea></p>
<button type="submit">Send</button>
</form></main></body></html>`;
}

const PDF = Buffer.concat([
  Buffer.from("%PDF-1.7\n"),
  Buffer.alloc(200_000, 0x20),
  Buffer.from("\n%%EOF\n"),
]);
const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
let seq = 0;

async function openForm(javaScript: boolean, lang: "sl" | "en" = "sl") {
  const context = await stack.browser.newContext({
    javaScriptEnabled: javaScript,
    locale: lang === "sl" ? "sl-SI" : "en-GB",
    extraHTTPHeaders: { "cf-connecting-ip": `198.18.0.${++seq}` },
  });
  const page = await context.newPage();
  await page.goto(`${stack.dev.base}/?lang=${lang}`);
  return page;
}

async function fill(page: Page, overrides: Record<string, string> = {}) {
  const v = {
    name: "Ana Novak",
    email: `ana.${++seq}@primer.si`,
    phone: "+386 41 123 456",
    company: "Primer d.o.o.",
    message: "Prosimo za ponudbo za 200 kosov.\nRok: marec.",
    ...overrides,
  };
  await page.fill("#f-name", v.name);
  await page.fill("#f-email", v.email);
  await page.fill("#f-phone", v.phone);
  await page.fill("#f-company", v.company);
  await page.selectOption("#f-service", "Welding");
  await page.fill("#f-message", v.message);
  return v;
}

const shot = (page: Page, name: string) =>
  page.screenshot({ path: `.e2e/screenshots/${name}.png`, fullPage: true });

async function mailTo(email: string) {
  for (let i = 0; i < 50; i++) {
    const mail = stack.resend.fake.emails.find((e) => e.body.reply_to === email);
    if (mail) return mail;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no mail for ${email}`);
}

describe("without JavaScript", () => {
  it("posts the form with a file, lands on the thank-you page, and the mail carries the file", async () => {
    const page = await openForm(false);
    const v = await fill(page);
    await page.setInputFiles("#f-attachment", {
      name: "načrt.pdf",
      mimeType: "application/pdf",
      buffer: PDF,
    });
    await Promise.all([page.waitForURL(/\/thanks\?lang=sl$/), page.click("button[type=submit]")]);
    expect(await page.textContent("h1")).toBe("Hvala za povpraševanje");
    await shot(page, "nojs-thanks");
    const mail = await mailTo(v.email);
    expect(mail.body.subject).toBe("Povpraševanje: Welding – Ana Novak");
    expect(mail.body.attachments?.[0]?.filename).toBe("načrt.pdf");
    expect(sha256(FakeResend.attachmentBytes(mail))).toBe(sha256(PDF));
    await page.context().close();
  });

  it("answers a mistake with the form itself, everything typed kept, in Slovenian", async () => {
    const page = await openForm(false, "sl");
    const name = 'Ana "Čebelica" <Novak> & Co.';
    const message = "Ponudba za <200> kosov & več.\nRok: marec.";
    await fill(page, { name, email: "ni-naslov", message });
    await shot(page, "nojs-form-sl");
    await Promise.all([page.waitForURL(/\/inquiry$/), page.click("button[type=submit]")]);
    // The same form, filled in as it was sent, with the error beside its field.
    expect(await page.inputValue("#f-name")).toBe(name);
    expect(await page.inputValue("#f-email")).toBe("ni-naslov");
    expect(await page.inputValue("#f-message")).toBe(message);
    expect(await page.inputValue("#f-service")).toBe("Welding");
    expect(await page.getAttribute("#f-email", "aria-invalid")).toBe("true");
    expect(await page.textContent("#err-email")).toContain("Vnesite veljaven e-poštni naslov");
    // The summary has focus and links to the field.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("error-summary");
    expect(await page.textContent("#error-summary")).toContain(
      "E-pošta: Vnesite veljaven e-poštni naslov",
    );
    await shot(page, "nojs-422-sl");
    await page.click('#error-summary a[href="#f-email"]');
    const email = `ana.${++seq}@primer.si`;
    await page.fill("#f-email", email);
    await Promise.all([page.waitForURL(/\/thanks\?lang=sl$/), page.click("button[type=submit]")]);
    const mail = await mailTo(email);
    expect(mail.body.text).toContain(name);
    await page.context().close();
  });

  it("shows the phone rule beside the field in English", async () => {
    const page = await openForm(false, "en");
    await fill(page, { phone: "call me" });
    await Promise.all([page.waitForURL(/\/inquiry$/), page.click("button[type=submit]")]);
    expect(await page.title()).toBe("Error: Inquiry");
    expect(await page.textContent("#err-phone")).toContain(
      "Please enter a phone number with 6 to 15 digits",
    );
    expect(await page.inputValue("#f-phone")).toBe("call me");
    await shot(page, "nojs-422-en");
    await page.context().close();
  });
});

describe("with JavaScript", () => {
  it("shows errors beside their fields without leaving the page, then succeeds", async () => {
    const page = await openForm(true, "en");
    await fill(page, { email: "nope", name: "A" });
    const email = `ana.js.${++seq}@primer.si`;
    await page.click("button[type=submit]");
    await page.waitForSelector("#err-email:not([hidden])");
    expect(await page.textContent("#err-email")).toContain("Please enter a valid e-mail address");
    expect(await page.textContent("#err-name")).toBe("Please enter at least 2 characters.");
    expect(await page.getAttribute("#f-email", "aria-invalid")).toBe("true");
    expect(await page.isHidden("#err-message")).toBe(true);
    expect(new URL(page.url()).pathname).toBe("/");
    await shot(page, "js-inline-errors");

    await page.fill("#f-name", "Ana Novak");
    await page.fill("#f-email", email);
    await page.setInputFiles("#f-attachment", {
      name: "drawing.pdf",
      mimeType: "application/pdf",
      buffer: PDF,
    });
    await page.click("button[type=submit]");
    await page.waitForSelector("#form-status.success");
    expect(await page.textContent("#form-status")).toContain("Thank you for your inquiry");
    expect(await page.isHidden("#inquiry-form")).toBe(true);
    await shot(page, "js-success");
    const mail = await mailTo(email);
    expect(sha256(FakeResend.attachmentBytes(mail))).toBe(sha256(PDF));
    await page.context().close();
  });

  it("explains a file refused by its content", async () => {
    const page = await openForm(true, "sl");
    await fill(page);
    await page.setInputFiles("#f-attachment", {
      name: "ponudba.pdf",
      mimeType: "application/pdf",
      buffer: Buffer.from("MZ\x90\x00 not really a pdf"),
    });
    await page.click("button[type=submit]");
    await page.waitForSelector("#err-attachment:not([hidden])");
    expect(await page.textContent("#err-attachment")).toContain("Te vrste datoteke ne sprejemamo");
    await page.context().close();
  });
});

describe("with the keyboard only", () => {
  it("fills in and sends the reference form without a pointer", async () => {
    const page = await openForm(true, "en");
    const email = `ana.keys.${++seq}@primer.si`;
    // Tab order: the language link, then each field in reading order.
    const typeInto = async (id: string, text: string) => {
      await page.keyboard.press("Tab");
      expect(await page.evaluate(() => document.activeElement?.id)).toBe(id);
      if (text) await page.keyboard.type(text);
    };
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.getAttribute("hreflang"))).toBe("sl");
    await typeInto("f-name", "Ana Novak");
    await typeInto("f-email", "ana@primer");
    await typeInto("f-phone", "");
    await typeInto("f-company", "");
    await typeInto("f-service", "");
    await page.keyboard.press("ArrowDown");
    await typeInto("f-message", "Sent with the keyboard.");
    await typeInto("f-attachment", "");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe("BUTTON");
    await page.keyboard.press("Enter");
    // The mistake takes focus to its field; fix it and send again, still by keyboard.
    await page.waitForSelector("#err-email:not([hidden])");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("f-email");
    await page.keyboard.press("Control+A");
    await page.keyboard.type(email);
    await page.keyboard.press("Enter");
    await page.waitForSelector("#form-status.success");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("form-status");
    await mailTo(email);
    await page.context().close();
  });
});

describe("a company's own form with /embed.js", () => {
  async function openCompany(
    lang: "sl" | "en",
    javaScript = true,
    ip = `198.19.0.${++seq}`,
    path = lang === "sl" ? "/kontakt" : "/contact",
  ) {
    const context = await stack.browser.newContext({ javaScriptEnabled: javaScript });
    // The client address for the rate limiter, added below the page: as an extra
    // header of the page's own it would make every fetch a CORS preflight.
    await context.route(`${stack.dev.base}/inquiry`, (route) =>
      route.continue({ headers: { ...route.request().headers(), "cf-connecting-ip": ip } }),
    );
    const page = await context.newPage();
    const violations: string[] = [];
    page.on("console", (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
    });
    await page.goto(`${COMPANY}${path}`);
    if (javaScript) await page.waitForSelector("form[data-inquiry-ready]");
    return { page, violations };
  }

  async function fillCompany(page: Page, v: { name?: string; email?: string; message?: string }) {
    await page.fill("#n", v.name ?? "Ana Novak");
    await page.fill("#e", v.email ?? `ana.embed.${++seq}@primer.si`);
    await page.fill("#m", v.message ?? "Ponudba za <200> kosov & več, č.");
  }

  it.each([
    ["en", "Please enter at least 2 characters.", "Please enter a valid e-mail"],
    ["sl", "Vnesite vsaj 2 znaka.", "Vnesite veljaven e-poštni naslov"],
  ] as const)(
    "shows each error beside its field in the page's language (%s)",
    async (lang, short, bad) => {
      const { page, violations } = await openCompany(lang);
      // "ana@primer" passes the browser's own type=email check, not ours (a dot in the domain).
      await fillCompany(page, { name: "A", email: "ana@primer" });
      await page.click("button[type=submit]");
      await page.waitForSelector(".inquiry-summary:not([hidden])");
      // The summary is announced and has focus; it names each field by the page's own label.
      expect(await page.getAttribute(".inquiry-summary", "role")).toBe("alert");
      expect(await page.evaluate(() => document.activeElement?.className)).toBe("inquiry-summary");
      const summary = await page.textContent(".inquiry-summary");
      expect(summary).toContain(`E-mail: ${bad}`);
      // Beside the field: a box the script added, or the page's own data-inquiry-error box.
      const nameError = await page.getAttribute("#n", "aria-describedby");
      expect(await page.textContent(`#${nameError}`)).toBe(short);
      expect(await page.getAttribute("#n", "aria-invalid")).toBe("true");
      expect(await page.textContent("#email-problem")).toContain(bad);
      expect(await page.getAttribute("#e", "aria-describedby")).toBe("email-problem");
      // What was typed is still there.
      expect(await page.inputValue("#m")).toBe("Ponudba za <200> kosov & več, č.");
      expect(violations).toEqual([]);
      await shot(page, `embed-errors-${lang}`);
      await page.context().close();
    },
  );

  it("sends once, with the file, and announces the thank-you text", async () => {
    const { page, violations } = await openCompany("en");
    const email = `ana.embed.${++seq}@primer.si`;
    await fillCompany(page, { email });
    await page.setInputFiles("#f", { name: "plan.pdf", mimeType: "application/pdf", buffer: PDF });
    let posts = 0;
    page.on("request", (r) => {
      if (r.method() === "POST" && r.url().endsWith("/inquiry")) posts++;
    });
    await page.evaluate(() => {
      const form = document.querySelector("form")!;
      form.requestSubmit();
      form.requestSubmit(); // a double click
    });
    await page.waitForSelector(".inquiry-status:has-text('Thank you for your inquiry')");
    expect(await page.evaluate(() => document.activeElement?.className)).toBe("inquiry-status");
    expect(await page.inputValue("#m")).toBe("");
    const mail = await mailTo(email);
    expect(mail.body.attachments?.[0]?.filename).toBe("plan.pdf");
    expect(sha256(FakeResend.attachmentBytes(mail))).toBe(sha256(PDF));
    expect(posts).toBe(1);
    expect(violations).toEqual([]);
    await page.context().close();
  });

  it("explains a refused file beside the file field", async () => {
    const { page } = await openCompany("sl");
    await fillCompany(page, {});
    await page.setInputFiles("#f", {
      name: "ponudba.pdf",
      mimeType: "application/pdf",
      buffer: Buffer.from("MZ\x90\x00 not really a pdf"),
    });
    await page.click("button[type=submit]");
    await page.waitForSelector(".inquiry-summary:not([hidden])");
    const id = await page.getAttribute("#f", "aria-describedby");
    expect(await page.textContent(`#${id}`)).toContain("Te vrste datoteke ne sprejemamo");
    await page.context().close();
  });

  it("keeps what was typed when the network fails, and says so", async () => {
    const { page } = await openCompany("en");
    await page.route(`${stack.dev.base}/inquiry`, (route) => route.abort());
    await fillCompany(page, { name: "Ana Novak" });
    await page.click("button[type=submit]");
    await page.waitForSelector(".inquiry-summary:not([hidden])");
    expect(await page.textContent(".inquiry-summary")).toContain("could not confirm");
    expect(await page.inputValue("#n")).toBe("Ana Novak");
    expect(await page.inputValue("#m")).toBe("Ponudba za <200> kosov & več, č.");
    expect(await page.isEnabled("button[type=submit]")).toBe(true);
    await page.context().close();
  });

  it("shows the rate limit's message", async () => {
    const ip = `198.19.1.${++seq}`;
    const { page } = await openCompany("en", true, ip);
    for (let i = 0; i < 5; i++) {
      const res = await page.request.post(`${stack.dev.base}/inquiry`, {
        headers: { accept: "application/json", "cf-connecting-ip": ip },
        multipart: {
          name: "Ana Novak",
          email: `ana.limit.${++seq}@primer.si`,
          service: "Welding",
          message: "m",
        },
      });
      expect(res.status()).toBe(201);
    }
    await fillCompany(page, {});
    await page.click("button[type=submit]");
    await page.waitForSelector(".inquiry-summary:not([hidden])");
    expect(await page.textContent(".inquiry-summary")).toContain("Too many inquiries");
    await page.context().close();
  });

  it("still posts normally with scripts off", async () => {
    const { page } = await openCompany("en", false);
    const email = `ana.embed.${++seq}@primer.si`;
    await fillCompany(page, { email });
    await Promise.all([page.waitForURL(/\/thanks\?lang=/), page.click("button[type=submit]")]);
    expect(new URL(page.url()).origin).toBe(stack.dev.base);
    await mailTo(email);
    await page.context().close();
  });

  it("links back to the form's own page from the no-JS error page (its _return field)", async () => {
    const { page } = await openCompany("en", false);
    await fillCompany(page, { email: "ana@primer" });
    await Promise.all([page.waitForURL(/\/inquiry$/), page.click("button[type=submit]")]);
    const back = page.locator("a", { hasText: "Back to the form" });
    expect(await back.getAttribute("href")).toBe(`${COMPANY}/contact`);
    expect(await page.textContent("body")).toContain("return with your browser's Back button");
    await page.context().close();
  });

  it("without _return links only to the website, as Chromium's Referer names no page", async () => {
    const { page } = await openCompany("en", false, undefined, "/wp");
    await page.fill("#n", "Ana Novak");
    await page.fill("#e", "ana@primer");
    await Promise.all([page.waitForURL(/\/inquiry$/), page.click("button[type=submit]")]);
    const back = page.locator("a", { hasText: "Back to the website" });
    expect(await back.getAttribute("href")).toBe(`${COMPANY}/`);
    expect(await page.textContent("body")).not.toContain("Back to the form");
    expect(await page.textContent("body")).toContain("return with your browser's Back button");
    await page.context().close();
  });

  it("works on a form with controls named action, reset, elements, method and submit", async () => {
    const { page, violations } = await openCompany("en", true, undefined, "/wp");
    let posted = "";
    page.on("request", (r) => {
      if (r.method() === "POST") posted = r.url();
    });
    // First a mistake: no service chosen, and an address without a dot in its domain.
    await page.fill("#n", "Ana Novak");
    await page.fill("#e", "ana@primer");
    await page.fill("#m", "Ponudba, prosim.");
    await page.click("button[type=submit]");
    await page.waitForSelector(".inquiry-summary:not([hidden])");
    expect(posted).toBe(`${stack.dev.base}/inquiry`);
    const summary = await page.textContent(".inquiry-summary");
    // The radio group is named by its legend, not by its first button's label.
    expect(summary).toContain("Which service?: ");
    expect(summary).not.toContain("CNC machining:");
    expect(summary).toContain("E-mail: Please enter a valid e-mail");
    // The group's error sits in its fieldset and describes each button.
    const radios = page.locator("input[name=service]");
    const described = await radios.first().getAttribute("aria-describedby");
    expect(await radios.nth(1).getAttribute("aria-describedby")).toBe(described);
    expect(await radios.first().getAttribute("aria-invalid")).toBe("true");
    expect(await page.locator(`fieldset #${described}`).count()).toBe(1);

    // Then stored: the thank-you text, the form emptied by the form's own reset().
    const email = `ana.wp.${++seq}@primer.si`;
    await page.fill("#e", email);
    await page.check("input[value=Welding]");
    await page.click("button[type=submit]");
    await page.waitForSelector(".inquiry-status:has-text('Thank you for your inquiry')");
    expect(await page.textContent(".inquiry-summary")).toBe("");
    expect(await page.inputValue("#m")).toBe("");
    expect(await page.inputValue("input[name=action]")).toBe("contact_form_submit");
    expect(await radios.first().getAttribute("aria-invalid")).toBeNull();
    const mail = await mailTo(email);
    expect(mail.body.text).toContain("Welding");
    expect(violations).toEqual([]);
    await page.context().close();
  });

  it("names the fields the worker expected when the page names them otherwise", async () => {
    const { page } = await openCompany("en", true, undefined, "/odd");
    await page.fill("#n", "Ana Novak");
    await page.fill("#e", `ana.odd.${++seq}@primer.si`);
    await page.fill("#m", "Ponudba, prosim.");
    await page.click("button[type=submit]");
    await page.waitForSelector(".inquiry-summary:not([hidden])");
    const items = await page.locator(".inquiry-summary li").allTextContents();
    expect(items).toEqual([
      "Full name: This field is required.",
      "Message: This field is required.",
    ]);
    await page.context().close();
  });

  it("gives up on a worker that never answers after 30 s, keeping what was typed", async () => {
    const context = await stack.browser.newContext();
    const page = await context.newPage();
    await page.clock.install();
    // The post reaches nobody and is never answered.
    await page.route(`${stack.dev.base}/inquiry`, () => {});
    await page.goto(`${COMPANY}/contact`);
    await page.waitForSelector("form[data-inquiry-ready]");
    await fillCompany(page, { name: "Ana Novak" });
    await page.click("button[type=submit]");
    await page.waitForSelector(".inquiry-status:has-text('Sending')");
    await page.clock.runFor(29_000);
    expect(await page.isDisabled("button[type=submit]")).toBe(true);
    await page.clock.runFor(1_500);
    await page.waitForSelector(".inquiry-summary:not([hidden])");
    expect(await page.textContent(".inquiry-summary")).toBe(
      "We could not confirm that your inquiry arrived: the connection broke off. What you typed is kept; sending again is safe, it will not arrive twice.",
    );
    expect(await page.inputValue("#n")).toBe("Ana Novak");
    expect(await page.inputValue("#m")).toBe("Ponudba za <200> kosov & več, č.");
    expect(await page.isEnabled("button[type=submit]")).toBe(true);
    await context.close();
  });
});

describe("the mail catcher of `npm run dev`", () => {
  it("shows the mail as the staff would see it, sandboxed, with the file to download", async () => {
    const page = await openForm(false, "en");
    const v = await fill(page, {
      name: "Mailbox <b>Test</b>",
      message: "Look in the mailbox.\n<img src=x onerror=alert(1)><script>alert(2)</script>",
    });
    await page.setInputFiles("#f-attachment", {
      name: "part.pdf",
      mimeType: "application/pdf",
      buffer: PDF,
    });
    await Promise.all([page.waitForURL(/\/thanks/), page.click("button[type=submit]")]);
    const mail = await mailTo(v.email);

    const context = await stack.browser.newContext({ acceptDownloads: true });
    const box = await context.newPage();
    const dialogs: string[] = [];
    box.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    const list = await box.goto(`${stack.resend.url}/`);
    expect(list!.headers()["content-security-policy"]).toContain("default-src 'none'");
    await box.click(`a[href="/messages/${mail.id}"]`);
    expect(await box.textContent("h1")).toBe("Povpraševanje: Welding – Mailbox <b>Test</b>");
    expect(await box.textContent(".headers")).toContain(v.email);

    // The HTML part: in an iframe sandboxed without scripts, under its own CSP sandbox.
    expect(await box.getAttribute("iframe", "sandbox")).toBe("");
    const part = await context.request.get(`${stack.resend.url}/messages/${mail.id}/html`);
    expect(part.headers()["content-security-policy"]).toMatch(/^sandbox; default-src 'none'/);
    const frame = box.frameLocator("iframe");
    expect(await frame.locator("body").innerText()).toContain("Look in the mailbox.");
    expect(await frame.locator("body").innerText()).toContain("<script>alert(2)</script>");
    expect(await box.textContent("pre")).toContain("Look in the mailbox.");
    await shot(box, "mailbox-message");
    expect(dialogs).toEqual([]);

    const [download] = await Promise.all([box.waitForEvent("download"), box.click("a[download]")]);
    expect(download.suggestedFilename()).toBe("part.pdf");
    expect(sha256(readFileSync((await download.path())!))).toBe(sha256(PDF));
    await context.close();
  });

  it("refuses sends when told to, and accepts them again", async () => {
    const box = await stack.browser.newPage();
    await box.goto(`${stack.resend.url}/`);
    await box.selectOption("select[name=mode]", "403");
    await Promise.all([box.waitForURL(`${stack.resend.url}/`), box.click("button[type=submit]")]);
    expect(await box.textContent(".control")).toContain("refused with 403");
    expect(stack.resend.fake.refusing).toBe(403);
    const before = stack.resend.fake.emails.length;
    const refused = await fetch(`${stack.resend.url}/emails`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${stack.resend.fake.apiKey}`,
        "content-type": "application/json",
      },
      body: JSON.stringify({ from: "a@b.si", to: "c@d.si", subject: "s", text: "t" }),
    });
    expect(refused.status).toBe(403);
    expect(stack.resend.fake.emails.length).toBe(before);
    await box.reload();
    expect(await box.textContent(".calls tbody tr")).toMatch(/403\s*validation_error/);
    await shot(box, "mailbox-refusing");

    await box.selectOption("select[name=mode]", "accept");
    await Promise.all([box.waitForURL(`${stack.resend.url}/`), box.click("button[type=submit]")]);
    expect(stack.resend.fake.refusing).toBeNull();
    // A page on another origin cannot flip the switch.
    const cross = await fetch(`${stack.resend.url}/_control`, {
      method: "POST",
      headers: {
        origin: "http://evil.example",
        "content-type": "application/x-www-form-urlencoded",
      },
      body: "mode=500",
    });
    expect(cross.status).toBe(403);
    expect(stack.resend.fake.refusing).toBeNull();
    await box.close();
  });
});

describe("accessibility: axe-core, WCAG 2.2 A and AA", () => {
  /**
   * axe needs scripts, so pages meant for browsers without them are reached by
   * `form.submit()`, which posts natively without the submit event our scripts
   * listen for: the answer is the one a no-JavaScript browser gets.
   */
  async function open(url: string, lang: "sl" | "en") {
    const context = await stack.browser.newContext({
      bypassCSP: true,
      locale: lang === "sl" ? "sl-SI" : "en-GB",
    });
    const ip = `198.19.2.${++seq}`;
    await context.route(`${stack.dev.base}/inquiry`, (route) =>
      route.continue({ headers: { ...route.request().headers(), "cf-connecting-ip": ip } }),
    );
    const page = await context.newPage();
    await page.goto(url);
    return page;
  }
  const postNatively = (page: Page) =>
    Promise.all([
      page.waitForURL(/\/inquiry$/),
      page.evaluate(() => document.querySelector("form")!.submit()),
    ]);

  it.each(["sl", "en"] as const)(
    "the reference form, its 422 re-render and the thank-you page (%s)",
    async (lang) => {
      const page = await open(`${stack.dev.base}/?lang=${lang}`, lang);
      expect(await violations(page)).toEqual([]);
      await fill(page, { email: "ni-naslov", name: "A" });
      await postNatively(page);
      expect(await page.isVisible("#error-summary")).toBe(true);
      expect(await violations(page)).toEqual([]);
      await page.goto(`${stack.dev.base}/thanks?lang=${lang}`);
      expect(await violations(page)).toEqual([]);
      await page.context().close();
    },
  );

  it.each(["sl", "en"] as const)(
    "the error page a company's form gets without scripts (%s)",
    async (lang) => {
      const page = await open(`${COMPANY}/${lang === "sl" ? "kontakt" : "contact"}`, lang);
      await page.fill("#n", "Ana Novak");
      await page.fill("#e", "ana@primer");
      await page.fill("#m", "m");
      await postNatively(page);
      expect(await page.textContent("h1")).toBe(
        lang === "sl"
          ? "Povpraševanja ni bilo mogoče sprejeti"
          : "The inquiry could not be accepted",
      );
      expect(await violations(page)).toEqual([]);
      await page.context().close();
    },
  );

  it.each(["sl", "en"] as const)(
    "a company's form enhanced by embed.js, with its errors shown (%s)",
    async (lang) => {
      const page = await open(`${COMPANY}/${lang === "sl" ? "kontakt" : "contact"}`, lang);
      await page.waitForSelector("form[data-inquiry-ready]");
      await page.fill("#n", "A");
      await page.fill("#e", "ana@primer");
      await page.fill("#m", "m");
      await page.click("button[type=submit]");
      await page.waitForSelector(".inquiry-summary:not([hidden])");
      expect(await violations(page)).toEqual([]);
      await page.context().close();
    },
  );

  it("a WordPress-style form with a radio group, its errors shown by embed.js", async () => {
    const page = await open(`${COMPANY}/wp`, "en");
    await page.waitForSelector("form[data-inquiry-ready]");
    await page.fill("#n", "A");
    await page.fill("#e", "ana@primer");
    await page.click("button[type=submit]");
    await page.waitForSelector("fieldset .inquiry-error:not([hidden])");
    expect(await violations(page)).toEqual([]);
    await page.context().close();
  });
});

describe("embed.js with REDIRECT_URL set", () => {
  beforeAll(async () => {
    redirecting = await startStack(PORT + 2, {
      ALLOWED_ORIGINS: COMPANY,
      REDIRECT_URL: `${COMPANY}/hvala`,
      SPAM_FILTER: "off",
    });
  });
  afterAll(async () => {
    await redirecting?.stop();
    redirecting = null;
  });

  it("goes to REDIRECT_URL once the inquiry is stored", async () => {
    const context = await redirecting!.browser.newContext();
    const page = await context.newPage();
    await page.goto(`${COMPANY}/r/contact`);
    await page.waitForSelector("form[data-inquiry-ready]");
    const email = `ana.redirect.${++seq}@primer.si`;
    await page.fill("#n", "Ana Novak");
    await page.fill("#e", email);
    await page.fill("#m", "m");
    await Promise.all([page.waitForURL(`${COMPANY}/hvala`), page.click("button[type=submit]")]);
    expect(await page.textContent("body")).toBe("Hvala!");
    for (
      let i = 0;
      i < 50 && !redirecting!.resend.fake.emails.some((e) => e.body.reply_to === email);
      i++
    )
      await new Promise((r) => setTimeout(r, 100));
    expect(redirecting!.resend.fake.emails.some((e) => e.body.reply_to === email)).toBe(true);
    await context.close();
  });

  it("without scripts the 303 reaches REDIRECT_URL when form-action allows its origin", async () => {
    const context = await redirecting!.browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${COMPANY}/r/contact`);
    await page.fill("#n", "Ana Novak");
    await page.fill("#e", `ana.redirect.${++seq}@primer.si`);
    await page.fill("#m", "m");
    await Promise.all([page.waitForURL(`${COMPANY}/hvala`), page.click("button[type=submit]")]);
    await context.close();
  });

  it("without REDIRECT_URL's origin in form-action Chromium blocks that 303 silently", async () => {
    const context = await redirecting!.browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    const refused = new Promise<string>((resolve) =>
      page.on("console", (m) => {
        if (/form-action/.test(m.text())) resolve(m.text());
      }),
    );
    await page.goto(`${COMPANY}/r/contact?old-csp`);
    await page.fill("#n", "Ana Novak");
    await page.fill("#e", `ana.redirect.${++seq}@primer.si`);
    await page.fill("#m", "m");
    await page.click("button[type=submit]");
    expect(await refused).toContain("form-action");
    // The visitor still sees the filled form, with no word of what happened.
    expect(page.url()).toBe(`${COMPANY}/r/contact?old-csp`);
    await context.close();
  });
});
