// `npm run size`: build the worker as `wrangler deploy` would and report its
// gzip size against the 128 KiB budget. Exits non-zero when over budget, naming
// the largest inputs (minified bytes) so the next person knows where to look.
import { BUNDLE_BUDGET, bundleSize, kib } from "./lib/bundle.ts";

const { minified, gzip, contributors } = bundleSize();
console.log(
  `worker bundle: ${kib(minified)} minified, ${kib(gzip)} gzip (budget ${kib(BUNDLE_BUDGET)})`,
);
if (gzip > BUNDLE_BUDGET) {
  console.error("over budget; largest inputs (minified):");
  for (const { input, bytes } of contributors.slice(0, 15))
    console.error(`  ${kib(bytes).padStart(9)}  ${input}`);
  process.exit(1);
}
