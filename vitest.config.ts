import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig(async () => {
  const migrations = await readD1Migrations("./schema");
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            // The fake Resend (tests/fakes/resend.ts) answers at this address.
            RESEND_API_KEY: "re_test_0123456789",
            RESEND_BASE_URL: "https://resend.fake",
            // At least 32 characters, and not an example value from .dev.vars.example.
            ADMIN_TOKEN: "test-admin-token-0123456789abcdef0123",
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
