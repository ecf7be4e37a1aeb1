// Prints "N passed, N failed" from vitest's JSON report(s) and exits non-zero
// when a test or another CI step failed (the step count is the last argument).
import { existsSync, readFileSync } from "node:fs";

const args = process.argv.slice(2);
const failedSteps = Number(args.pop() ?? 0);
let passed = 0;
let failed = 0;
for (const file of args) {
  if (!existsSync(file)) {
    failed++; // a runner that wrote no report failed before it could count
    continue;
  }
  const report = JSON.parse(readFileSync(file, "utf8"));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || failedSteps > 0 || passed === 0 ? 1 : 0);
