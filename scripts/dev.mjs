// `npm run dev`: apply the D1 migrations to the local database, then start
// `wrangler dev`. Extra arguments go to `wrangler dev`,
// e.g. `npm run dev -- --port 8788 --var SERVICES:"A,B"`.
import { spawnSync, spawn } from "node:child_process";

const wrangler = (args, opts = {}) =>
  spawnSync("wrangler", args, { stdio: "inherit", shell: false, ...opts });

const migrate = wrangler(["d1", "migrations", "apply", "DB", "--local"], {
  env: { ...process.env, CI: "true" }, // answers wrangler's "OK to proceed?" prompt
});
if (migrate.status !== 0) process.exit(migrate.status ?? 1);

const dev = spawn("wrangler", ["dev", ...process.argv.slice(2)], {
  stdio: "inherit",
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => dev.kill(signal));
dev.on("exit", (code) => process.exit(code ?? 0));
