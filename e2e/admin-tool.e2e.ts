// `npm run admin` against `wrangler dev`, as an operator uses it: the real
// script in its own Node 22 process, over HTTP, mail going to the fake Resend.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDev, type DevServer } from "../scripts/lib/dev-server.ts";
import { Webhook } from "standardwebhooks";
import { startFakeResendServer, type FakeResendServer } from "./resend-server.ts";

const PORT = Number(process.env.E2E_ADMIN_PORT ?? 8797);
const API_KEY = "re_e2e_admin_0123456789";
const TOKEN = "e2e-admin-token-7f3a9c1e5b2d4f6a8c0e";
const WEBHOOK_SECRET = "whsec_ZTJlLXdlYmhvb2stc2VjcmV0LTAxMjM0NTY3ODk=";
// The `node` devDependency (Node 22 strips the script's types), whatever runs vitest.
const NODE = resolve("node_modules/.bin/node");
const SCRIPT = resolve("scripts/admin.ts");

let dev: DevServer;
let resend: FakeResendServer;
let dir: string;

beforeAll(async () => {
  resend = await startFakeResendServer(API_KEY);
  const persistTo = `.e2e/state-${PORT}`;
  rmSync(persistTo, { recursive: true, force: true });
  dev = await startDev({
    port: PORT,
    persistTo,
    vars: {
      RESEND_API_KEY: API_KEY,
      RESEND_BASE_URL: resend.url,
      ADMIN_TOKEN: TOKEN,
      RESEND_WEBHOOK_SECRET: WEBHOOK_SECRET,
    },
    extraArgs: ["--test-scheduled"],
  });
  dir = mkdtempSync(join(tmpdir(), "admin-e2e-"));
});
afterAll(async () => {
  dev?.stop();
  await resend?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Run {
  code: number;
  out: string;
  err: string;
}

/** `npm run admin -- …args` in a fresh process, with ADMIN_TOKEN from the environment. */
function admin(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((done) => {
    execFile(
      NODE,
      [SCRIPT, ...args],
      {
        // Outside the repository: no .dev.vars of the developer's is read.
        cwd: dir,
        env: { PATH: process.env.PATH, ADMIN_TOKEN: TOKEN, INQUIRY_URL: dev.base, ...env },
        timeout: 60_000,
      },
      (error, stdout, stderr) => {
        const code = error ? ((error as { code?: number }).code ?? 1) : 0;
        done({ code: typeof code === "number" ? code : 1, out: stdout, err: stderr });
      },
    );
  });
}

let seq = 0;
async function submit(email: string, withFile: boolean): Promise<string> {
  const form = new FormData();
  form.set("name", "Ana Novak");
  form.set("email", email);
  form.set("service", "Welding");
  form.set("message", `Inquiry ${++seq}`);
  if (withFile) {
    const pdf = `%PDF-1.7\n${" ".repeat(2000)}\n%%EOF\n`;
    form.set("attachment", new File([pdf], "drawing.pdf", { type: "application/pdf" }));
  }
  const res = await fetch(`${dev.base}/inquiry`, {
    method: "POST",
    headers: { accept: "application/json", "cf-connecting-ip": `198.18.1.${seq}` },
    body: form,
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

/** Waits until `check` holds (background sends finish after the answer). */
async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("npm run admin against wrangler dev", () => {
  const email = "ana.admin-tool@primer.si";
  const ids: string[] = [];

  it("lists mail Resend refused, shows /health 503, and retries it once the cause is fixed", async () => {
    resend.fake.refuseAll(403);
    ids.push(await submit(email, true), await submit(email, false));
    await until(() => resend.fake.requests.length >= 2, "two refused sends");

    const health = await admin(["health"]);
    expect(health.code).toBe(1);
    expect(health.out).toContain("NOT OK (503)");
    expect(health.out).toContain("deliveries_failed");
    expect(health.out).toMatch(/deliveries: .*failed 2/);

    const list = await admin(["deliveries"]);
    expect(list.code).toBe(0);
    expect(list.out).toContain("2 failed or bounced deliveries");
    for (const id of ids) expect(list.out).toMatch(new RegExp(`${id}\\s+\\S+ \\S+\\s+failed`));
    // --json: the worker's answer as it is, not a part of it.
    const listed = JSON.parse((await admin(["deliveries", "--json"])).out) as {
      ok: boolean;
      deliveries: { id: string }[];
    };
    expect(listed.ok).toBe(true);
    expect(listed.deliveries.map((d) => d.id).sort()).toEqual([...ids].sort());

    resend.fake.stopFailing();
    const retry = await admin(["retry", "--all"]);
    expect(retry).toMatchObject({ code: 0 });
    expect(retry.out).toContain("2 of 2 queued to be sent again");
    // When: the next cron run, which wrangler dev fires only when asked.
    expect(retry.out).toContain(`curl "${dev.base}/cdn-cgi/local/scheduled"`);
    const cron = await fetch(`${dev.base}/__scheduled?cron=*/5+*+*+*+*`);
    expect(cron.status).toBe(200);
    await until(() => resend.fake.emails.length >= 2, "two mails");
    const keys = resend.fake.emails.map((e) => e.idempotencyKey).sort();
    expect(keys).toEqual(ids.map((id) => `inquiry-${id}-r1`).sort());
    const withFile = resend.fake.emails.find((e) => e.idempotencyKey === `inquiry-${ids[0]}-r1`)!;
    expect(withFile.attachments.map((a) => a.filename)).toEqual(["drawing.pdf"]);
    expect((await admin(["health"])).out).toContain("ok (200)");
  });

  it("takes Resend's signed delivery event through the bundled verifier, and show says delivered", async () => {
    // wrangler dev bundles as a deployment does: standardwebhooks on the runtime's base64 and HMAC.
    const mail = resend.fake.emails.find((e) => e.idempotencyKey === `inquiry-${ids[0]}-r1`)!;
    const tags = (mail.body.tags as { name: string; value: string }[]) ?? [];
    const body = JSON.stringify({
      type: "email.delivered",
      created_at: new Date().toISOString(),
      data: {
        email_id: mail.id,
        tags: Object.fromEntries(tags.map((t) => [t.name, t.value])),
      },
    });
    const id = `msg_${ids[0]}`;
    const at = new Date();
    const headers = {
      "content-type": "application/json",
      "svix-id": id,
      "svix-timestamp": String(Math.floor(at.getTime() / 1000)),
      "svix-signature": new Webhook(WEBHOOK_SECRET).sign(id, at, body),
    };
    const bad = await fetch(`${dev.base}/webhooks/resend`, {
      method: "POST",
      headers: { ...headers, "svix-signature": "v1,AAAA" },
      body,
    });
    expect(bad.status).toBe(401);
    const res = await fetch(`${dev.base}/webhooks/resend`, { method: "POST", headers, body });
    expect(res.status).toBe(200);
    const show = await admin(["show", ids[0]!, "--json"]);
    expect(JSON.parse(show.out)).toMatchObject({
      ok: true,
      inquiry: { delivery: { status: "delivered", resend_id: expect.any(String) } },
    });
  });

  it("exports an address to a JSON file only its owner can read", async () => {
    const out = join(dir, "export.json");
    const run = await admin(["export", email, "--out", out]);
    expect(run.code).toBe(0);
    expect(run.out).toContain(`2 inquiries of that address written to ${out}`);
    const doc = JSON.parse(readFileSync(out, "utf8")) as {
      inquiries: { id: string; email: string; message: string }[];
    };
    expect(doc.inquiries.map((i) => i.id).sort()).toEqual([...ids].sort());
    expect(doc.inquiries[0]!.email).toBe(email);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    // Never over an existing file.
    const again = await admin(["export", email, "--out", out]);
    expect(again.code).toBe(1);
    expect(again.err).toContain("EEXIST");
  });

  it("erases an address only with --yes, then finds nothing", async () => {
    const dry = await admin(["erase", email]);
    expect(dry.code).toBe(2);
    expect(dry.err).toContain("This erases 2 inquiries");
    const run = await admin(["erase", email, "--yes"]);
    expect(run).toMatchObject({ code: 0 });
    expect(run.out).toContain("erased 2 inquiries");
    const after = await admin(["export", email, "--out", join(dir, "after.json")]);
    expect(after.out).toContain("0 inquiries of that address");
    const show = await admin(["show", ids[0]!]);
    expect(show.code).toBe(1);
    expect(show.err).toContain(`no inquiry with id ${ids[0]} (404)`);
  });

  it("says plainly when the token is wrong, the worker unreachable or the API off, and never prints a token", async () => {
    const wrong = "not-the-token-but-long-enough-0123456789";
    const run = await admin(["retention"], { ADMIN_TOKEN: wrong });
    expect(run.code).toBe(1);
    expect(run.err).toContain("the worker refused the token (401)");
    for (const text of [run.out, run.err]) {
      expect(text).not.toContain(wrong);
      expect(text).not.toContain(TOKEN);
    }
    const gone = await admin(["retention", "--url", "http://127.0.0.1:1"]);
    expect(gone.code).toBe(1);
    expect(gone.err).toContain("cannot reach http://127.0.0.1:1");
    const noToken = await admin(["retention"], { ADMIN_TOKEN: "" });
    expect(noToken.code).toBe(2);
    expect(noToken.err).toContain("no ADMIN_TOKEN");
    // /health is public: without a token the tool shows it (codes, no counts).
    const open = await admin(["health"], { ADMIN_TOKEN: "" });
    expect(open.code).toBe(0);
    expect(open.out).toContain("ok (200)");
    // wrangler.toml's committed example.com addresses, as the Deploy button pre-fills them.
    expect(open.out).toContain("warning: example_address (MAIL_TO)");
    expect(open.out).not.toContain("deliveries:");
    expect(open.out).toContain("set ADMIN_TOKEN for the counts");
    const ok = await admin(["retention"]);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/inquiries stored\s+0/);
    expect(ok.out + ok.err).not.toContain(TOKEN);
  });
});

/** A port nothing listens on now, from the system. */
function freePort(): Promise<number> {
  return new Promise((done) => {
    const probe = createServer();
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => done(port));
    });
  });
}

describe("npm run admin against a worker whose configuration is invalid", () => {
  let bad: DevServer;
  beforeAll(async () => {
    const persistTo = ".e2e/state-admin-invalid";
    rmSync(persistTo, { recursive: true, force: true });
    bad = await startDev({
      port: await freePort(),
      persistTo,
      // A problem switches off only what needs the value: a bad ADMIN_TOKEN closes /admin.
      vars: { ADMIN_TOKEN: "too-short-0123", REDIRECT_URL: "http://www.primer.si/hvala" },
    });
  });
  afterAll(() => bad?.stop());

  it("points the operator at /health, not at the visitor's apology", async () => {
    const list = await admin(["deliveries"], { INQUIRY_URL: bad.base });
    expect(list.code).toBe(1);
    expect(list.err).toContain("a setting it needs has a problem");
    expect(list.err).toContain("npm run admin -- health");
    expect(list.err).not.toContain("We cannot store your inquiry");

    const health = await admin(["health"], { INQUIRY_URL: bad.base, ADMIN_TOKEN: "" });
    expect(health.code).toBe(1);
    expect(health.out).toContain("NOT OK (503)");
    expect(health.out).toContain("problem: insecure_url (REDIRECT_URL)");
    expect(health.out).toContain("problem: too_short (ADMIN_TOKEN)");
  });
});
