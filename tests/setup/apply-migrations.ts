import { applyD1Migrations, env } from "cloudflare:test";

// The same migrations `wrangler d1 migrations apply` runs, on the test's local D1 databases.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
await applyD1Migrations(env.LOG_DB, env.TEST_LOG_MIGRATIONS);
