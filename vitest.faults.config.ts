import { defineConfig } from "vitest/config";

// `npm run test:faults`: the load test under storage and Resend faults
// (e2e/faults.load.ts), apart from `npm run test:e2e` for its length.
export default defineConfig({
  test: {
    include: ["e2e/faults.load.ts"],
    environment: "node",
    testTimeout: 3_600_000,
    hookTimeout: 600_000,
  },
});
