// Runs the project's own wrangler (never a global one) for the deploy and setup scripts.
// WRANGLER may name another executable script, to try these scripts without a Cloudflare account.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const bin =
  process.env.WRANGLER ??
  join(
    dirname(createRequire(import.meta.url).resolve("wrangler/package.json")),
    "bin",
    "wrangler.js",
  );

/**
 * Runs `wrangler ...args`. Output goes to the terminal, unless `capture` asks for stdout
 * back; `input` is written to its stdin (a secret, never put on the command line);
 * `quiet` keeps its error output for a question whose failure is an answer.
 * Exits the script with wrangler's status when it fails, after saying which step it was.
 */
export function wrangler(
  args,
  { capture = false, input, allowFailure = false, quiet = false } = {},
) {
  const result = spawnSync(process.execPath, [bin, ...args], {
    stdio: [
      input === undefined ? "inherit" : "pipe",
      capture ? "pipe" : "inherit",
      quiet ? "pipe" : "inherit",
    ],
    input,
    encoding: "utf8",
  });
  if (result.status !== 0 && !allowFailure) {
    console.error(`\n\`wrangler ${args.slice(0, 3).join(" ")}\` failed; nothing after it was run.`);
    process.exit(result.status ?? 1);
  }
  return { ok: result.status === 0, stdout: result.stdout ?? "" };
}
