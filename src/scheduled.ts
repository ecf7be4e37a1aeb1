import { loadConfig, parseRetention } from "./config/config.ts";
import { deliverDue, deliveryDeps, senderFor } from "./mail/deliver.ts";
import { purge } from "./retention/purge.ts";
import { purgeSpam, runSpamDigest } from "./spam/scheduled.ts";
import { purgeSubmissionKeys } from "./store/submission-keys.ts";
import { allowances, BEFORE_DELIVERY, parsePlan } from "./schedule/budget.ts";

/**
 * One scheduled run at `now` (the event's scheduledTime, never the wall clock):
 * purge what has expired, then send the mail that is due. The purge goes
 * first and on its own: no delivery trouble (a send that throws, hangs or
 * kills the isolate) can delay or stop the deletions the privacy notice promises.
 * The purge needs only the retention variables: another configuration problem
 * never stops the deletions. A retention variable that is itself invalid skips
 * only its own part, logged as `purge skipped: NAME out_of_range`. A mail
 * setting with a problem stops only delivery and the digest (mail waits).
 * Each duty spends at most its share of the plan's calls per invocation
 * (`PLAN`), so every duty moves on every run whatever the backlogs.
 */
export async function runScheduled(env: Env, _ctx: ExecutionContext, now: number): Promise<void> {
  const retention = parseRetention(env, (code, name) =>
    console.error(`purge skipped: ${name} ${code}`),
  );
  // Each duty's share of the plan's calls per invocation (schedule/budget.ts).
  const budget = allowances(parsePlan(env.PLAN));
  try {
    const p = await purge({
      budget,
      db: env.DB,
      logDb: env.LOG_DB,
      bucket: env.ATTACHMENTS,
      now,
      retentionMonths: retention.retentionMonths,
      logRetentionDays: retention.logRetentionDays,
    });
    if (p.inquiries + p.logs + p.spent + p.orphans > 0 || p.incomplete) {
      console.log(
        `purge: ${p.inquiries} inquiries, ${p.files} files, ${p.logs} log entries, ${p.spent} files no longer needed, ${p.orphans} orphaned files${p.incomplete ? " (more next run)" : ""}`,
      );
    }
  } catch (err) {
    // The next run tries again; delivery still runs now.
    console.error(`purge failed: ${err instanceof Error ? err.name : "error"}`);
  }
  // Quarantined and dismissed inquiries after SPAM_RETENTION_DAYS (never throws).
  if (retention.spamRetentionDays !== null) {
    await purgeSpam({
      db: env.DB,
      bucket: env.ATTACHMENTS,
      now,
      days: retention.spamRetentionDays,
      allowance: budget.spam,
    });
  }

  // Idempotency keys answer for 24 hours, then go (one indexed DELETE).
  if (budget.keys.take(1)) {
    await purgeSubmissionKeys(env.DB, now).catch((err: unknown) => {
      console.error(`submission key purge failed: ${err instanceof Error ? err.name : "error"}`);
    });
  }
  // What the purges did not need goes to the mail people are waiting for.
  for (const duty of BEFORE_DELIVERY) budget.deliveries.grant(budget[duty].left());

  const { config } = loadConfig(env); // it logs its problems once per isolate
  const send = senderFor(config); // null while mail is off or there is no API key
  if (!send) return;
  try {
    const r = await deliverDue({
      ...deliveryDeps(env, config, send, now),
      allowance: budget.deliveries,
    });
    if (r.sent + r.retried + r.failed + r.skipped + r.deferred > 0) {
      console.log(
        `deliveries: ${r.sent} sent, ${r.retried} to retry, ${r.failed} failed, ${r.skipped} skipped, ${r.deferred} left for the next run`,
      );
    }
  } catch (err) {
    console.error(`delivery run failed: ${err instanceof Error ? err.name : "error"}`);
  }
  // Once a day, the spam digest (never throws).
  await runSpamDigest({ db: env.DB, config, send, now, allowance: budget.digest });
}
