// `npm run admin -- <command>`: the operator API (/admin) for a
// person who would rather not write curl. It talks HTTP to a deployment or to
// `npm run dev` alike, so it does exactly what the API does and no more.
//
// Where to:  --url URL, else INQUIRY_URL, else the vars file's INQUIRY_URL, else
//            http://127.0.0.1:8787 (`npm run dev`).
// Token:     ADMIN_TOKEN from the environment, else from the vars file: --vars FILE,
//            else .dev.vars (git ignores both .dev.vars and any .<name>.vars).
// The token is sent only in the Authorization header and never printed.
import { runAdmin } from "./lib/admin-cli.ts";

process.exitCode = await runAdmin(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  fetch: globalThis.fetch,
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  now: () => new Date(),
});
