// `npm run dev`: the worker under `wrangler dev`, beside a local mail catcher.
//
// 0. Stops at once, naming `--port`, when the worker's port is taken: wrangler would
//    fail to bind it only after another process's /health had answered for it.
// 1. Says what a newcomer is missing (a `.dev.vars`; dependencies: dev.mjs) instead of failing.
// 2. Starts the mail catcher (scripts/lib/mail-catcher.ts) on 127.0.0.1: it answers
//    Resend's API and shows every mail in a browsable mailbox.
// 3. Applies the D1 migrations to the local databases (DB and LOG_DB), quietly: one line
//    when all is well, wrangler's own output when it fails. Warns when another
//    `npm run dev` uses the same local databases.
// 4. Starts `wrangler dev` with RESEND_BASE_URL pointing at the catcher and a
//    development key made for this run: the worker mails by the same code path
//    as in production. Passing your own `--var RESEND_BASE_URL:…` skips the catcher.
// Ctrl-C stops both, and every process wrangler started. When wrangler stops on its
// own, a line of ours says so, and the catcher goes with it.
//
// Extra arguments go to `wrangler dev`, e.g. `npm run dev -- --port 8788`.
// MAIL_CATCHER_PORT chooses the catcher's port (default 8025, any free one if taken).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { connect } from "node:net";
import { SECRET_NAMES } from "../src/config/examples.ts";
import { startMailCatcher, type MailCatcher } from "./lib/mail-catcher.ts";

const args = process.argv.slice(2);
const windows = process.platform === "win32";
const say = (text: string) => console.log(`[dev] ${text}`);

/** `--name value` or `--name=value` among the arguments for wrangler. */
function argValue(name: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === name) return args[i + 1];
    if (args[i]!.startsWith(`${name}=`)) return args[i]!.slice(name.length + 1);
  }
  return undefined;
}
const userVars = args.flatMap((a, i) => (args[i - 1] === "--var" ? [a.split(":")[0]] : []));

/** `NAME=value` lines of a dotenv-style file (comments and blanks skipped). */
function names(file: string): string[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#") && line.includes("="))
    .map((line) =>
      line
        .slice(0, line.indexOf("="))
        .replace(/^export\s+/, "")
        .trim(),
    );
}

function checkSetup(useCatcher: boolean): void {
  const example = names(".dev.vars.example");
  if (!existsSync(".dev.vars") && !existsSync(".env")) {
    say("No .dev.vars file: the worker runs with wrangler.toml's [vars] and no secrets.");
    say("  /admin and `npm run admin` stay off until ADMIN_TOKEN is set. To set it:");
    if (example.length > 0)
      say("    cp .dev.vars.example .dev.vars   and replace each example value");
    else say('    echo "ADMIN_TOKEN=$(openssl rand -hex 32)" > .dev.vars');
  } else {
    const have = new Set([...names(".dev.vars"), ...names(".env")]);
    const missing = example.filter((n) => !have.has(n) && n !== "RESEND_API_KEY");
    if (missing.length > 0) {
      say(`.dev.vars lacks ${missing.join(", ")} (listed in .dev.vars.example).`);
    }
    if (useCatcher && have.has("RESEND_API_KEY")) {
      say("RESEND_API_KEY in .dev.vars is not used: mail goes to the local mail catcher.");
      return;
    }
  }
  if (useCatcher) say("Mail needs no Resend key here: it goes to the local mail catcher.");
}

async function startCatcher(): Promise<MailCatcher> {
  const wanted = Number(process.env.MAIL_CATCHER_PORT ?? 8025);
  const apiKey = `re_dev_${randomBytes(16).toString("hex")}`;
  try {
    return await startMailCatcher({ apiKey, port: wanted });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EADDRINUSE") throw err;
    say(`Port ${wanted} is taken; the mail catcher takes a free one.`);
    return startMailCatcher({ apiKey, port: 0 });
  }
}

/**
 * Whether something accepts connections on `port` at one of `hosts` (IPv4 and
 * IPv6 loopback, and `--ip` if given): what `wrangler dev` would fail to bind
 * ("Address already in use") after this script had announced it ready, on the
 * strength of the other process's /health answer.
 */
async function portInUse(port: number, hosts: string[]): Promise<boolean> {
  const probes = hosts.map(
    (host) =>
      new Promise<boolean>((resolve) => {
        const socket = connect({ port, host });
        const done = (taken: boolean) => {
          socket.destroy();
          resolve(taken);
        };
        socket.setTimeout(1000, () => done(false));
        socket.once("connect", () => done(true));
        socket.once("error", () => done(false));
      }),
  );
  return (await Promise.all(probes)).includes(true);
}

const port = Number(argValue("--port") ?? 8787);
const ip = argValue("--ip");
const hosts = [
  "127.0.0.1",
  "::1",
  ...(ip && !["0.0.0.0", "::", "*", "localhost"].includes(ip) ? [ip] : []),
];
if (await portInUse(port, hosts)) {
  let free = port + 1;
  while (free < port + 50 && (await portInUse(free, hosts))) free++;
  console.error(
    `[dev] Port ${port} is already in use (another \`npm run dev\` or \`wrangler dev\`?): ` +
      `stop that one, or choose another port: npm run dev -- --port ${free}`,
  );
  process.exit(1);
}

const useCatcher = !userVars.includes("RESEND_BASE_URL");
checkSetup(useCatcher);

const catcher = useCatcher ? await startCatcher() : null;
if (catcher) say(`Mailbox (the local mail catcher): ${catcher.url}/`);

const persist = argValue("--persist-to");
const stateDir = persist ?? ".wrangler/state"; // wrangler's own default

/**
 * Another `npm run dev` on the same local databases: both would read and change the
 * same inquiries (and one's erasure empties the other's list) without a word. Each
 * run leaves a marker with its port and pid in the state folder while it runs.
 */
function otherDevServers(): number[] {
  if (!existsSync(stateDir)) return [];
  const others: number[] = [];
  for (const name of readdirSync(stateDir)) {
    const m = /^dev-server-(\d+)\.pid$/.exec(name);
    if (!m || Number(m[1]) === port) continue;
    const pid = Number(readFileSync(join(stateDir, name), "utf8"));
    try {
      process.kill(pid, 0); // still running
      others.push(Number(m[1]));
    } catch {
      rmSync(join(stateDir, name), { force: true }); // left by a run that was killed
    }
  }
  return others;
}
const marker = join(stateDir, `dev-server-${port}.pid`);
for (const other of otherDevServers()) {
  say(
    `Another npm run dev (port ${other}) uses the same local databases (${stateDir}): both see ` +
      "and change the same inquiries. To keep them apart, start this one with its own: " +
      `npm run dev -- --port ${port} --persist-to .wrangler/state-${port}`,
  );
}
mkdirSync(stateDir, { recursive: true });
writeFileSync(marker, String(process.pid));
process.on("exit", () => rmSync(marker, { force: true }));

// Both databases: the inquiries (DB) and the technical log (LOG_DB). Quiet: wrangler
// prints a table per migration, and a first start would scroll off the screen.
const applied: string[] = [];
for (const binding of ["DB", "LOG_DB"]) {
  const migrate = spawnSync(
    "wrangler",
    [
      "d1",
      "migrations",
      "apply",
      binding,
      "--local",
      ...(persist ? ["--persist-to", persist] : []),
    ],
    // CI=true answers wrangler's "OK to proceed?" prompt.
    {
      stdio: ["ignore", "pipe", "pipe"],
      encoding: "utf8",
      shell: windows,
      env: { ...process.env, CI: "true" },
    },
  );
  if (migrate.status !== 0) {
    process.stdout.write(migrate.stdout ?? "");
    process.stderr.write(migrate.stderr ?? "");
    console.error(`[dev] Could not apply the D1 migrations to the local ${binding} (see above).`);
    await catcher?.close();
    process.exit(migrate.status ?? 1);
  }
  // Each migration applied now is a row "│ 0001_init.sql │ ✅ │" of wrangler's table.
  const names = new Set((migrate.stdout ?? "").match(/\d{4}_[\w-]+\.sql/g) ?? []);
  applied.push(`${binding} ${names.size === 0 ? "up to date" : `+${names.size} migrations`}`);
}
say(`Local databases (${stateDir}): ${applied.join(", ")}.`);

const vars = catcher
  ? ["--var", `RESEND_BASE_URL:${catcher.url}`, "--var", `RESEND_API_KEY:${catcher.fake.apiKey}`]
  : [];
// The worker's public origin here, so the catcher fetches files by link as Resend does.
if (catcher && !userVars.includes("PUBLIC_URL"))
  vars.push("--var", `PUBLIC_URL:http://localhost:${port}`);
// Its own process group (not on Windows), so stopping it reaches every process
// wrangler starts, and a terminal's Ctrl-C reaches wrangler once, through us.
const dev: ChildProcess = spawn("wrangler", ["dev", ...vars, ...args], {
  stdio: ["ignore", "inherit", "inherit"],
  detached: !windows,
  shell: windows,
  // "info" keeps wrangler's warnings, "Ready on" and one line per request, and drops its
  // table of every binding (wrangler.toml says the same): the first start fits one screen.
  // WRANGLER_LOG=log (or debug) in your shell shows it all again.
  env: { ...process.env, WRANGLER_LOG: process.env.WRANGLER_LOG ?? "info" },
});

let stopping = false;
function stopGroup(signal: NodeJS.Signals): void {
  try {
    if (windows) dev.kill(signal);
    else process.kill(-dev.pid!, signal);
  } catch {
    // already gone
  }
}
async function stop(signal: NodeJS.Signals): Promise<void> {
  if (stopping) return;
  stopping = true;
  stopGroup(signal);
  const force = setTimeout(() => stopGroup("SIGKILL"), 5000);
  if (dev.exitCode === null && dev.signalCode === null) {
    await new Promise((resolve) => dev.once("exit", resolve));
  }
  clearTimeout(force);
  stopGroup("SIGKILL"); // anything of wrangler's still in its group
  await catcher?.close();
}
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => void stop(signal).then(() => process.exit(0)));
}
// If whatever started us goes away (npm or its shell killed, the terminal closed),
// take everything down rather than leave a worker and a catcher running unowned.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) void stop("SIGTERM").then(() => process.exit(0));
}, 1000).unref();
dev.on("error", async (err) => {
  console.error(`[dev] Could not start wrangler: ${err.message}`);
  await catcher?.close();
  process.exit(1);
});
dev.on("exit", async (code, signal) => {
  if (stopping) return;
  // wrangler stopped on its own: take its workerd processes and the catcher with it.
  stopping = true;
  console.error(
    `[dev] wrangler dev stopped on its own (${signal ? `signal ${signal}` : `exit code ${code}`}): ` +
      "its reason is in its output above. The mail catcher is stopped too; nothing is left running.",
  );
  stopGroup("SIGKILL");
  await catcher?.close();
  process.exit(code ?? 1);
});

/** A problem or warning as `/health` names it. */
interface Problem {
  code: string;
  name?: string;
  scope?: string;
  problem?: string;
}

// Once the worker answers, say where everything is. The port was free before
// wrangler started, so the answer is this run's worker (wrangler's own exit ends the loop).
const base = `http://localhost:${port}`;
for (let i = 0; i < 240 && !stopping; i++) {
  try {
    const health = await fetch(`${base}/health`, { signal: AbortSignal.timeout(10_000) });
    const body = (await health.json().catch(() => ({}))) as {
      config?: string;
      off?: string[];
      problems?: Problem[];
      warnings?: Problem[];
    };
    say(`Form:    ${base}/   (${base}/?lang=en in English)`);
    if (health.status === 503 && body.problems?.length) {
      // Codes and names only, as /health gives them: never a value.
      say(
        body.config === "invalid"
          ? `/health answers 503: a setting has a problem; off until fixed: ${(body.off ?? []).join(", ")} (docs/configuration.md):`
          : "/health answers 503 (docs/operations.md):",
      );
      for (const p of body.problems) {
        say(`  ${p.name ? `${p.name} ` : ""}${p.code}${p.problem ? `: ${p.problem}` : ""}`);
      }
      if (body.problems.some((p) => (SECRET_NAMES as readonly string[]).includes(p.name ?? ""))) {
        // Not `wrangler secret put`: that is for the deployed worker.
        say("  Here the secrets come from .dev.vars: edit it, then restart npm run dev.");
      }
    }
    for (const w of body.warnings ?? []) {
      if (w.code === "no_allowed_origins") {
        say(
          "ALLOWED_ORIGINS is empty: only this worker's own form can send. To try your website's form, " +
            "add its origin: npm run dev -- --var ALLOWED_ORIGINS:http://localhost:3000",
        );
      }
    }
    say(`Health:  ${base}/health`);
    if (port !== 8787) {
      say(
        `Operator tool for this port: npm run admin -- health --url ${base}   (or INQUIRY_URL=${base})`,
      );
    }
    say(
      "Sending by hand: 5 submissions a minute per address (SUBMIT_LIMITER), then 429 for up to a " +
        "minute; to try more locally, raise `limit` under [[ratelimits]] in wrangler.toml (deploy 5).",
    );
    if (catcher) {
      say(`Mailbox: ${catcher.url}/   (every mail the worker sends lands here)`);
      say(`Refuse sends: curl -d mode=403 ${catcher.url}/_control   (mode=accept to accept again)`);
      // Made for this run and known only to the catcher: not a secret, so shown
      // for calling the catcher as one would Resend. A real RESEND_API_KEY is never read here.
      say(`Catcher's API key for this run (not a Resend key): ${catcher.fake.apiKey}`);
      say(
        `  curl -H "Authorization: Bearer ${catcher.fake.apiKey}" ` +
          `-H "content-type: application/json" -d @mail.json ${catcher.url}/emails`,
      );
    }
    say("Ctrl-C stops everything.");
    break;
  } catch {
    await new Promise((r) => setTimeout(r, 500));
  }
}
