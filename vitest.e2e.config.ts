import { defineConfig } from "vitest/config";

// Browser tests: Node drives Debian's Chromium (playwright-core) against
// `wrangler dev`, with the fake Resend as a real HTTP server.
export default defineConfig({
  test: {
    include: ["e2e/**/*.e2e.ts"],
    environment: "node",
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
