// The deployed bundle's size: built as `wrangler deploy` builds it (minified),
// measured gzip-compressed as Cloudflare counts it against the size limit.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

// 128 KiB gzip: a well-kept library is preferred over own code, and nothing is replaced for size alone.
export const BUNDLE_BUDGET = 128 * 1024;

/** One input's share of the minified bundle (bytes), packages summed per package. */
export type Contributor = { input: string; bytes: number };

export function bundleSize(): { minified: number; gzip: number; contributors: Contributor[] } {
  const build = spawnSync(
    "wrangler",
    ["deploy", "--dry-run", "--minify", "--outdir", "dist", "--metafile", "dist/bundle-meta.json"],
    { encoding: "utf8" },
  );
  if (build.status !== 0)
    throw new Error(`wrangler deploy --dry-run failed:\n${build.stdout}${build.stderr}`);
  const code = readFileSync("dist/index.js");
  return {
    minified: code.length,
    gzip: gzipSync(code, { level: 9 }).length,
    contributors: contributors(readFileSync("dist/bundle-meta.json", "utf8")),
  };
}

/** Inputs of esbuild's metafile ranked by bytes in the output, largest first. */
function contributors(metafile: string): Contributor[] {
  const meta = JSON.parse(metafile) as {
    outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }>;
  };
  const sums = new Map<string, number>();
  for (const output of Object.values(meta.outputs))
    for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
      // node_modules/<pkg>/… or node_modules/@scope/<pkg>/… counts as its package.
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1];
      const input = pkg ?? path;
      sums.set(input, (sums.get(input) ?? 0) + bytesInOutput);
    }
  return [...sums].map(([input, bytes]) => ({ input, bytes })).sort((a, b) => b.bytes - a.bytes);
}

export const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
