import { loadConfig } from "./config/config.ts";
import { deliverDue, deliveryDeps, senderFor } from "./mail/deliver.ts";
import { purge } from "./retention/purge.ts";
import { purgeSpam, runSpamDigest } from "./spam/scheduled.ts";

/**
 * One scheduled run at `now` (the event's scheduledTime, never the wall clock):
 * send the mail that is due, then purge what has expired.
 */
export async function runScheduled(env: Env, _ctx: ExecutionContext, now: number): Promise<void> {
  const result = loadConfig(env);
  if (!result.ok) return; // loadConfig has logged the problems
  const { config } = result;

  const send = senderFor(config);
  if (send) {
    try {
      const r = await deliverDue(deliveryDeps(env, config, send, now));
      if (r.sent + r.retried + r.failed > 0) {
        console.log(`deliveries: ${r.sent} sent, ${r.retried} to retry, ${r.failed} failed`);
      }
    } catch (err) {
      // Delivery trouble must not stop the purge the privacy notice promises.
      console.error(`delivery run failed: ${err instanceof Error ? err.name : "error"}`);
    }
  }

  // (b) of the scheduled run: the daily spam digest; its trouble stops nothing else.
  if (send) await runSpamDigest({ db: env.DB, config, send, now });

  const p = await purge({
    db: env.DB,
    logDb: env.LOG_DB,
    bucket: env.ATTACHMENTS,
    now,
    retentionMonths: config.retentionMonths,
    logRetentionDays: config.logRetentionDays,
  });
  await purgeSpam({ db: env.DB, bucket: env.ATTACHMENTS, now, days: config.spamRetentionDays });
  if (p.inquiries + p.logs + p.orphans > 0 || p.incomplete) {
    console.log(
      `purge: ${p.inquiries} inquiries, ${p.files} files, ${p.logs} log entries, ${p.orphans} orphaned files${p.incomplete ? " (more next run)" : ""}`,
    );
  }
}
