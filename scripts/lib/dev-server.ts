// Starts the worker with `wrangler dev` (local workerd, no account) for the
// benchmark and measurement scripts, and reads the workerd process's memory.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

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

/**
 * `wrangler dev` on `port` with `vars`, its state in `persistTo`; resolves once
 * /health answers, with the pid of the workerd process that runs the worker.
 */
export interface DevServer {
  base: string;
  /** The workerd process that runs the worker. */
  pid: number;
  stop: () => void;
}

export async function startDev(opts: {
  port: number;
  persistTo: string;
  vars?: Record<string, string>;
  config?: string;
  extraArgs?: string[];
}): Promise<DevServer> {
  const { port, persistTo, vars = {}, config, extraArgs = [] } = opts;
  const configArgs = config ? ["--config", config] : [];
  // As `npm run dev` does: the local database gets its schema first.
  wrangler([
    "d1",
    "migrations",
    "apply",
    "DB",
    "--local",
    "--persist-to",
    persistTo,
    ...configArgs,
  ]);
  const args = ["dev", "--port", String(port), "--persist-to", persistTo, ...configArgs];
  for (const [k, v] of Object.entries(vars)) args.push("--var", `${k}:${v}`);
  args.push(...extraArgs);
  const child = spawn("wrangler", args, { stdio: "ignore", detached: true });
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
  const workerd = descendants(child.pid!).find((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("workerd");
    } catch {
      return false;
    }
  });
  if (workerd === undefined) throw new Error("no workerd process under wrangler dev");
  return {
    base,
    pid: workerd,
    stop: () => {
      try {
        process.kill(-child.pid!, "SIGTERM");
      } catch {
        // already gone
      }
    },
  };
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
