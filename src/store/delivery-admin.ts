import { readRejected } from "./webhook-state.ts";
import type { DeliveryStatus } from "../domain/inquiry.ts";

/**
 * The operator's view of the delivery state (GET /admin/deliveries) and what
 * /health reads of it. Times in ms since the epoch. Ids travel as one JSON
 * parameter (`json_each`), so a list of any length stays within D1's limit of
 * 100 bound parameters per statement.
 */

/** The states an operator lists, and those an operator may retry or dismiss. */
export const LISTABLE: readonly DeliveryStatus[] = ["pending", "failed", "bounced", "quarantined"];
export const REQUEUEABLE: readonly DeliveryStatus[] = ["failed", "bounced", "quarantined"];

export interface DeliveryRow {
  id: string;
  created_at: number;
  status: DeliveryStatus;
  attempts: number;
  last_error: string | null;
  next_attempt_at: number | null;
  /** Null when not scored (SPAM_FILTER=off, or stored before scoring). */
  spam_score: number | null;
  spam_reasons: string | null;
}

/** Where a page of `listDeliveries` ends: the last row's time (ms) and id. */
export interface DeliveryCursor {
  createdAt: number;
  id: string;
}

/**
 * Inquiries in `statuses`, newest first (by time, then id), at most `limit`,
 * after `after` when given (keyset paging: a row added meanwhile shifts no
 * page); on the (status, created_at) index.
 */
export async function listDeliveries(
  db: D1Database,
  statuses: readonly DeliveryStatus[],
  limit: number,
  after: DeliveryCursor | null = null,
): Promise<DeliveryRow[]> {
  const { results } = await db
    .prepare(
      `SELECT id, created_at, delivery_status AS status, delivery_attempts AS attempts,
         last_error, next_attempt_at, spam_score, spam_reasons
       FROM inquiries
       WHERE delivery_status IN (SELECT value FROM json_each(?1))
         AND (?3 IS NULL OR created_at < ?3 OR (created_at = ?3 AND id < ?4))
       ORDER BY created_at DESC, id DESC LIMIT ?2`,
    )
    .bind(JSON.stringify(statuses), limit, after?.createdAt ?? null, after?.id ?? null)
    .all<DeliveryRow>();
  return results;
}

/**
 * An operator's retry: those of `ids` that are failed, bounced or quarantined
 * become pending, due at `now`, under the next operator-retry number (so the
 * send uses a new Idempotency-Key, `inquiry-<id>-r<n>`). The new key starts a
 * new attempt count and 23-hour window; Resend's id and the events of the old
 * e-mail no longer match the row. Returns the ids requeued.
 */
export async function requeueDeliveries(
  db: D1Database,
  ids: readonly string[],
  now: number,
): Promise<string[]> {
  const { results } = await db
    .prepare(
      `UPDATE inquiries SET delivery_status = 'pending', next_attempt_at = ?2,
         operator_retries = operator_retries + 1, delivery_attempts = 0, first_attempt_at = NULL,
         resend_id = NULL, sent_at = NULL, last_error = NULL, event_at = NULL,
         claimed_until = NULL, claim_token = NULL
       WHERE id IN (SELECT value FROM json_each(?1))
         AND delivery_status IN (SELECT value FROM json_each(?3))
       RETURNING id`,
    )
    .bind(JSON.stringify(ids), now, JSON.stringify(REQUEUEABLE))
    .all<{ id: string }>();
  return results.map((r) => r.id);
}

/**
 * An operator's dismissal: those of `ids` that are failed, bounced or
 * quarantined become dismissed (kept, never mailed, off /health). Returns
 * their ids and the R2 keys of files they no longer need, for the caller to
 * delete; the row forgets the key in the same transaction.
 */
export async function dismissDeliveries(
  db: D1Database,
  ids: readonly string[],
): Promise<{ ids: string[]; keys: string[] }> {
  const params = [JSON.stringify(ids), JSON.stringify(REQUEUEABLE)];
  const where = `id IN (SELECT value FROM json_each(?1))
    AND delivery_status IN (SELECT value FROM json_each(?2))`;
  // One batch is one transaction: the keys read are those of exactly the rows changed.
  const [files, changed] = await db.batch<{ id: string; attachment_key: string | null }>([
    db.prepare(`SELECT id, attachment_key FROM inquiries WHERE ${where}`).bind(...params),
    db
      .prepare(
        `UPDATE inquiries SET delivery_status = 'dismissed', attachment_key = NULL,
           next_attempt_at = NULL, claimed_until = NULL, claim_token = NULL
         WHERE ${where} RETURNING id`,
      )
      .bind(...params),
  ]);
  return {
    ids: changed!.results.map((r) => r.id),
    keys: files!.results.map((r) => r.attachment_key).filter((k): k is string => k !== null),
  };
}

/** What /health needs to know without a token: three index seeks, no scan. */
export interface DeliverySummary {
  anyFailed: boolean;
  anyBounced: boolean;
  /** created_at of the oldest pending inquiry not on hold, or null. */
  oldestWaiting: number | null;
  /** Signed-looking webhook requests that failed verification since the last verified one. */
  webhookRejected: { n: number; last: number } | null;
}

/**
 * One statement, each part a seek on the (delivery_status, created_at) index
 * that stops at its first row (the oldest-pending part steps over held rows,
 * which an operator holds on purpose and are few): its cost does not grow
 * with the table. Tested with EXPLAIN QUERY PLAN.
 */
export const DELIVERY_SUMMARY_SQL = `SELECT
  EXISTS (SELECT 1 FROM inquiries WHERE delivery_status = 'failed') AS any_failed,
  EXISTS (SELECT 1 FROM inquiries WHERE delivery_status = 'bounced') AS any_bounced,
  (SELECT created_at FROM inquiries WHERE delivery_status = 'pending' AND hold = 0
     ORDER BY created_at LIMIT 1) AS oldest_waiting,
  (SELECT value FROM worker_state WHERE name = 'webhook_rejected') AS webhook_rejected`;

export async function deliverySummary(db: D1Database): Promise<DeliverySummary> {
  const row = await db.prepare(DELIVERY_SUMMARY_SQL).first<{
    any_failed: number;
    any_bounced: number;
    oldest_waiting: number | null;
    webhook_rejected: string | null;
  }>();
  return {
    anyFailed: row?.any_failed === 1,
    anyBounced: row?.any_bounced === 1,
    oldestWaiting: row?.oldest_waiting ?? null,
    webhookRejected: readRejected(row?.webhook_rejected ?? null),
  };
}

/**
 * How many inquiries are in each delivery state, and how many are held: for
 * the token-holder's /health only, as it reads the whole status index.
 */
export async function deliveryCountsByStatus(
  db: D1Database,
): Promise<Record<DeliveryStatus, number> & { held: number }> {
  const { results } = await db
    .prepare(
      `SELECT delivery_status AS status, count(*) AS n FROM inquiries GROUP BY delivery_status
       UNION ALL SELECT 'held', count(*) FROM inquiries WHERE hold = 1`,
    )
    .all<{ status: DeliveryStatus | "held"; n: number }>();
  const counts = {
    pending: 0,
    sent: 0,
    delivered: 0,
    bounced: 0,
    failed: 0,
    quarantined: 0,
    dismissed: 0,
    held: 0,
  };
  for (const r of results) counts[r.status] = r.n;
  return counts;
}
