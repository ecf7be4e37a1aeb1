import { readFileSync } from "node:fs";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { unstable_readConfig } from "wrangler";
import { defineConfig } from "vitest/config";

type WranglerConfig = ReturnType<typeof unstable_readConfig>;

/** Every name wrangler.toml gives the worker, read by wrangler itself, for tests/declared-env.test.ts. */
function declaredInWrangler(c: WranglerConfig) {
  const names = (list: readonly object[] | undefined, key: "binding" | "name") =>
    (list ?? []).map((b) => String((b as Record<string, unknown>)[key]));
  return {
    vars: Object.keys(c.vars ?? {}),
    bindings: [
      ...names(c.d1_databases, "binding"),
      ...names(c.r2_buckets, "binding"),
      ...names(c.kv_namespaces, "binding"),
      ...names(c.ratelimits, "name"),
      ...names(c.queues.producers, "binding"),
      ...names(c.services, "binding"),
      ...names(c.durable_objects.bindings, "name"),
    ],
  };
}

/**
 * Every variable as wrangler.toml sets it and every secret of .dev.vars.example
 * unset: the plugin also reads a developer's own .dev.vars, whose values
 * (a webhook secret, another MAIL_TO) must not change what the tests see.
 */
function withoutDevVars(c: WranglerConfig): Record<string, unknown> {
  // Commented-out entries too, as tests/declared-env.test.ts reads the file.
  const secrets = [
    ...readFileSync(".dev.vars.example", "utf8").matchAll(/^#?[ \t]*([A-Z][A-Z0-9_]*)=/gm),
  ];
  return {
    ...Object.fromEntries(secrets.map((m) => [m[1]!, ""])),
    ...(c.vars ?? {}),
  };
}

export default defineConfig(async () => {
  const wrangler = unstable_readConfig({ config: "./wrangler.toml" });
  const migrations = await readD1Migrations("./schema");
  const logMigrations = await readD1Migrations("./schema-log");
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            ...withoutDevVars(wrangler),
            TEST_MIGRATIONS: migrations,
            TEST_LOG_MIGRATIONS: logMigrations,
            TEST_DECLARED: declaredInWrangler(wrangler),
            // The fake Resend (tests/fakes/resend.ts) answers at this address.
            RESEND_API_KEY: "re_test_0123456789",
            RESEND_BASE_URL: "https://resend.fake",
            // The worker's public origin: file and release links start with it.
            PUBLIC_URL: "https://forms.example.com",
            // At least 32 characters, and not an example value from .dev.vars.example.
            ADMIN_TOKEN: "test-admin-token-0123456789abcdef0123",
          },
        },
      }),
    ],
    test: {
      // limiterWindowAhead (tests/helpers.ts) may wait up to 10 s for a fresh rate-limit minute.
      testTimeout: 30_000,
      include: ["tests/**/*.test.ts"],
      setupFiles: ["./tests/setup/apply-migrations.ts"],
    },
  };
});
