// `npm run size`: build the worker as `wrangler deploy` would and report its
// gzip size against the 64 KiB budget. Exits non-zero when over budget.
import { BUNDLE_BUDGET, bundleSize, kib } from "./lib/bundle.ts";

const { minified, gzip } = bundleSize();
console.log(
  `worker bundle: ${kib(minified)} minified, ${kib(gzip)} gzip (budget ${kib(BUNDLE_BUDGET)})`,
);
if (gzip > BUNDLE_BUDGET) {
  console.error("over budget");
  process.exit(1);
}
