// `npm run dev` starts here, in plain JavaScript: before `npm ci` there is no
// project Node to run TypeScript, and a newcomer should read what is missing,
// not a loader error. The work itself is in dev.ts.
import { existsSync } from "node:fs";

if (!existsSync("node_modules/wrangler") || !existsSync("node_modules/node")) {
  console.error("[dev] The dependencies are not installed. Run `npm ci` (or `npm install`) first.");
  process.exit(1);
}
await import("./dev.ts");
