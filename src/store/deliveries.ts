import type { InquiryRow } from "./inquiries.ts";

/**
 * The delivery state on the inquiries table: claiming due rows and recording
 * each send's outcome. Every update is conditional on the sender's claim
 * token, so a sender whose lease ran out changes nothing. Times in ms.
 */

/**
 * Atomically claims up to `limit` due rows until `until`: a single
 * UPDATE … RETURNING, so two overlapping runs can never both hold the same
 * inquiry. A row born claimed by its submission (lease still running) is skipped.
 */
export async function claimDue(
  db: D1Database,
  now: number,
  claim: { token: string; until: number },
  limit: number,
): Promise<InquiryRow[]> {
  const { results } = await db
    .prepare(
      `UPDATE inquiries SET claimed_until = ?1, claim_token = ?2
       WHERE id IN (
         SELECT id FROM inquiries
         WHERE delivery_status = 'pending' AND next_attempt_at <= ?3
           AND (claimed_until IS NULL OR claimed_until <= ?3)
         ORDER BY next_attempt_at LIMIT ?4)
       RETURNING *`,
    )
    .bind(claim.until, claim.token, now, limit)
    .all<InquiryRow>();
  return results;
}

/** Records that Resend accepted the mail; false when the claim was no longer ours. */
export async function markSent(
  db: D1Database,
  id: string,
  token: string,
  o: { attempts: number; at: number; resendId: string },
): Promise<boolean> {
  const { meta } = await db
    .prepare(
      `UPDATE inquiries SET delivery_status = 'sent', delivery_attempts = ?1, sent_at = ?2,
         resend_id = ?3, last_error = NULL, next_attempt_at = NULL, claimed_until = NULL,
         claim_token = NULL, attachment_key = NULL
       WHERE id = ?4 AND claim_token = ?5`,
    )
    .bind(o.attempts, o.at, o.resendId, id, token)
    .run();
  return meta.changes > 0;
}

/** Releases the claim and schedules the next attempt at `nextAt`. */
export async function markRetry(
  db: D1Database,
  id: string,
  token: string,
  o: { attempts: number; error: string; nextAt: number },
): Promise<void> {
  await db
    .prepare(
      `UPDATE inquiries SET delivery_attempts = ?1, last_error = ?2, next_attempt_at = ?3,
         claimed_until = NULL, claim_token = NULL
       WHERE id = ?4 AND claim_token = ?5`,
    )
    .bind(o.attempts, o.error, o.nextAt, id, token)
    .run();
}

/** Gives the delivery up: `failed`, with the error code (never personal data). */
export async function markFailed(
  db: D1Database,
  id: string,
  token: string,
  o: { attempts: number; error: string },
): Promise<void> {
  await db
    .prepare(
      `UPDATE inquiries SET delivery_status = 'failed', delivery_attempts = ?1, last_error = ?2,
         next_attempt_at = NULL, claimed_until = NULL, claim_token = NULL
       WHERE id = ?3 AND claim_token = ?4`,
    )
    .bind(o.attempts, o.error, id, token)
    .run();
}
