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

/**
 * The domains RFC 2606 reserves for documentation and tests: `example.com`,
 * `.net` and `.org` (§3) with their subdomains, and the TLDs `.example`,
 * `.test`, `.invalid` and `.localhost` (§2). No mail to or from them can be
 * real, so an address there means the committed example of wrangler.toml was
 * deployed unchanged (the Deploy button pre-fills [vars] from it).
 */
const RESERVED_SECOND_LEVEL = ["example.com", "example.net", "example.org"];
const RESERVED_TLDS = ["example", "test", "invalid", "localhost"];

/** Whether a mailbox (`addr@domain` or `Name <addr@domain>`) is on a domain of RFC 2606. */
export function isExampleAddress(mailbox: string): boolean {
  const open = mailbox.lastIndexOf("<");
  const address = open >= 0 ? mailbox.slice(open + 1, mailbox.lastIndexOf(">")) : mailbox;
  const domain = address
    .slice(address.lastIndexOf("@") + 1)
    .trim()
    .toLowerCase()
    .replace(/\.$/, "");
  return (
    RESERVED_SECOND_LEVEL.some((d) => domain === d || domain.endsWith(`.${d}`)) ||
    RESERVED_TLDS.includes(domain.slice(domain.lastIndexOf(".") + 1))
  );
}
