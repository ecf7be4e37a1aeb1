import { deleteAttachments } from "../store/attachments.ts";
import { Allowance } from "../schedule/budget.ts";
import { deleteExpiredSpam, deleteUnlistedOverflow } from "../store/spam.ts";
import { sendSpamDigest, spamCutoff, SPAM_UNLISTED_KEEP, type DigestDeps } from "./digest.ts";

/** Rows per DELETE, and DELETEs per run: a backlog beyond resumes on the next run. */
const CHUNK = 500;
const MAX_CHUNKS = 20;

/** The daily digest within a scheduled run: logged, never thrown. */
export async function runSpamDigest(deps: DigestDeps): Promise<void> {
  try {
    const outcome = await sendSpamDigest(deps);
    if (outcome === "sent") console.log("spam digest sent");
  } catch (err) {
    console.error(`spam digest failed: ${err instanceof Error ? err.name : "error"}`);
  }
}

/**
 * Deletes quarantined and dismissed inquiries older than SPAM_RETENTION_DAYS
 * days, except those on hold, with their files: data a company does not use,
 * it does not keep (storage limitation, GDPR Art. 5(1)(e)). A quarantined one
 * no digest has listed stays until one does; of those, no more than
 * SPAM_UNLISTED_KEEP are kept past the retention (the oldest beyond go, and
 * the next digest says how many). Each step (a DELETE and an R2 delete) is
 * paid from `allowance`; a backlog goes on in the next run. Never throws.
 */
export async function purgeSpam(deps: {
  db: D1Database;
  bucket: R2Bucket;
  now: number;
  days: number;
  allowance?: Allowance;
}): Promise<number> {
  const cutoff = spamCutoff(deps.now, deps.days);
  const allowance = deps.allowance ?? new Allowance(MAX_CHUNKS * 2 + 2);
  let total = 0;
  let unlisted = 0;
  try {
    // The flood's bound first, so it is kept even when the listed backlog is long.
    if (allowance.take(2)) {
      const r = await deleteUnlistedOverflow(deps.db, cutoff, SPAM_UNLISTED_KEEP, CHUNK);
      if (r.keys.length === 0) allowance.refund(1);
      await deleteAttachments(deps.bucket, r.keys);
      unlisted = r.deleted;
    }
    for (let i = 0; i < MAX_CHUNKS && allowance.take(2); i++) {
      const { deleted, keys } = await deleteExpiredSpam(deps.db, cutoff, CHUNK);
      if (keys.length === 0) allowance.refund(1);
      await deleteAttachments(deps.bucket, keys);
      total += deleted;
      if (deleted < CHUNK) break;
    }
  } catch (err) {
    console.error(`spam purge failed: ${err instanceof Error ? err.name : "error"}`);
  }
  if (total > 0) console.log(`purge: ${total} quarantined or dismissed inquiries`);
  if (unlisted > 0) {
    console.warn(
      `purge: ${unlisted} quarantined inquiries deleted unlisted (more than ${SPAM_UNLISTED_KEEP} waited)`,
    );
  }
  return total + unlisted;
}
