// `npm run size`: build the worker as `wrangler deploy` would and report its
// gzip size against the 64 KiB budget. Exits non-zero when over budget.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

const BUDGET = 64 * 1024;
const build = spawnSync("wrangler", ["deploy", "--dry-run", "--minify", "--outdir", "dist"], {
  encoding: "utf8",
});
if (build.status !== 0) {
  process.stderr.write(build.stdout + build.stderr);
  process.exit(build.status ?? 1);
}
const code = readFileSync("dist/index.js");
const gzip = gzipSync(code, { level: 9 }).length;
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
console.log(
  `worker bundle: ${kib(code.length)} minified, ${kib(gzip)} gzip (budget ${kib(BUDGET)})`,
);
if (gzip > BUDGET) {
  console.error("over budget");
  process.exit(1);
}
