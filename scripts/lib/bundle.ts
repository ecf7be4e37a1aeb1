// The deployed bundle's size: built as `wrangler deploy` builds it (minified),
// measured gzip-compressed as Cloudflare counts it against the size limit.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

export const BUNDLE_BUDGET = 64 * 1024;

export function bundleSize(): { minified: number; gzip: number } {
  const build = spawnSync("wrangler", ["deploy", "--dry-run", "--minify", "--outdir", "dist"], {
    encoding: "utf8",
  });
  if (build.status !== 0)
    throw new Error(`wrangler deploy --dry-run failed:\n${build.stdout}${build.stderr}`);
  const code = readFileSync("dist/index.js");
  return { minified: code.length, gzip: gzipSync(code, { level: 9 }).length };
}

export const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
