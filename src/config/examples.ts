/**
 * Every value in `.dev.vars.example` starts with this marker. The Deploy to
 * Cloudflare button pre-fills each uncommented entry of that file with its
 * example value, so a deployer who accepts the suggestions would ship it
 * (workers-sdk discussion 14639); the worker refuses any secret that starts
 * with the marker, so no example value works anywhere. Compared without case.
 */
export const EXAMPLE_VALUE_PREFIX = "replace-me";

/** The secrets (and the site key that goes with one) that `.dev.vars.example` shows. */
export const SECRET_NAMES = [
  "RESEND_API_KEY",
  "ADMIN_TOKEN",
  "TURNSTILE_SECRET_KEY",
  "RESEND_WEBHOOK_SECRET",
] as const;

export function isExampleValue(value: string): boolean {
  return value.trim().toLowerCase().startsWith(EXAMPLE_VALUE_PREFIX);
}
