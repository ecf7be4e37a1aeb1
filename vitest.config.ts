import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig(async () => {
  const migrations = await readD1Migrations("./schema");
  const logMigrations = await readD1Migrations("./schema-log");
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            TEST_LOG_MIGRATIONS: logMigrations,
            // The fake Resend (tests/fakes/resend.ts) answers at this address.
            RESEND_API_KEY: "re_test_0123456789",
            RESEND_BASE_URL: "https://resend.fake",
            ADMIN_TOKEN: "test-admin-token-0123456789",
          },
        },
      }),
    ],
    test: {
      include: ["tests/**/*.test.ts"],
      setupFiles: ["./tests/setup/apply-migrations.ts"],
    },
  };
});
