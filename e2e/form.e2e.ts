import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeResend } from "../tests/fakes/resend.ts";
import { startStack, type Stack } from "./stack.ts";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack(8793);
  mkdirSync(".e2e/screenshots", { recursive: true });
});
afterAll(async () => {
  await stack?.stop();
});

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

  it("shows the 422 page in Slovenian", async () => {
    const page = await openForm(false, "sl");
    await fill(page, { email: "ni-naslov", message: " " });
    await Promise.all([page.waitForURL(/\/inquiry$/), page.click("button[type=submit]")]);
    const text = await page.textContent("main");
    expect(text).toContain("Povpraševanja ni bilo mogoče sprejeti");
    expect(text).toContain("E-pošta: Vnesite veljaven e-poštni naslov");
    expect(text).toContain("Sporočilo: To polje je obvezno.");
    await shot(page, "nojs-422-sl");
    await page.click("text=Nazaj na obrazec");
    expect(new URL(page.url()).pathname).toBe("/");
    await page.context().close();
  });

  it("shows the 422 page in English", async () => {
    const page = await openForm(false, "en");
    await fill(page, { phone: "call me" });
    await Promise.all([page.waitForURL(/\/inquiry$/), page.click("button[type=submit]")]);
    const text = await page.textContent("main");
    expect(text).toContain("The inquiry could not be accepted");
    expect(text).toContain("Phone: Please enter a phone number with 6 to 15 digits");
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
