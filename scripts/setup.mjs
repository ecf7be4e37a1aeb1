// `npm run setup`: a first deployment from a clean clone, after `npx wrangler login`.
// Checks that wrangler.toml's [vars] are yours, runs `npm run deploy` (EU databases, schema,
// worker, EU bucket), then sets the secrets the worker needs that are not set yet: a fresh
// ADMIN_TOKEN (printed once) and RESEND_API_KEY (asked for). Safe to run again.
import { randomBytes } from "node:crypto";
import { spawnSync } from "node:child_process";
import { unstable_readConfig } from "wrangler";
import { wrangler } from "./lib/wrangler.mjs";

const config = unstable_readConfig({ config: "wrangler.toml" });
const vars = config.vars ?? {};
const placeholders = ["MAIL_TO", "MAIL_FROM"].filter((name) =>
  /@example\.com\b/i.test(String(vars[name] ?? "")),
);
if (placeholders.length > 0) {
  console.error(
    `wrangler.toml [vars] still has the example ${placeholders.join(" and ")}. Put in your own ` +
      "(MAIL_FROM on the domain you verify in Resend), and set SERVICES and ALLOWED_ORIGINS, then run npm run setup again.",
  );
  process.exit(1);
}

const deploy = spawnSync(process.execPath, ["scripts/deploy.mjs"], { stdio: "inherit" });
if (deploy.status !== 0) process.exit(deploy.status ?? 1);

const listed = wrangler(["secret", "list", "--format", "json"], { capture: true });
const have = new Set(JSON.parse(listed.stdout || "[]").map((s) => s.name));

if (!have.has("ADMIN_TOKEN")) {
  const token = randomBytes(32).toString("hex");
  wrangler(["secret", "put", "ADMIN_TOKEN"], { input: token });
  console.log(
    `\nADMIN_TOKEN (for /admin and the counts on /health), shown only now; keep it in your password manager:\n\n  ${token}\n`,
  );
}
if (!have.has("RESEND_API_KEY")) {
  console.log(
    "\nPaste your Resend API key (resend.com > API Keys, sending access to your domain):",
  );
  wrangler(["secret", "put", "RESEND_API_KEY"]);
}

if (!String(vars.ALLOWED_ORIGINS ?? "").trim()) {
  console.log(
    "\nALLOWED_ORIGINS is empty: only the worker's own page can send. A form on your website is refused\n" +
      "(the browser console names the origin to add) until you put its origin in wrangler.toml,\n" +
      'e.g. ALLOWED_ORIGINS = "https://www.yourcompany.com", and run npm run deploy again.',
  );
}

console.log(`
Deployed. Still to do by hand:
  1. In Resend, verify the domain of MAIL_FROM (its SPF and DKIM DNS records).
  2. Point your form at the worker: <form method="post" action="https://<worker>/inquiry" enctype="multipart/form-data">
  3. Open https://<worker>/health: it says "ok":true once the configuration and mail are in order,
     and names each problem by code otherwise (see docs/troubleshooting.md).
Later upgrades: git pull && npm ci && npm run deploy`);
