import type { D1Migration } from "cloudflare:test";

declare global {
  namespace Cloudflare {
    interface Env {
      TEST_MIGRATIONS: D1Migration[];
      TEST_LOG_MIGRATIONS: D1Migration[];
      /** What wrangler.toml declares, as wrangler reads it (vitest.config.ts). */
      TEST_DECLARED: { vars: string[]; bindings: string[] };
    }
  }
}
