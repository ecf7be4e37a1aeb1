// `npm run deploy` (scripts/deploy.mjs) with a stand-in for wrangler
// (scripts/lib/wrangler.mjs runs the script WRANGLER names): the stand-in
// records each call and answers as wrangler would, so the test sees whether
// anything was created, migrated or deployed. Each run has its own folder with
// a wrangler.toml copied from the project's and changed as the case says.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "..");
const TOML = readFileSync(join(ROOT, "wrangler.toml"), "utf8");
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const STAND_IN = `
import { appendFileSync } from "node:fs";
const args = process.argv.slice(2);
appendFileSync("wrangler-calls.log", args.join(" ") + "\\n");
if (args[0] === "secret" && args[1] === "list") {
  if (process.env.STAND_IN_SECRETS === "none-yet") {
    console.error("This Worker does not exist on your account.");
    process.exit(1);
  }
  console.log(JSON.stringify((process.env.STAND_IN_SECRETS ?? "").split(",").filter(Boolean)
    .map((name) => ({ name, type: "secret_text" }))));
} else if (args[0] === "d1" && args[1] === "list") {
  console.log(JSON.stringify([{ name: "edge-inquiry" }, { name: "edge-inquiry-log" }]));
}
`;

/** Sets `[vars]` entries in the copied wrangler.toml. */
function withVars(vars: Record<string, string>): string {
  let toml = TOML;
  for (const [name, value] of Object.entries(vars)) {
    const line = new RegExp(`^${name} = .*$`, "m");
    const entry = `${name} = ${JSON.stringify(value)}`;
    toml = line.test(toml) ? toml.replace(line, entry) : toml.replace("[vars]", `[vars]\n${entry}`);
  }
  return toml;
}

/** Runs `npm run deploy`'s script in a folder of its own; the calls wrangler got, and the output. */
function deploy(vars: Record<string, string>, secrets: string) {
  const dir = mkdtempSync(join(tmpdir(), "deploy-check-"));
  dirs.push(dir);
  writeFileSync(join(dir, "wrangler.toml"), withVars(vars));
  writeFileSync(join(dir, "stand-in-wrangler.mjs"), STAND_IN);
  const run = spawnSync(process.execPath, [join(ROOT, "scripts", "deploy.mjs")], {
    cwd: dir,
    encoding: "utf8",
    env: {
      ...process.env,
      WRANGLER: join(dir, "stand-in-wrangler.mjs"),
      STAND_IN_SECRETS: secrets,
    },
  });
  let calls: string[] = [];
  try {
    calls = readFileSync(join(dir, "wrangler-calls.log"), "utf8").trim().split("\n");
  } catch {
    // no call at all
  }
  return { status: run.status, out: run.stdout, err: run.stderr, calls };
}

const RIGHT = {
  MAIL_TO: "office@primer.si",
  MAIL_FROM: "Povpraševanja <form@primer.si>",
  ALLOWED_ORIGINS: "https://www.primer.si",
};

describe("npm run deploy checks the configuration first", () => {
  it("deploys a right configuration: migrations, then the worker", () => {
    const r = deploy(RIGHT, "ADMIN_TOKEN,RESEND_API_KEY");
    expect(r.err).not.toContain("problem");
    expect(r.status).toBe(0);
    expect(r.calls).toEqual([
      "secret list --format json",
      "d1 list --json",
      "d1 migrations apply DB --remote",
      "d1 migrations apply LOG_DB --remote",
      "deploy",
    ]);
  });

  it("refuses a configuration with problems before anything is created or deployed, naming each", () => {
    const r = deploy(
      {
        ...RIGHT,
        MAIL_FROM: "Sales <not-an-address>",
        SERVICES: "",
        MAX_ATTACHMENT_BYTES: "40000000",
        RESEND_BASE_URL: "http://api.resend.com",
      },
      "ADMIN_TOKEN,RESEND_API_KEY",
    );
    expect(r.status).toBe(1);
    expect(r.calls).toEqual(["secret list --format json"]);
    expect(r.err).toContain("4 problems; nothing was deployed");
    for (const named of [
      "MAIL_FROM (invalid_mailbox)",
      "SERVICES (missing)",
      "MAX_ATTACHMENT_BYTES (attachment_limit_too_high)",
      "RESEND_BASE_URL (insecure_url)",
    ]) {
      expect(r.err).toContain(named);
    }
    // What each would switch off once deployed, and never the value.
    expect(r.err).toContain("visitors cannot send");
    expect(r.err).toContain("their mail waits");
    expect(r.err).not.toContain("not-an-address");
  });

  it("refuses a Turnstile site key whose secret is not set in Cloudflare", () => {
    const r = deploy({ ...RIGHT, TURNSTILE_SITE_KEY: "0x4AAAAAAAtest" }, "ADMIN_TOKEN");
    expect(r.status).toBe(1);
    expect(r.err).toContain("TURNSTILE_SECRET_KEY (turnstile_half_configured)");
    expect(r.calls).not.toContain("deploy");

    const both = deploy(
      { ...RIGHT, TURNSTILE_SITE_KEY: "0x4AAAAAAAtest" },
      "ADMIN_TOKEN,TURNSTILE_SECRET_KEY",
    );
    expect(both.status).toBe(0);
    expect(both.calls).toContain("deploy");
  });

  it("a first deployment (no worker yet, so no secret list) is checked on its vars alone", () => {
    const r = deploy({ ...RIGHT, TURNSTILE_SITE_KEY: "0x4AAAAAAAtest" }, "none-yet");
    expect(r.status).toBe(0);
    expect(r.err).not.toContain("does not exist"); // wrangler's answer is not shown as an error
    expect(r.calls).toContain("deploy");
    const bad = deploy({ ...RIGHT, LOG_IP: "all" }, "none-yet");
    expect(bad.status).toBe(1);
    expect(bad.err).toContain("LOG_IP (invalid_choice)");
  });

  it("says the warnings, and deploys: an empty ALLOWED_ORIGINS, no API key yet", () => {
    const r = deploy({ ...RIGHT, ALLOWED_ORIGINS: "" }, "ADMIN_TOKEN");
    expect(r.status).toBe(0);
    expect(r.out).toContain("ALLOWED_ORIGINS is empty");
    expect(r.out).toContain("RESEND_API_KEY is not set");
  });
});
