// A company page whose origin the developer forgot to put in ALLOWED_ORIGINS,
// in Chromium against `wrangler dev`: the visitor is told the truth (not
// "check your connection"), the browser console names the setting and the
// origin to add, and nothing is mailed.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type Stack } from "./stack.ts";

let stack: Stack;
let company: Server;
let companyOrigin: string;

/** A port nothing listens on now, from the system. */
function freePort(): Promise<number> {
  return new Promise((done) => {
    const probe = createServer();
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => done(port));
    });
  });
}

beforeAll(async () => {
  // Another site is allowed; this company page is not.
  stack = await startStack(await freePort(), { ALLOWED_ORIGINS: "https://www.primer.si" });
  const worker = stack.dev.base;
  company = createServer((req, res) => {
    if (req.url === "/favicon.ico") return void res.writeHead(404).end();
    const lang = req.url === "/kontakt" ? "sl" : "en";
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(`<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><title>Contact</title>
<script src="${worker}/embed.js" defer></script></head>
<body><main><form data-inquiry action="${worker}/inquiry" method="post" enctype="multipart/form-data">
<p><label for="n">Name</label> <input id="n" name="name" value="Ana Novak"></p>
<p><label for="e">E-mail</label> <input id="e" name="email" type="email" value="ana.origin@primer.si"></p>
<p><label for="s">Service</label> <select id="s" name="service"><option>Welding</option></select></p>
<p><label for="m">Message</label> <textarea id="m" name="message">Ponudba, prosim.</textarea></p>
<button type="submit">Send</button></form></main></body></html>`);
  });
  await new Promise<void>((resolve) => company.listen(0, "localhost", resolve));
  companyOrigin = `http://localhost:${(company.address() as AddressInfo).port}`;
}, 300_000); // wrangler dev starts slowly on a busy machine
afterAll(async () => {
  await new Promise((resolve) => company?.close(resolve));
  await stack?.stop();
});

describe("a company page missing from ALLOWED_ORIGINS", () => {
  it.each([
    ["/contact", "not yet connected to our inquiry service"],
    ["/kontakt", "še ni povezan s sprejemom povpraševanj"],
  ])("%s: the visitor reads the true reason, the console names the setting", async (path, says) => {
    const page = await stack.browser.newPage();
    const console: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") console.push(m.text());
    });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${companyOrigin}${path}`);
    await page.waitForSelector("form[data-inquiry-ready]");
    await page.click("button[type=submit]");
    await page.waitForSelector(".inquiry-summary:not([hidden])");

    const summary = (await page.textContent(".inquiry-summary")) ?? "";
    expect(summary).toContain(says);
    expect(summary).not.toMatch(/connection|povezav[ae] ni uspela/i);
    // What was typed stays.
    expect(await page.inputValue("#m")).toBe("Ponudba, prosim.");

    const named = console.filter((l) => l.includes("ALLOWED_ORIGINS"));
    expect(named).toHaveLength(1);
    expect(named[0]).toContain(companyOrigin);
    expect(stack.resend.fake.emails).toHaveLength(0);
    expect(errors).toEqual([]);
    await page.close();
  });
});
