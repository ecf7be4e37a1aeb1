// `npm run dev` as a newcomer meets it: it says what is missing, the reference
// form's mail lands in the mail catcher's mailbox with its file, and Ctrl-C
// (SIGINT to the terminal's foreground process group) leaves nothing running.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { expect, it } from "vitest";
import { withoutDevVars } from "../scripts/lib/dev-server.ts";

const PORT = Number(process.env.E2E_DEV_PORT ?? 8796);
const CATCHER_PORT = PORT + 1;
const PERSIST = ".e2e/state-dev";

/** Processes whose command line names `needle` (Linux /proc). */
function processesWith(needle: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
      if (cmd.includes(needle) && Number(pid) !== process.pid) found.push(`${pid} ${cmd}`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

async function until<T>(check: () => Promise<T | undefined> | T | undefined, ms: number) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("timed out");
}

it("starts the worker beside the mail catcher, and Ctrl-C stops both", async () => {
  rmSync(PERSIST, { recursive: true, force: true });
  let output = "";
  // Its own process group, as a terminal gives a foreground job.
  const args = ["--port", String(PORT), "--persist-to", PERSIST, ...withoutDevVars(PERSIST)];
  const npm = spawn("npm", ["run", "dev", "--", ...args], {
    detached: true,
    env: { ...process.env, MAIL_CATCHER_PORT: String(CATCHER_PORT) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  npm.stdout.on("data", (d: Buffer) => (output += d.toString()));
  npm.stderr.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => npm.on("exit", resolve));
  try {
    await until(() => (output.includes("Ctrl-C stops everything") ? true : undefined), 180_000);
    // The first start fits one screen when nothing is wrong (no migration tables).
    const firstScreen = output.slice(0, output.indexOf("Ctrl-C stops everything")).split("\n");
    expect(firstScreen.length, output).toBeLessThanOrEqual(45);
    expect(output).toContain("Local databases (.e2e/state-dev): DB +");
    // Not on 8787: the operator tool is told where.
    expect(output).toContain(`--url http://localhost:${PORT}`);
    expect(output).toContain("5 submissions a minute");
    const catcher = `http://127.0.0.1:${CATCHER_PORT}`;
    expect(output).toContain(`Mailbox: ${catcher}/`);
    // A newcomer without a .dev.vars is told what that means, not stopped.
    if (!existsSync(".dev.vars")) expect(output).toContain("No .dev.vars file");

    const file = Buffer.concat([Buffer.from("%PDF-1.7\n"), Buffer.alloc(5000, 0x41)]);
    const form = new FormData();
    form.set("name", "Dev Test");
    form.set("email", "dev.test@primer.si");
    form.set("service", "Welding");
    form.set("message", "Through npm run dev.");
    form.set("attachment", new File([file], "dev.pdf", { type: "application/pdf" }));
    const res = await fetch(`http://localhost:${PORT}/inquiry`, {
      method: "POST",
      body: form,
      headers: { accept: "application/json" },
    });
    expect(res.status).toBe(201);

    const link = await until(async () => {
      const page = await (await fetch(`${catcher}/`)).text();
      return /href="(\/messages\/[0-9a-f-]+)"/.exec(page)?.[1];
    }, 30_000);
    const message = await (await fetch(`${catcher}${link}`)).text();
    expect(message).toContain("Povpraševanje: Welding – Dev Test");
    const download = await fetch(`${catcher}${link}/attachments/0`);
    expect(download.headers.get("content-disposition")).toContain('filename="dev.pdf"');
    const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
    expect(sha(new Uint8Array(await download.arrayBuffer()))).toBe(sha(file));
  } finally {
    process.kill(-npm.pid!, "SIGINT"); // what Ctrl-C does
    await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
  }
  await until(() => (processesWith(String(PORT)).length === 0 ? true : undefined), 10_000).catch(
    () => undefined,
  );
  expect(processesWith(String(PORT))).toEqual([]);
  await expect(fetch(`http://127.0.0.1:${CATCHER_PORT}/`)).rejects.toThrow();
}, 240_000);

/** A port nothing listens on now, from the system (other test runs may hold the fixed ones). */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** `npm run dev -- …args` to its end, or Ctrl-C after `limitMs`: exit code and everything it printed. */
function runDev(
  args: string[],
  catcherPort: number,
  limitMs: number,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    let output = "";
    const npm = spawn("npm", ["run", "dev", "--", ...args], {
      detached: true,
      env: { ...process.env, MAIL_CATCHER_PORT: String(catcherPort) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const limit = setTimeout(() => process.kill(-npm.pid!, "SIGINT"), limitMs);
    npm.stdout.on("data", (d: Buffer) => (output += d.toString()));
    npm.stderr.on("data", (d: Buffer) => (output += d.toString()));
    npm.on("exit", (code) => {
      clearTimeout(limit);
      resolve({ code, output });
    });
  });
}

it("refuses a worker port that is taken, naming --port, instead of announcing another process's worker", async () => {
  // Any process on the port answers /health as the first `npm run dev` did.
  const other = createServer((socket) => {
    socket.on("error", () => {}); // the port probe hangs up at once
    socket.end('HTTP/1.1 200 OK\r\ncontent-length: 11\r\n\r\n{"ok":true}');
  });
  const port = await freePort();
  const catcherPort = await freePort();
  await new Promise<void>((resolve) => other.listen(port, "127.0.0.1", resolve));
  try {
    const { code, output } = await runDev(["--port", String(port)], catcherPort, 20_000);
    expect(code).toBe(1);
    expect(output).toContain(`[dev] Port ${port} is already in use`);
    expect(output).toMatch(/npm run dev -- --port \d+/);
    expect(output).not.toContain("Ctrl-C stops everything");
  } finally {
    await new Promise((resolve) => other.close(resolve));
  }
  await expect(fetch(`http://127.0.0.1:${catcherPort}/`)).rejects.toThrow();
}, 30_000);

it("says in a line of its own when wrangler stops by itself, and leaves nothing running", async () => {
  const catcherPort = await freePort();
  const args = ["--port", String(await freePort()), "--persist-to", PERSIST, "--no-such-flag"];
  const { code, output } = await runDev(args, catcherPort, 100_000);
  expect(code).toBe(1);
  expect(output).toContain("[dev] wrangler dev stopped on its own (exit code 1)");
  expect(output).not.toContain("Ctrl-C stops everything");
  await expect(fetch(`http://127.0.0.1:${catcherPort}/`)).rejects.toThrow();
}, 120_000);
