import type { InquiryRow } from "./inquiries.ts";

/**
 * The delivery state on the inquiries table: claiming due rows and recording
 * each send's outcome. Every write after the claim is conditional on the
 * sender's claim token, so a sender whose lease ran out changes nothing.
 * Times in ms since the epoch: `now` is the run's time (the scheduled event's),
 * `wallNow` the wall clock that leases are measured by.
 */

/** A due row that was given up instead of claimed, and why (a code, no personal data). */
export interface GivenUp {
  id: string;
  code: "attempts_exhausted" | "retry_window_closed";
}

/**
 * Marks `failed` the due, unheld, unleased pending rows that may not be tried
 * again: `maxAttempts` attempts already began (the last one never reported:
 * its run died), or the first attempt lies `windowMs` or more before `now`.
 */
export async function giveUpExpired(
  db: D1Database,
  now: number,
  wallNow: number,
  maxAttempts: number,
  windowMs: number,
): Promise<GivenUp[]> {
  const { results } = await db
    .prepare(GIVE_UP_EXPIRED_SQL)
    .bind(now, wallNow, maxAttempts, windowMs)
    .all<{ id: string; last_error: GivenUp["code"] }>();
  return results.map((r) => ({ id: r.id, code: r.last_error }));
}

/**
 * ?1: now, ?2: wall clock, ?3: attempt limit, ?4: window (ms). Reads only the
 * `inquiries_due` index (pending rows). Exported for the query-plan test.
 */
export const GIVE_UP_EXPIRED_SQL = `UPDATE inquiries INDEXED BY inquiries_due
  SET delivery_status = 'failed',
    last_error = CASE WHEN delivery_attempts >= ?3 THEN 'attempts_exhausted'
                      ELSE 'retry_window_closed' END,
    next_attempt_at = NULL, claimed_until = NULL, claim_token = NULL
  WHERE delivery_status = 'pending' AND hold = 0 AND next_attempt_at <= ?1
    AND (claimed_until IS NULL OR claimed_until <= ?2)
    AND (delivery_attempts >= ?3 OR first_attempt_at <= ?1 - ?4)
  RETURNING id, last_error`;

/**
 * Atomically claims up to `limit` due, unheld pending rows until `claim.until`
 * (wall clock), counting the attempt now: a single UPDATE … RETURNING, so two
 * overlapping runs never both hold a row, and a send that kills the run still
 * counts. The first claim under the current key stamps `first_attempt_at`.
 * A row whose lease still runs (its submission is mailing it) is skipped.
 * Returns the rows as they are after the claim.
 */
export async function claimDue(
  db: D1Database,
  now: number,
  wallNow: number,
  claim: { token: string; until: number },
  limit: number,
): Promise<InquiryRow[]> {
  const { results } = await db
    .prepare(CLAIM_DUE_SQL)
    .bind(claim.until, claim.token, now, wallNow, limit)
    .all<InquiryRow>();
  return results;
}

/**
 * ?1: lease until, ?2: token, ?3: now, ?4: wall clock, ?5: limit. The due rows
 * are read on the `inquiries_due` partial index only (SQLite without statistics
 * would otherwise pick the status index and sort). Exported for the query-plan test.
 */
export const CLAIM_DUE_SQL = `UPDATE inquiries SET claimed_until = ?1, claim_token = ?2,
    delivery_attempts = delivery_attempts + 1,
    first_attempt_at = coalesce(first_attempt_at, ?3)
  WHERE id IN (
    SELECT id FROM inquiries INDEXED BY inquiries_due
    WHERE delivery_status = 'pending' AND hold = 0 AND next_attempt_at <= ?3
      AND (claimed_until IS NULL OR claimed_until <= ?4)
    ORDER BY next_attempt_at LIMIT ?5)
  RETURNING *`;

/**
 * Right before a send: confirms the row is still ours, still pending and not
 * held (an erasure or a hold may have come since the claim) and renews the
 * lease so it covers this send. False: leave the row alone.
 */
export async function renewClaim(
  db: D1Database,
  id: string,
  token: string,
  until: number,
): Promise<boolean> {
  const { meta } = await db
    .prepare(
      `UPDATE inquiries SET claimed_until = ?1
       WHERE id = ?2 AND claim_token = ?3 AND delivery_status = 'pending' AND hold = 0`,
    )
    .bind(until, id, token)
    .run();
  return meta.changes > 0;
}

/**
 * Gives back claimed rows this run will not reach, so the next run need not
 * wait for the lease; their uncounted attempt (and a first-attempt time it
 * stamped) is taken back.
 */
export async function releaseClaims(db: D1Database, ids: string[], token: string): Promise<void> {
  for (let i = 0; i < ids.length; i += 90) {
    const chunk = ids.slice(i, i + 90);
    await db
      .prepare(
        `UPDATE inquiries SET claimed_until = NULL, claim_token = NULL,
           delivery_attempts = delivery_attempts - 1,
           first_attempt_at = CASE WHEN delivery_attempts = 1 THEN NULL ELSE first_attempt_at END
         WHERE claim_token = ?1 AND id IN (${chunk.map(() => "?").join(",")})`,
      )
      .bind(token, ...chunk)
      .run();
  }
}

/**
 * Records that Resend accepted the mail at `at`. `resendId` is null when
 * Resend answered that an earlier attempt under the key was accepted (its id
 * then is unknown). False when the claim was no longer ours.
 */
export async function markSent(
  db: D1Database,
  id: string,
  token: string,
  o: { at: number; resendId: string | null },
): Promise<boolean> {
  const { meta } = await db
    .prepare(
      `UPDATE inquiries SET delivery_status = 'sent', sent_at = ?1, resend_id = ?2,
         last_error = NULL, next_attempt_at = NULL, claimed_until = NULL, claim_token = NULL
       WHERE id = ?3 AND claim_token = ?4`,
    )
    .bind(o.at, o.resendId, id, token)
    .run();
  return meta.changes > 0;
}

/** Remembers that Resend refused the visitor's address as `reply_to`: later sends leave it out. */
export async function markReplyToRefused(db: D1Database, id: string, token: string): Promise<void> {
  await db
    .prepare("UPDATE inquiries SET reply_to_refused = 1 WHERE id = ?1 AND claim_token = ?2")
    .bind(id, token)
    .run();
}

/** Releases the claim and schedules the next attempt at `nextAt`. */
export async function markRetry(
  db: D1Database,
  id: string,
  token: string,
  o: { error: string; nextAt: number },
): Promise<void> {
  await db
    .prepare(
      `UPDATE inquiries SET last_error = ?1, next_attempt_at = ?2,
         claimed_until = NULL, claim_token = NULL
       WHERE id = ?3 AND claim_token = ?4`,
    )
    .bind(o.error, o.nextAt, id, token)
    .run();
}

/** Gives the delivery up: `failed`, with the error code (never personal data). */
export async function markFailed(
  db: D1Database,
  id: string,
  token: string,
  o: { error: string },
): Promise<boolean> {
  const { meta } = await db
    .prepare(
      `UPDATE inquiries SET delivery_status = 'failed', last_error = ?1,
         next_attempt_at = NULL, claimed_until = NULL, claim_token = NULL
       WHERE id = ?2 AND claim_token = ?3`,
    )
    .bind(o.error, id, token)
    .run();
  return meta.changes > 0;
}

/** Remembers that Resend could not fetch the file's link: later sends carry it inline. */
export async function markLinkRefused(db: D1Database, id: string, token: string): Promise<void> {
  await db
    .prepare("UPDATE inquiries SET link_refused = 1 WHERE id = ?1 AND claim_token = ?2")
    .bind(id, token)
    .run();
}

/**
 * Hands a row back after a 429 without counting the attempt (Resend sent
 * nothing): due again at `nextAt`, and a first-attempt time this claim
 * stamped is taken back, as `releaseClaims` does.
 */
export async function handBack(
  db: D1Database,
  id: string,
  token: string,
  o: { nextAt: number; error: string },
): Promise<void> {
  await db
    .prepare(
      `UPDATE inquiries SET claimed_until = NULL, claim_token = NULL, next_attempt_at = ?1,
         last_error = ?2, delivery_attempts = delivery_attempts - 1,
         first_attempt_at = CASE WHEN delivery_attempts = 1 THEN NULL ELSE first_attempt_at END
       WHERE id = ?3 AND claim_token = ?4`,
    )
    .bind(o.nextAt, o.error, id, token)
    .run();
}
