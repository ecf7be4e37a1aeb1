// `npm run bench:purge`: how the scheduled purge copes with a backlog.
// Seeds a local D1 with N expired inquiries beside 1M live ones, starts the
// worker with `wrangler dev` (workerd, offline) and fires the real scheduled
// handler with a fixed scheduledTime until nothing expired is left, printing
// time per run and rows per second.
//   npm run bench:purge                  # 100k and 1M expired, 1M live
//   npm run bench:purge -- 20000 50000   # other backlog sizes
//   BENCH_LIVE=100000 npm run bench:purge
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";

const LIVE = Number(process.env.BENCH_LIVE ?? 1_000_000);
const sizes = process.argv.slice(2).map(Number);
const backlogs = sizes.length ? sizes : [100_000, 1_000_000];
const PORT = Number(process.env.BENCH_PORT ?? 8791);
const TOKEN = "bench-admin-token-0123456789abcdef01";
const NOW = Date.UTC(2026, 10, 21, 12);
const DAY = 86_400_000;

function wrangler(args) {
  const r = spawnSync("wrangler", args, { encoding: "utf8", env: { ...process.env, CI: "true" } });
  if (r.status !== 0) {
    process.stderr.write(r.stdout + r.stderr);
    process.exit(1);
  }
}

/** One INSERT … SELECT over a recursive counter per 100k rows: seeding stays fast. */
function seedSql(count, createdFrom, prefix) {
  const out = [];
  for (let done = 0; done < count; done += 100_000) {
    const n = Math.min(100_000, count - done);
    out.push(`WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ${n})
INSERT INTO inquiries (id, created_at, name, email, email_key, service, message, lang, delivery_status)
SELECT '${prefix}' || (${done} + x), ${createdFrom} + ${done} + x, 'Ana Novak', 'a' || x || '@primer.si',
  'a' || x || '@primer.si', 'CNC machining', 'A message of ordinary length asking for a quote.', 'sl', 'sent'
FROM c;`);
  }
  return out.join("\n");
}

async function waitForHealth(base) {
  for (let i = 0; i < 120; i++) {
    try {
      if ((await fetch(`${base}/health`)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error("wrangler dev did not start");
}

async function retention(base) {
  const res = await fetch(`${base}/admin/retention`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  return res.json();
}

for (const expired of backlogs) {
  const dir = `.bench/purge-${expired}`;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const t0 = performance.now();
  wrangler(["d1", "migrations", "apply", "DB", "--local", "--persist-to", dir]);
  wrangler(["d1", "migrations", "apply", "LOG_DB", "--local", "--persist-to", dir]);
  writeFileSync(
    `${dir}/seed.sql`,
    seedSql(LIVE, NOW - 300 * DAY, "live-") + "\n" + seedSql(expired, NOW - 4 * 365 * DAY, "old-"),
  );
  wrangler(["d1", "execute", "DB", "--local", "--persist-to", dir, "--file", `${dir}/seed.sql`]);
  console.log(
    `\nbacklog: ${expired.toLocaleString("en")} expired beside ${LIVE.toLocaleString("en")} live inquiries (seeded in ${((performance.now() - t0) / 1000).toFixed(0)} s)`,
  );

  const dev = spawn(
    "wrangler",
    [
      "dev",
      "--persist-to",
      dir,
      "--port",
      String(PORT),
      "--var",
      `ADMIN_TOKEN:${TOKEN}`,
      "--var",
      "RESEND_API_KEY:",
    ],
    { stdio: "ignore", detached: true },
  );
  const base = `http://127.0.0.1:${PORT}`;
  try {
    await waitForHealth(base);
    let run = 0;
    let total = 0;
    let due = (await retention(base)).due;
    while (due > 0 && run < 60) {
      run++;
      const start = performance.now();
      const res = await fetch(`${base}/cdn-cgi/local/scheduled?time=${NOW}`);
      await res.text();
      const ms = performance.now() - start;
      const left = (await retention(base)).due;
      const removed = due - left;
      total += ms;
      console.log(
        `  run ${run}: ${removed.toLocaleString("en")} rows in ${(ms / 1000).toFixed(2)} s (${Math.round((removed / ms) * 1000).toLocaleString("en")} rows/s)`,
      );
      due = left;
    }
    const after = await retention(base);
    console.log(
      `  all expired rows gone after ${run} runs, ${(total / 1000).toFixed(1)} s in all (${Math.round((expired / total) * 1000).toLocaleString("en")} rows/s); ${after.inquiries.toLocaleString("en")} live rows kept`,
    );
  } finally {
    process.kill(-dev.pid, "SIGTERM");
  }
}
