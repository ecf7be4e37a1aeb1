// Secrets and optional settings that `wrangler types` cannot see in wrangler.toml.
// Merged into the interface `wrangler types` generates, so both `Env` and `Cloudflare.Env` see them.
interface __BaseEnv_Env {
  RESEND_API_KEY?: string;
  ADMIN_TOKEN?: string;
  TURNSTILE_SECRET_KEY?: string;
  /** Resend's webhook signing secret (`whsec_…`): enables POST /webhooks/resend. */
  RESEND_WEBHOOK_SECRET?: string;
}
