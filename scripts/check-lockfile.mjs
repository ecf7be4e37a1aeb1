// Fails when package-lock.json misses a package that some platform installs.
// npm records every optional dependency (workerd's and esbuild's per-platform
// binaries among them) for all platforms, but a lockfile written by a pruned or
// older install can lack them; `npm ci` then refuses to install (EUSAGE) on a
// clean clone, and a Mac or Windows install may end up without the runtime.
// Rule: each dependency and optional dependency of each locked package must
// resolve, the way Node resolves it (the nearest node_modules up the path), to
// a locked entry. Usage: node scripts/check-lockfile.mjs [path/to/package-lock.json]
import { readFileSync } from "node:fs";

const file = process.argv[2] ?? "package-lock.json";
const lock = JSON.parse(readFileSync(file, "utf8"));
const packages = lock.packages ?? {};
const missing = [];

/** Where Node would find `name` when required from the package at `from`. */
function resolves(from, name) {
  let dir = from;
  for (;;) {
    const candidate = dir ? `${dir}/node_modules/${name}` : `node_modules/${name}`;
    if (candidate in packages) return true;
    if (!dir) return false;
    const cut = dir.lastIndexOf("/node_modules/");
    dir = cut === -1 ? "" : dir.slice(0, cut);
  }
}

for (const [path, entry] of Object.entries(packages)) {
  if (entry.link) continue;
  const wanted = {
    ...entry.dependencies,
    ...entry.optionalDependencies,
    ...(path === "" ? entry.devDependencies : {}),
  };
  for (const name of Object.keys(wanted)) {
    if (!resolves(path, name)) missing.push(`${name} (needed by ${path || "the project"})`);
  }
}

if (missing.length > 0) {
  console.error(
    `${file} is incomplete; run \`npm install --package-lock-only\` and commit it. Missing:`,
  );
  for (const m of missing) console.error(`  ${m}`);
  process.exit(1);
}
console.log(
  `${file}: every dependency of every platform is locked (${Object.keys(packages).length} entries)`,
);
