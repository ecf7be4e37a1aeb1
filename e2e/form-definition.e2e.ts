import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type Stack } from "./stack.ts";
import { KOVINA_FORM as FORM } from "../tests/fixtures/kovina-form.ts";

const PORT = Number(process.env.E2E_FORM_DEF_PORT ?? 8801);
const COMPANY = `http://localhost:${PORT + 1}`;
let stack: Stack;
let company: Server;
let seq = 0;

beforeAll(async () => {
  // Given as `wrangler dev --var FORM:'{…}'`, the way docs/form.md shows it.
  stack = await startStack(PORT, { ALLOWED_ORIGINS: COMPANY, FORM: JSON.stringify(FORM) });
  company = createServer((req, res) => {
    const lang = req.url === "/kontakt" ? "sl" : "en";
    const worker = stack.dev.base;
    res.writeHead(200, {
      "content-type": "text/html; charset=utf-8",
      "content-security-policy": `default-src 'none'; script-src ${worker}; connect-src ${worker}; form-action ${worker}`,
    });
    res.end(companyPage(lang, worker));
  });
  await new Promise<void>((resolve) => company.listen(PORT + 1, "localhost", resolve));
});
afterAll(async () => {
  await new Promise((resolve) => company?.close(resolve));
  await stack?.stop();
});

/** The company's own page: its own markup for the fields of its form definition. */
function companyPage(lang: "sl" | "en", worker: string): string {
  const l = (sl: string, en: string) => (lang === "sl" ? sl : en);
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><title>Kontakt</title>
<script src="${worker}/embed.js" defer></script></head>
<body><main><h1>${l("Povpraševanje", "Inquiry")}</h1>
<form data-inquiry action="${worker}/inquiry" method="post" enctype="multipart/form-data">
<p><label for="n">${l("Ime", "Name")}</label> <input id="n" name="name"></p>
<p><label for="e">E-mail</label> <input id="e" name="email" type="email"></p>
<p><label for="s">${l("Storitev", "Service")}</label> <select id="s" name="service"><option value="laser">${l("Laserski razrez", "Laser cutting")}</option></select></p>
<p><label for="q">${l("Koliko kosov", "How many pieces")}</label> <input id="q" name="quantity"></p>
<p><label for="d">${l("Do kdaj", "By when")}</label> <input id="d" name="deadline"></p>
<p><label for="m">${l("Sporočilo", "Message")}</label> <textarea id="m" name="message"></textarea></p>
<button type="submit">${l("Pošlji", "Send")}</button>
</form></main></body></html>`;
}

async function open(url: string, lang: "sl" | "en", bypassCSP = false): Promise<Page> {
  const context = await stack.browser.newContext({
    bypassCSP,
    locale: lang === "sl" ? "sl-SI" : "en-GB",
  });
  const ip = `198.19.7.${++seq}`;
  await context.route(`${stack.dev.base}/inquiry`, (route) =>
    route.continue({ headers: { ...route.request().headers(), "cf-connecting-ip": ip } }),
  );
  const page = await context.newPage();
  await page.goto(url);
  return page;
}

describe("/embed.js on a company's own form with fields of its own", () => {
  it.each([
    ["sl", "Vnesite število v obsegu 1–10000.", "Vnesite datum v obliki LLLL-MM-DD"],
    ["en", "Please enter a number in the range 1–10000.", "Please enter a date as YYYY-MM-DD"],
  ] as const)(
    "shows each own field's error beside it, named by the page's label (%s)",
    async (lang, range, date) => {
      const page = await open(`${COMPANY}/${lang === "sl" ? "kontakt" : "contact"}`, lang);
      await page.waitForSelector("form[data-inquiry-ready]");
      await page.fill("#n", "Ana Novak");
      await page.fill("#e", `ana.def.${++seq}@primer.si`);
      await page.fill("#q", "0");
      await page.fill("#d", "31. 3. 2026");
      await page.fill("#m", "Ponudba, prosim.");
      await page.click("button[type=submit]");
      await page.waitForSelector(".inquiry-summary:not([hidden])");
      const summary = await page.textContent(".inquiry-summary");
      expect(summary).toContain(
        lang === "sl" ? `Koliko kosov: ${range}` : `How many pieces: ${range}`,
      );
      const q = await page.getAttribute("#q", "aria-describedby");
      expect(await page.textContent(`#${q}`)).toBe(range);
      expect(await page.getAttribute("#q", "aria-invalid")).toBe("true");
      const d = await page.getAttribute("#d", "aria-describedby");
      expect(await page.textContent(`#${d}`)).toContain(date);
      await page.context().close();
    },
  );

  it("sends a corrected form, mailed to the laser desk only", async () => {
    const page = await open(`${COMPANY}/contact`, "en");
    await page.waitForSelector("form[data-inquiry-ready]");
    const email = `ana.def.${++seq}@primer.si`;
    await page.fill("#n", "Ana Novak");
    await page.fill("#e", email);
    await page.fill("#q", "12,5");
    await page.fill("#d", "2026-03-31");
    await page.fill("#m", "Ponudba, prosim.");
    await page.click("button[type=submit]");
    await page.waitForFunction(
      () => !/…/.test(document.querySelector(".inquiry-status")?.textContent ?? "…"),
      undefined,
      { timeout: 30_000 },
    );
    expect(await page.textContent(".inquiry-summary")).toBe("");
    expect(await page.textContent(".inquiry-status")).toContain("Thank you");
    await expect
      .poll(() => stack.resend.fake.emails.length, { timeout: 10_000 })
      .toBeGreaterThan(0);
    const mail = stack.resend.fake.emails.find((m) => m.body.reply_to === email)!;
    expect(mail.body.to).toEqual(["Laser desk <laser@kovina.example>"]);
    expect(mail.body.text).toContain("Količina: 12.5");
    await page.context().close();
  });
});

describe("accessibility of the reference form with fields of its own: axe-core, WCAG 2.2 A and AA", () => {
  const WCAG_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"];
  const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

  async function violations(page: Page): Promise<string[]> {
    await page.addScriptTag({ content: AXE });
    return page.evaluate(async (tags) => {
      type Result = { violations: { id: string; nodes: { target: string[] }[] }[] };
      const axe = (window as unknown as { axe: { run: (...a: unknown[]) => Promise<Result> } }).axe;
      const result = await axe.run(document, { runOnly: { type: "tag", values: tags } });
      return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(" ")}`);
    }, WCAG_A_AA);
  }

  it.each(["sl", "en"] as const)(
    "finds no violation, fresh and after a refused post (%s)",
    async (lang) => {
      const page = await open(`${stack.dev.base}/?lang=${lang}`, lang, true);
      expect(await page.textContent("label[for=f-quantity]")).toBe(
        lang === "sl" ? "Količina *" : "Quantity *",
      );
      expect(await violations(page)).toEqual([]);
      await page.fill("#f-name", "A");
      await page.fill("#f-quantity", "nič");
      await Promise.all([
        page.waitForURL(/\/inquiry$/),
        page.evaluate(() => document.querySelector("form")!.submit()),
      ]);
      expect(await page.isVisible("#error-summary")).toBe(true);
      expect(await page.inputValue("#f-quantity")).toBe("nič");
      expect(await violations(page)).toEqual([]);
      await page.context().close();
    },
  );
});
