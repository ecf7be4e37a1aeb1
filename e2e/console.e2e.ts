// The operator console (GET /admin/) in Chromium against `wrangler dev`: sign-in by token and
// through Cloudflare Access (a signed test JWT against a JWKS this file serves on 127.0.0.1),
// a data-subject request from search to erasure, deliveries retried and released into the
// fake Resend, refusals counted by the attempt limit, axe-core on every screen in both languages.
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey as JoseKey } from "jose";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withoutDevVars, wrangler } from "../scripts/lib/dev-server.ts";
import { violations } from "./axe.ts";
import { startFakeResendServer, type FakeResendServer } from "./resend-server.ts";
import { CHROMIUM } from "./stack.ts";

const PORT = Number(process.env.E2E_CONSOLE_PORT ?? 8811);
const TEAM = `http://127.0.0.1:${PORT + 1}`;
const AUD = "4714c1358e65fe4b408ad6d432a5f878f08194bdb4752441fd56faefa9b2b6f2";
const API_KEY = "re_e2e_console_0123456789";
const TOKEN = "e2e-console-token-5c1d9e7a3b2f4d6e8a0c";
const PERSIST = `.e2e/state-${PORT}`;
const SHOTS = "docs/screenshots";

let dev: { base: string; stop: () => void };
let resend: FakeResendServer;
let browser: Browser;
let jwks: Server;
let signingKey: JoseKey;
let strangerKey: JoseKey;

beforeAll(async () => {
  // The team's key (published at /cdn-cgi/access/certs) and one nobody published.
  const team = await generateKeyPair("RS256", { extractable: true });
  signingKey = team.privateKey;
  strangerKey = (await generateKeyPair("RS256")).privateKey;
  const published = {
    keys: [{ ...(await exportJWK(team.publicKey)), kid: "team-1", alg: "RS256", use: "sig" }],
  };
  jwks = createServer((req, res) => {
    if (req.url !== "/cdn-cgi/access/certs") return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(published));
  });
  await new Promise<void>((done) => jwks.listen(PORT + 1, "127.0.0.1", done));

  resend = await startFakeResendServer(API_KEY);
  rmSync(PERSIST, { recursive: true, force: true });
  dev = await startWorker({
    RESEND_API_KEY: API_KEY,
    RESEND_BASE_URL: resend.url,
    ADMIN_TOKEN: TOKEN,
    ACCESS_TEAM_DOMAIN: TEAM,
    ACCESS_AUD: AUD,
    SPAM_FILTER: "quarantine",
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
  });
  mkdirSync(SHOTS, { recursive: true });
}, 300_000); // migrations and two workerd processes, on a machine shared with other runs
afterAll(async () => {
  await browser?.close();
  dev?.stop();
  await resend?.close();
  await new Promise((done) => jwks?.close(done));
});

/**
 * `wrangler dev` with its databases migrated, as startDev does, without looking for the
 * runtime's own port (this test needs only the proxy, and that probe times out on a busy machine).
 */
async function startWorker(vars: Record<string, string>) {
  for (const db of ["DB", "LOG_DB"]) {
    wrangler(["d1", "migrations", "apply", db, "--local", "--persist-to", PERSIST]);
  }
  const args = ["dev", "--port", String(PORT), "--persist-to", PERSIST, "--test-scheduled"];
  args.push(...withoutDevVars(PERSIST));
  for (const [k, v] of Object.entries(vars)) args.push("--var", `${k}:${v}`);
  const child = spawn("wrangler", args, { stdio: "ignore", detached: true });
  const base = `http://127.0.0.1:${PORT}`;
  const stop = () => {
    try {
      process.kill(-child.pid!, "SIGTERM");
    } catch {
      // already gone
    }
  };
  for (let i = 0; i < 480; i++) {
    try {
      const res = await fetch(`${base}/health`);
      if ((await res.text()).includes('"storage":"ok"')) return { base, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  stop();
  throw new Error("wrangler dev did not start");
}

/** An Access application token as Cloudflare signs it: RS256, team issuer, our AUD. */
function accessJwt(opts: { key?: JoseKey; aud?: string; expiresAt?: number } = {}) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ email: "office@primer.si", type: "app" })
    .setProtectedHeader({ alg: "RS256", kid: "team-1" })
    .setIssuer(TEAM)
    .setAudience([opts.aud ?? AUD])
    .setSubject("7335d417-61da-459d-899c-0a01c76a2f94")
    .setIssuedAt(now - 60)
    .setExpirationTime(opts.expiresAt ?? now + 3600)
    .sign(opts.key ?? signingKey);
}

let ipSeq = 0;
/** A fresh client network per use: the attempt limit counts per network. */
const freshIp = () => `198.51.100.${++ipSeq}`;

let seq = 0;
async function submit(
  email: string,
  opts: { file?: boolean; spam?: boolean } = {},
): Promise<string> {
  const form = new FormData();
  form.set("name", opts.spam ? `Mike Spammer ${++seq}` : "Ana Novak");
  form.set("email", email);
  form.set("phone", "+386 41 123 456");
  form.set("company", "Primer d.o.o.");
  form.set("service", "Welding");
  form.set(
    "message",
    opts.spam
      ? // Link markup is strong evidence: quarantined, where SEO words alone only tag.
        `Hi there, I checked your site: your SEO and backlinks need work, <a href="https://bit.ly/x${++seq}">better ranking here</a>`
      : `Prosimo za ponudbo št. ${++seq}, 200 kosov.`,
  );
  if (opts.file) {
    const pdf = `%PDF-1.7\n${" ".repeat(3000)}\n%%EOF\n`;
    form.set("attachment", new File([pdf], "načrt.pdf", { type: "application/pdf" }));
  }
  const res = await fetch(`${dev.base}/inquiry`, {
    method: "POST",
    headers: { accept: "application/json", "cf-connecting-ip": `203.0.113.${++seq % 250}` },
    body: form,
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

/** The operator API as `npm run admin` calls it, to compare with what the page shows. */
async function adminApi(method: string, path: string, body?: unknown) {
  const res = await fetch(`${dev.base}/admin${path}`, {
    method,
    headers: {
      authorization: `Bearer ${TOKEN}`,
      accept: "application/json",
      "cf-connecting-ip": "192.0.2.200",
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 150; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Every URL the page requested, to prove no address ever travels in one. */
interface Opened {
  context: BrowserContext;
  page: Page;
  urls: string[];
  authHeaders: (string | undefined)[];
  /** What the browser's CSP refused on the page: must stay empty. */
  refused: string[];
}
async function openConsole(
  lang: "sl" | "en",
  opts: { jwt?: string; ip?: string; phone?: boolean } = {},
): Promise<Opened> {
  const context = await browser.newContext({
    acceptDownloads: true,
    locale: lang === "sl" ? "sl-SI" : "en-GB",
    ...(opts.phone
      ? { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }
      : {}),
    extraHTTPHeaders: {
      "cf-connecting-ip": opts.ip ?? freshIp(),
      ...(opts.jwt ? { "cf-access-jwt-assertion": opts.jwt } : {}),
    },
  });
  const page = await context.newPage();
  const urls: string[] = [];
  const authHeaders: (string | undefined)[] = [];
  const refused: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) refused.push(m.text());
  });
  page.on("request", (r) => {
    urls.push(r.url());
    if (new URL(r.url()).pathname.startsWith("/admin/"))
      authHeaders.push(r.headers().authorization);
  });
  const res = await page.goto(`${dev.base}/admin/?lang=${lang}`);
  expect(res?.status()).toBe(200);
  return { context, page, urls, authHeaders, refused };
}

async function signIn(page: Page, token = TOKEN) {
  await page.fill("#token", token);
  await page.click("#sign-in-form button[type=submit]");
}

/** Presses Tab (Shift+Tab with `back`) until `selector` has the focus: the keyboard alone. */
async function tabTo(page: Page, selector: string, back = false) {
  for (let i = 0; i < 80; i++) {
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    await page.keyboard.press(back ? "Shift+Tab" : "Tab");
  }
  throw new Error(`Tab never reached ${selector}`);
}

const statusText = (page: Page) => page.textContent("#status");
const alertText = (page: Page) => page.textContent("#alert");

function r2Has(id: string): boolean {
  try {
    execFileSync(
      "wrangler",
      [
        "r2",
        "object",
        "get",
        `edge-inquiry-attachments/attachments/${id}`,
        "--local",
        "--persist-to",
        PERSIST,
        "--pipe",
      ],
      { stdio: "pipe", env: { ...process.env, CI: "true" } },
    );
    return true;
  } catch {
    return false;
  }
}
function d1Count(id: string): number {
  const out = execFileSync(
    "wrangler",
    [
      "d1",
      "execute",
      "DB",
      "--local",
      "--persist-to",
      PERSIST,
      "--json",
      "--command",
      `SELECT count(*) AS n FROM inquiries WHERE id = '${id}'`,
    ],
    { encoding: "utf8", env: { ...process.env, CI: "true" } },
  );
  return (JSON.parse(out) as { results: { n: number }[] }[])[0]!.results[0]!.n;
}

const PERSON = "ana.konzola@primer.si";
const personIds: string[] = [];

describe("the console with the token", () => {
  it("is only a page for browsers, and its own files obey the strict CSP", async () => {
    const res = await fetch(`${dev.base}/admin/`, { headers: { accept: "text/html" } });
    expect(res.status).toBe(200);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(res.headers.get("cache-control")).toBe("no-store");
    const html = await res.text();
    expect(html).not.toMatch(/<script>|<style|style="/);
    // Without Accept: text/html it is the API: a token is needed.
    const api = await fetch(`${dev.base}/admin/`, { headers: { accept: "application/json" } });
    expect(api.status).toBe(401);
  });

  it("refuses a wrong token, says so, and keeps it out of the tab's storage", async () => {
    const { page, context } = await openConsole("en");
    expect(await violations(page)).toEqual([]);
    await page.screenshot({ path: `${SHOTS}/console-sign-in.png`, fullPage: true });
    await signIn(page, "not-the-token-but-long-enough-0123456789");
    await page.waitForFunction(() => document.getElementById("alert")!.textContent !== "");
    expect(await alertText(page)).toContain("That token is not right");
    expect(await page.isVisible("#app")).toBe(false);
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    expect(await page.getAttribute("#token", "aria-invalid")).toBe("true");
    expect(await context.cookies()).toEqual([]);
    await context.close();
  });

  it("signs in, shows health with what to do, and retries a failed delivery into the fake Resend", async () => {
    resend.fake.refuseAll(403);
    const failed = await submit("marko.retry@primer.si");
    personIds.push(await submit(PERSON, { file: true }), await submit(PERSON));
    await until(() => resend.fake.requests.length >= 3, "three refused sends");
    resend.fake.stopFailing();

    const { page, context, urls, authHeaders, refused } = await openConsole("en");
    await signIn(page);
    await page.waitForSelector("#app:not([hidden])");
    expect(await page.evaluate((k) => sessionStorage.getItem(k), "inquiry-admin-token")).toBe(
      TOKEN,
    );
    await page.waitForSelector("#health-body .problems");
    expect(await page.textContent("#health-body")).toContain("Mail could not be sent");
    await page.waitForSelector(`#d-list li[data-id="${failed}"]`);
    const card = page.locator(`#d-list li[data-id="${failed}"]`);
    expect(await card.textContent()).toContain("403");
    expect(await violations(page)).toEqual([]);
    await page.screenshot({ path: `${SHOTS}/console-overview.png`, fullPage: true });

    await card.getByRole("button", { name: "Send again" }).click();
    await until(async () => (await statusText(page))!.includes(failed), "the retry's announcement");
    expect(await page.locator(`#d-list li[data-id="${failed}"]`).count()).toBe(0);
    expect((await adminApi("GET", `/inquiries/${failed}`)).body).toMatchObject({
      inquiry: { delivery: { status: "pending" } },
    });
    expect((await fetch(`${dev.base}/__scheduled?cron=*/5+*+*+*+*`)).status).toBe(200);
    await until(
      () => resend.fake.emails.some((e) => e.idempotencyKey === `inquiry-${failed}-r1`),
      "the retried mail",
    );
    // Every call carried the token as a bearer header, none in a URL.
    expect(authHeaders.filter((h) => h !== undefined).every((h) => h === `Bearer ${TOKEN}`)).toBe(
      true,
    );
    for (const u of urls) expect(u).not.toContain(TOKEN);
    expect(refused).toEqual([]);
    await context.close();
  });

  it("releases a quarantined inquiry, whose mail then reaches the fake Resend", async () => {
    const spam = await submit("mike.spam@primer.si", { spam: true });
    expect((await adminApi("GET", `/inquiries/${spam}`)).body).toMatchObject({
      inquiry: { delivery: { status: "quarantined" } },
    });
    const { page, context } = await openConsole("sl");
    await signIn(page);
    await page.waitForSelector("#app:not([hidden])");
    await page.selectOption("#d-status", "quarantined");
    await page.click("#deliveries-form button[type=submit]");
    const card = page.locator(`#d-list li[data-id="${spam}"]`);
    await card.waitFor();
    expect(await card.textContent()).toContain("seo_terms");
    expect(await violations(page)).toEqual([]);
    await card.getByRole("button", { name: "Sprosti in pošlji" }).click();
    await until(async () => (await statusText(page))!.includes(spam), "the release's announcement");
    expect((await fetch(`${dev.base}/__scheduled?cron=*/5+*+*+*+*`)).status).toBe(200);
    await until(
      () =>
        resend.fake.emails.some((e) => e.idempotencyKey?.startsWith(`inquiry-${spam}-`) ?? false),
      "the released mail",
    );
    await context.close();
  });

  it("answers a person's request: find, export, rectify, hold, release, erase; no address in any URL", async () => {
    for (const lang of ["en", "sl"] as const) {
      const { page, context, urls } = await openConsole(lang);
      await signIn(page);
      await page.waitForSelector("#app:not([hidden])");
      await page.fill("#p-email", PERSON.toUpperCase());
      await page.click("#person-form button[type=submit]");
      await page.waitForSelector("#p-result article");
      expect(await page.locator("#p-result article").count()).toBe(2);
      expect(await page.textContent("#p-result")).toContain("načrt.pdf");
      expect(await violations(page)).toEqual([]);
      if (lang === "en")
        await page.locator("#person").screenshot({ path: `${SHOTS}/console-person.png` });

      // The rectification form, with a refusal shown beside its field.
      const first = page.locator("#p-result article").first();
      await first.locator("[data-action=rectify]").click();
      await first.locator("input[name=email]").fill("ni-naslov");
      await first.locator("form.rectify button[type=submit]").click();
      await first.locator(".field-error:not([hidden])").waitFor();
      expect(await first.locator("input[name=email]").getAttribute("aria-invalid")).toBe("true");
      expect(await violations(page)).toEqual([]);

      // The erasure's confirmation, cancelled.
      await page.click("#p-erase");
      await page.waitForSelector("#p-confirm:not([hidden])");
      expect(await violations(page)).toEqual([]);
      await page.click("#p-erase-no");
      for (const u of urls) {
        expect(u.toLowerCase()).not.toContain("@");
        expect(u.toLowerCase()).not.toContain("%40");
      }
      await context.close();
    }

    const { page, context, urls } = await openConsole("en");
    await signIn(page);
    await page.waitForSelector("#app:not([hidden])");
    await page.fill("#p-email", PERSON);
    await page.click("#person-form button[type=submit]");
    await page.waitForSelector("#p-result article");

    // Export: the downloaded file holds what the API answers, nothing less.
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#p-export")]);
    expect(download.suggestedFilename()).toMatch(/^inquiries-export-\d{4}-\d{2}-\d{2}\.json$/);
    const exported = JSON.parse(readFileSync((await download.path())!, "utf8")) as {
      inquiries: unknown[];
    };
    const api = await adminApi("POST", "/inquiries/search", { email: PERSON });
    expect(exported.inquiries).toEqual(api.body.inquiries);

    // Rectify the first one's name.
    const id = await page.locator("#p-result article").first().getAttribute("data-id");
    const card = () => page.locator(`#p-result article[data-id="${id}"]`);
    await card().locator("[data-action=rectify]").click();
    await card().locator("input[name=name]").fill("Ana Kovač");
    await card().locator("form.rectify button[type=submit]").click();
    await until(async () => (await statusText(page)) === "The correction is saved.", "rectified");
    expect((await adminApi("GET", `/inquiries/${id}`)).body).toMatchObject({
      inquiry: { name: "Ana Kovač" },
    });
    expect(await card().textContent()).toContain("Ana Kovač");

    // Hold with a reason, then release.
    await card().locator("input[data-field=reason]").fill("The person disputes the data");
    await card().locator("[data-action=hold]").click();
    await card().locator("[data-action=release]").waitFor();
    expect((await adminApi("GET", `/inquiries/${id}`)).body).toMatchObject({
      inquiry: { hold: true, hold_reason: "The person disputes the data" },
    });
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-action"))).toBe(
      "release",
    );
    await card().locator("[data-action=release]").click();
    await card().locator("[data-action=hold]").waitFor();
    expect((await adminApi("GET", `/inquiries/${id}`)).body).toMatchObject({
      inquiry: { hold: false },
    });
    for (const u of urls) expect(u.toLowerCase()).not.toMatch(/@|%40/);
    await context.close();
  });

  it("erases a person by keyboard alone: the confirmation lists what goes and what to delete by hand", async () => {
    const withFile = personIds[0]!;
    expect(r2Has(withFile)).toBe(true);
    expect(d1Count(withFile)).toBe(1);
    const { page, context, urls, refused } = await openConsole("en");
    await page.focus("body");
    await tabTo(page, "#token");
    await page.keyboard.type(TOKEN);
    await page.keyboard.press("Enter");
    await page.waitForSelector("#app:not([hidden])");
    await tabTo(page, "#p-email");
    await page.keyboard.type(PERSON);
    await page.keyboard.press("Enter");
    await page.waitForSelector("#p-result article");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("p-found");
    await tabTo(page, "#p-erase");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#p-confirm:not([hidden])");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("p-confirm-h");
    const will = await page.textContent("#p-will");
    for (const pid of personIds) expect(will).toContain(pid);
    expect(will).toContain("načrt.pdf");
    const byHand = await page.textContent("#p-by-hand");
    expect(byHand).toContain("staff's mailbox");
    expect(byHand).toContain("7 days (Workers Free)");
    expect(byHand).toContain("30 days (Workers Paid)");
    await page.locator("#person").screenshot({ path: `${SHOTS}/console-erase.png` });
    await tabTo(page, "#p-erase-yes");
    await page.keyboard.press("Enter");
    await until(async () => (await statusText(page)) === "Inquiries erased: 2.", "the erasure");
    expect(await page.textContent("#p-found")).toBe("Nothing is stored about this.");
    expect((await adminApi("POST", "/inquiries/search", { email: PERSON })).body.inquiries).toEqual(
      [],
    );
    expect((await adminApi("GET", `/inquiries/${withFile}`)).status).toBe(404);
    expect(d1Count(withFile)).toBe(0);
    expect(r2Has(withFile)).toBe(false);
    for (const u of urls) expect(u.toLowerCase()).not.toMatch(/@|%40/);
    expect(refused).toEqual([]);
    await context.close();
  }, 240_000); // four wrangler CLI runs look into D1 and R2 directly

  it("works on a phone's screen", async () => {
    const { page, context } = await openConsole("sl", { phone: true });
    expect(await violations(page)).toEqual([]); // the sign-in screen in Slovenian
    await signIn(page);
    await page.waitForSelector("#r-body dl");
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - window.innerWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    expect(await violations(page)).toEqual([]);
    await page.screenshot({ path: `${SHOTS}/console-phone.png`, fullPage: false });
    await context.close();
  });
});

describe("the console behind Cloudflare Access", () => {
  it("asks no token when Access signed the request in, and sends none", async () => {
    const { page, context, authHeaders, refused } = await openConsole("en", {
      jwt: await accessJwt(),
    });
    await page.waitForSelector("#app:not([hidden])");
    expect(await page.isVisible("#sign-in")).toBe(false);
    await page.waitForSelector("#r-body dl");
    await page.fill("#p-email", "nobody@primer.si");
    await page.click("#person-form button[type=submit]");
    await page.waitForSelector("#p-found");
    expect(await page.textContent("#p-found")).toBe("Nothing is stored about this.");
    expect(authHeaders.length).toBeGreaterThan(2);
    expect(authHeaders.every((h) => h === undefined)).toBe(true);
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    expect(await violations(page)).toEqual([]);
    expect(refused).toEqual([]);
    await context.close();
  });

  it.each([
    ["an expired token", () => accessJwt({ expiresAt: Math.floor(Date.now() / 1000) - 10 })],
    ["a token signed by a key the team never published", () => accessJwt({ key: strangerKey })],
    ["a token for another application", () => accessJwt({ aud: "another-application-aud" })],
    ["a wrong ADMIN_TOKEN", () => Promise.resolve(null)],
  ])("refuses %s, and counts it against the attempt limit", async (_what, make) => {
    const jwt = await make();
    const ip = freshIp();
    const headers: Record<string, string> = {
      accept: "application/json",
      "cf-connecting-ip": ip,
      ...(jwt
        ? { "cf-access-jwt-assertion": jwt }
        : { authorization: "Bearer not-the-token-but-long-enough-0123456789" }),
    };
    // A fresh minute of the limiter's window, so that the tenth and eleventh land in one.
    const into = Date.now() % 60_000;
    if (into > 45_000) await new Promise((r) => setTimeout(r, 60_000 - into + 500));
    // The page itself refuses an invalid Access token (401, as HTML).
    if (jwt) {
      const page = await fetch(`${dev.base}/admin/`, {
        headers: { ...headers, accept: "text/html" },
      });
      expect(page.status).toBe(401);
      expect(await page.text()).not.toContain("console.js");
    }
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      statuses.push((await fetch(`${dev.base}/admin/retention`, { headers })).status);
    }
    // Ten failures a minute are allowed (the page counted one), then the network is locked out.
    expect(statuses.slice(0, jwt ? 9 : 10)).toEqual(Array(jwt ? 9 : 10).fill(401));
    expect(statuses.at(-1)).toBe(429);
    // Locked out: even the right token is refused for that minute.
    const right = await fetch(`${dev.base}/admin/retention`, {
      headers: { "cf-connecting-ip": ip, authorization: `Bearer ${TOKEN}` },
    });
    expect(right.status).toBe(429);
  });
});
