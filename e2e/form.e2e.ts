import { createHash } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
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

  it("answers a mistake with the form itself, everything typed kept, in Slovenian", async () => {
    const page = await openForm(false, "sl");
    const name = 'Ana "Čebelica" <Novak> & Co.';
    const message = "Ponudba za <200> kosov & več.\nRok: marec.";
    await fill(page, { name, email: "ni-naslov", message });
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
