import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeResend } from "../tests/fakes/resend.ts";
import { startStack, type Stack } from "./stack.ts";

/**
 * /embed.js on a slow uplink: an upload that keeps moving is never cut by the
 * script's timeout, what the visitor is told is true, and a retry after a
 * broken-off answer never makes a second inquiry (the form's `_submission` key).
 */
const PORT = Number(process.env.E2E_SLOW_PORT ?? 8811);
const COMPANY = `http://localhost:${PORT + 1}`;
let stack: Stack;
let company: Server;

beforeAll(async () => {
  stack = await startStack(PORT, { ALLOWED_ORIGINS: COMPANY });
  company = createServer((req, res) => {
    if (req.url === "/favicon.ico") return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    // A Java or PHP system writes its locale with an underscore.
    res.end(`<!doctype html>
<html lang="en_US"><head><meta charset="utf-8"><title>Contact</title>
<script src="${stack.dev.base}/embed.js" defer></script></head>
<body><main><h1>Write to us</h1>
<form data-inquiry action="${stack.dev.base}/inquiry" method="post" enctype="multipart/form-data">
<p><label for="n">Your name *</label> <input id="n" name="name"></p>
<p><label for="e">E-mail *</label> <input id="e" name="email" type="email"></p>
<p><label for="s">Service</label> <select id="s" name="service"><option>Welding</option></select></p>
<p><label for="m">Message</label> <textarea id="m" name="message"></textarea></p>
<p><label for="f">File</label> <input id="f" type="file" name="attachment"></p>
<button type="submit">Send</button>
</form></main></body></html>`);
  });
  await new Promise<void>((resolve) => company.listen(PORT + 1, "localhost", resolve));
});
afterAll(async () => {
  await new Promise((resolve) => company?.close(resolve));
  await stack?.stop();
});

/** A 1.5 MB PDF (its content is what the worker checks). */
const PDF = Buffer.concat([
  Buffer.from("%PDF-1.7\n"),
  Buffer.alloc(1_500_000, 0x20),
  Buffer.from("\n%%EOF\n"),
]);
const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
let seq = 0;

async function open(): Promise<Page> {
  const context = await stack.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${COMPANY}/contact`);
  await page.waitForSelector("form[data-inquiry-ready]");
  return page;
}

async function fill(page: Page, email: string) {
  await page.fill("#n", "Ana Novak");
  await page.fill("#e", email);
  await page.fill("#m", "Offer for 200 pieces, drawing attached.");
  await page.setInputFiles("#f", { name: "plan.pdf", mimeType: "application/pdf", buffer: PDF });
}

const mailsTo = (email: string) =>
  stack.resend.fake.emails.filter((e) => e.body.reply_to === email);

async function waitForMail(email: string) {
  for (let i = 0; i < 100; i++) {
    if (mailsTo(email).length > 0) return mailsTo(email)[0]!;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no mail for ${email}`);
}

describe("/embed.js on a slow uplink", () => {
  it("a 1.5 MB upload at 40 KB/s (longer than the 30 s timeout) is stored and announced as sent", async () => {
    const page = await open();
    const email = `ana.slow.${++seq}@primer.si`;
    await fill(page, email);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency: 20,
      downloadThroughput: -1,
      uploadThroughput: 40 * 1024,
    });
    const started = Date.now();
    await page.click("button[type=submit]");
    await page.waitForSelector(".inquiry-status:has-text('Thank you for your inquiry')", {
      timeout: 110_000,
    });
    const took = Date.now() - started;
    // It really was slower than the fixed 30 s the script used to cut at.
    expect(took).toBeGreaterThan(30_000);
    const mail = await waitForMail(email);
    expect(sha256(FakeResend.attachmentBytes(mail))).toBe(sha256(PDF));
    expect(mailsTo(email)).toHaveLength(1);
    // `en_US` is English: the status text above is the English one.
    await page.context().close();
  }, 120_000);

  it("an answer lost after storing is announced as unconfirmed; the retry answers with the same inquiry", async () => {
    const page = await open();
    const email = `ana.lost.${++seq}@primer.si`;
    await fill(page, email);
    // The first post reaches the worker (it stores the inquiry), but its answer is lost.
    let first = true;
    const ids: string[] = [];
    await page.route(`${stack.dev.base}/inquiry`, async (route) => {
      if (route.request().method() !== "POST") return route.continue();
      // After a network error the script asks whether its origin was refused, by a post the
      // worker refuses unread (text/plain, 415): not a submission.
      if (route.request().headers()["content-type"]?.startsWith("text/plain"))
        return route.continue();
      if (first) {
        first = false;
        const res = await route.fetch();
        ids.push(((await res.json()) as { id: string }).id);
        return route.abort("connectionreset");
      }
      const res = await route.fetch();
      const body = (await res.json()) as { id: string };
      ids.push(body.id);
      return route.fulfill({ response: res, json: body });
    });
    await page.click("button[type=submit]");
    await page.waitForSelector(".inquiry-summary:not([hidden])");
    const said = await page.textContent(".inquiry-summary");
    // True: it may have arrived; and the retry is safe.
    expect(said).toContain("could not confirm");
    expect(said).toContain("will not arrive twice");
    expect(await page.inputValue("#n")).toBe("Ana Novak");
    await waitForMail(email);

    await page.click("button[type=submit]");
    await page.waitForSelector(".inquiry-status:has-text('Thank you for your inquiry')");
    expect(ids).toHaveLength(2);
    expect(ids[1]).toBe(ids[0]);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(mailsTo(email)).toHaveLength(1);
    await page.context().close();
  });

  it("a visitor whose post never reaches the worker is told it failed, and nothing is stored", async () => {
    const page = await open();
    const email = `ana.offline.${++seq}@primer.si`;
    await fill(page, email);
    await page.route(`${stack.dev.base}/inquiry`, (route) =>
      route.request().method() === "POST" ? route.abort("internetdisconnected") : route.continue(),
    );
    await page.click("button[type=submit]");
    await page.waitForSelector(".inquiry-summary:not([hidden])");
    expect(await page.textContent(".inquiry-summary")).toContain("could not confirm");
    await new Promise((r) => setTimeout(r, 1_000));
    expect(mailsTo(email)).toHaveLength(0);
    await page.context().close();
  });
});
