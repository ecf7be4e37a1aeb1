// Starts the worker with `wrangler dev` (local workerd, no account) for the
// benchmark and measurement scripts, and reads the workerd process's memory.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import {
  createWriteStream,
  mkdirSync,
  readdirSync,
  readlinkSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { once } from "node:events";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { stripVTControlCharacters } from "node:util";

export function wrangler(args: string[]): string {
  const r = spawnSync("wrangler", args, { encoding: "utf8", env: { ...process.env, CI: "true" } });
  if (r.status !== 0) throw new Error(`wrangler ${args.join(" ")} failed:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

function descendants(pid: number): number[] {
  let out = "";
  try {
    out = execFileSync("pgrep", ["-P", String(pid)], { encoding: "utf8" });
  } catch {
    return [];
  }
  const kids = out.split("\n").filter(Boolean).map(Number);
  return kids.flatMap((k) => [k, ...descendants(k)]);
}

/** Resident memory of a process in bytes (Linux), or 0 once it is gone. */
export function rss(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** CPU time (user + system) a process has used, in milliseconds (Linux). */
export function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return 0;
  }
}

/** TCP ports `pid` listens on (Linux: its socket inodes matched in /proc/net/tcp). */
function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  let fds: string[] = [];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return []; // gone
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      // closed meanwhile
    }
  }
  const ports: number[] = [];
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    for (const line of readFileSync(table, "utf8").split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[3] === "0A" && inodes.has(f[9]!)) ports.push(parseInt(f[1]!.split(":")[1]!, 16));
    }
  }
  return ports;
}

/**
 * `wrangler dev` on `port` with `vars`, its state in `persistTo`. Wrangler runs
 * two workerd processes: a proxy that owns `port` (it holds requests during
 * reloads) and the runtime that runs the worker behind it.
 */
export interface DevServer {
  /** Through wrangler's proxy, as a browser reaches `wrangler dev`. */
  base: string;
  /** Straight to the runtime, without the proxy's hop: what the benchmark measures. */
  direct: string;
  /** The workerd process that runs the worker (not the proxy). */
  pid: number;
  stop: () => void;
}

/**
 * `wrangler dev` arguments that keep it from reading `.dev.vars`: an empty
 * `--env-file` (written in `dir`) replaces it. For test and benchmark servers,
 * where a developer's own secrets (a Turnstile secret, say) would change the answers.
 */
export function withoutDevVars(dir: string): string[] {
  const empty = join(dir, "no-dev-vars.env");
  mkdirSync(dir, { recursive: true });
  writeFileSync(empty, "");
  return ["--env-file", empty];
}

export async function startDev(opts: {
  port: number;
  persistTo: string;
  vars?: Record<string, string>;
  config?: string;
  /**
   * Another entry point than the config's `main` (e.g. testing/worker.ts, the
   * worker with its bindings slowed and failed by a plan).
   */
  script?: string;
  extraArgs?: string[];
  /** D1 bindings to migrate: the worker's inquiries and technical log unless told. */
  databases?: string[];
}): Promise<DevServer> {
  const { port, persistTo, vars = {}, config, extraArgs = [] } = opts;
  // A server left from an earlier run would be measured in this one's place; one
  // just stopped (tests that share a port) is given a few seconds to go.
  for (let waited = 0; await answers(`http://127.0.0.1:${port}/`); waited += 250) {
    if (waited >= 5000) {
      throw new Error(`port ${port} is already in use (a server left from an earlier run?)`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const databases = opts.databases ?? ["DB", "LOG_DB"];
  const configArgs = config ? ["--config", config] : [];
  // As `npm run dev` does: the local databases get their schemas first.
  for (const db of databases) {
    wrangler([
      "d1",
      "migrations",
      "apply",
      db,
      "--local",
      "--persist-to",
      persistTo,
      ...configArgs,
    ]);
  }
  // Only the values given here, not a developer's own .dev.vars.
  const args = [
    "dev",
    ...(opts.script ? [opts.script] : []),
    "--port",
    String(port),
    "--persist-to",
    persistTo,
    ...withoutDevVars(persistTo),
    ...configArgs,
  ];
  for (const [k, v] of Object.entries(vars)) args.push("--var", `${k}:${v}`);
  args.push(...extraArgs);
  // DEV_LOG=FILE keeps the worker's console (wrangler's output) for a look after the run.
  const logTo = process.env.DEV_LOG;
  const log = logTo ? createWriteStream(logTo, { flags: "a" }) : null;
  if (log) await once(log, "open"); // a path that cannot be written fails here, before a spawn
  const child = spawn("wrangler", args, {
    stdio: ["ignore", log ? "pipe" : "ignore", log ? "pipe" : "ignore"],
    detached: true,
  });
  if (log) {
    // Line by line without wrangler's colour codes: a file to read, not a terminal.
    for (const out of [child.stdout!, child.stderr!]) {
      createInterface({ input: out }).on("line", (line) =>
        log.write(`${stripVTControlCharacters(line)}\n`),
      );
    }
  }
  // Its own process group (detached), so Ctrl-C on this process does not reach it: stopped here.
  const stop = () => {
    running.delete(stop);
    try {
      process.kill(-child.pid!, "SIGTERM");
    } catch {
      // already gone
    }
  };
  stopOnExit(stop);
  try {
    return await reach(child.pid!, port, stop);
  } catch (err) {
    stop();
    throw err;
  }
}

/** Servers this process started and has not stopped. */
const running = new Set<() => void>();
let hooked = false;

/** Stops `stop`'s server when this process exits, ends on an error, or is interrupted. */
function stopOnExit(stop: () => void) {
  running.add(stop);
  if (hooked) return;
  hooked = true;
  const stopAll = () => {
    for (const s of [...running]) s();
  };
  process.on("exit", stopAll);
  for (const [signal, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const) {
    process.once(signal, () => {
      stopAll();
      process.exit(code);
    });
  }
}

/** Whether anything answers HTTP at `url` within a second. */
async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return true;
  } catch {
    return false;
  }
}

/** Waits for the server spawned as `pid` on `port`, and finds the workerd that runs the worker. */
async function reach(wranglerPid: number, port: number, stop: () => void): Promise<DevServer> {
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 240; i++) {
    try {
      const res = await fetch(`${base}/health`);
      await res.arrayBuffer();
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
    if (i === 239) throw new Error("wrangler dev did not start");
  }
  const workerds = () =>
    descendants(wranglerPid).filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("workerd");
      } catch {
        return false;
      }
    });
  // The runtime is the workerd that answers /health on a port other than
  // `port`; it can take a moment after the proxy answers to be found.
  let runtime: { pid: number; direct: string } | undefined;
  for (let attempt = 0; attempt < 20 && !runtime; attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, 500));
    for (const pid of workerds()) {
      for (const p of listeningPorts(pid).filter((p) => p !== port)) {
        try {
          const res = await fetch(`http://127.0.0.1:${p}/health`, {
            signal: AbortSignal.timeout(2000),
          });
          const body = await res.text();
          if (body.startsWith("{") && body.includes('"storage"')) {
            runtime = { pid, direct: `http://127.0.0.1:${p}` };
          }
        } catch {
          // the inspector or another socket
        }
      }
    }
  }
  if (!runtime) throw new Error("no workerd process running the worker under wrangler dev");
  return { base, direct: runtime.direct, pid: runtime.pid, stop };
}

/** Samples `pid`'s RSS every `ms` until stopped; returns the peak. */
export function sampleRss(pid: number, ms = 10): { stop: () => number } {
  let peak = rss(pid);
  const timer = setInterval(() => {
    peak = Math.max(peak, rss(pid));
  }, ms);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, rss(pid));
    },
  };
}
