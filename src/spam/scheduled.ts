import { deleteAttachments } from "../store/attachments.ts";
import { deleteExpiredSpam } from "../store/spam.ts";
import { sendSpamDigest, spamCutoff, type DigestDeps } from "./digest.ts";

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
 * it does not keep (storage limitation, GDPR Art. 5(1)(e)).
 */
export async function purgeSpam(deps: {
  db: D1Database;
  bucket: R2Bucket;
  now: number;
  days: number;
}): Promise<number> {
  const cutoff = spamCutoff(deps.now, deps.days);
  let total = 0;
  try {
    for (let i = 0; i < MAX_CHUNKS; i++) {
      const { deleted, keys } = await deleteExpiredSpam(deps.db, cutoff, CHUNK);
      await deleteAttachments(deps.bucket, keys);
      total += deleted;
      if (deleted < CHUNK) break;
    }
  } catch (err) {
    console.error(`spam purge failed: ${err instanceof Error ? err.name : "error"}`);
  }
  if (total > 0) console.log(`purge: ${total} quarantined or dismissed inquiries`);
  return total;
}
