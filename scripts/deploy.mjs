// `npm run deploy`: the one command for the first deployment and for every upgrade.
//  0. The configuration is checked with the worker's own parser (scripts/lib/config-check.ts):
//     a problem stops here, before anything is created or deployed, naming each.
//  1. Each D1 database in wrangler.toml that does not exist yet is created, by name, in the EU
//     jurisdiction. (Wrangler creates missing D1 databases on deploy too, but cannot set their
//     jurisdiction, and a jurisdiction can only be set when a database is created.)
//  2. Pending migrations are applied to each remote database, before the code that needs them.
//  3. `wrangler deploy`, which creates the R2 bucket (in the EU, as wrangler.toml says) the first time.
import { unstable_readConfig } from "wrangler";
import { checkBeforeDeploy, describeCheck } from "./lib/config-check.ts";
import { wrangler } from "./lib/wrangler.mjs";

const JURISDICTION = "eu";
const config = unstable_readConfig({ config: "wrangler.toml" });

// Which secrets are set (never their values); unknown before the worker's first deployment.
const listed = wrangler(["secret", "list", "--format", "json"], {
  capture: true,
  allowFailure: true,
  quiet: true,
});
let secretsSet = null;
try {
  if (listed.ok) secretsSet = JSON.parse(listed.stdout || "[]").map((s) => s.name);
} catch {
  // Not JSON: treated as unknown, like a first deployment.
}
const { errors, notes } = describeCheck(checkBeforeDeploy(config.vars ?? {}, secretsSet));
for (const note of notes) console.log(note);
if (errors.length > 0) {
  console.error(errors.join("\n"));
  process.exit(1);
}
const databases = config.d1_databases;

// Ids written into wrangler.toml (the Deploy to Cloudflare button does that) are used as they are.
const byName = databases.filter((d) => !d.database_id);
if (byName.length > 0) {
  const existing = JSON.parse(wrangler(["d1", "list", "--json"], { capture: true }).stdout);
  for (const db of byName) {
    const found = existing.find((e) => e.name === db.database_name);
    if (!found) {
      console.log(`Creating D1 database ${db.database_name} in the ${JURISDICTION} jurisdiction…`);
      wrangler(["d1", "create", db.database_name, "--jurisdiction", JURISDICTION]);
    } else if (found.jurisdiction && found.jurisdiction !== JURISDICTION) {
      console.warn(
        `Note: D1 database ${db.database_name} exists with jurisdiction "${found.jurisdiction}", not "${JURISDICTION}". ` +
          "A jurisdiction cannot change; to move it, export, delete and deploy again.",
      );
    }
  }
}

for (const db of databases) {
  if (db.migrations_dir) wrangler(["d1", "migrations", "apply", db.binding, "--remote"]);
}

wrangler(["deploy"]);
