/**
 * What spam handling keeps in `DB` (schema/0004_spam.sql, 0005_disposable_domains.sql):
 * the worker's own key and digest state, look-ups for the scorer, and the
 * quarantine's release and purge. Times in ms since the epoch.
 */
import { deleteOldest } from "./inquiries.ts";

/** Reads a value of the worker's own state, or null. */
export async function getState(db: D1Database, name: string): Promise<string | null> {
  const row = await db
    .prepare("SELECT value FROM worker_state WHERE name = ?")
    .bind(name)
    .first<{ value: string }>();
  return row?.value ?? null;
}

export async function setState(db: D1Database, name: string, value: string): Promise<void> {
  await db
    .prepare(
      "INSERT INTO worker_state (name, value) VALUES (?1, ?2) ON CONFLICT (name) DO UPDATE SET value = ?2",
    )
    .bind(name, value)
    .run();
}

/**
 * The value stored under `name`, storing `candidate` first if there is none:
 * whoever writes first wins, and every caller gets the same value.
 */
export async function getOrCreateState(
  db: D1Database,
  name: string,
  candidate: string,
): Promise<string> {
  const [, read] = await db.batch<{ value: string }>([
    db
      .prepare("INSERT OR IGNORE INTO worker_state (name, value) VALUES (?1, ?2)")
      .bind(name, candidate),
    db.prepare("SELECT value FROM worker_state WHERE name = ?1").bind(name),
  ]);
  return read!.results[0]!.value;
}

/** A quarantined inquiry as the digest lists it. */
export interface QuarantinedRow {
  id: string;
  created_at: number;
  name: string;
  email: string;
  service: string;
  message: string;
  spam_score: number | null;
  spam_reasons: string | null;
}

/**
 * Quarantined inquiries no digest has listed yet, received before `before`
 * (ms), newest first, at most `limit`, and how many such there are in all
 * (`waiting`, 0 when none). Held ones (restriction, GDPR Art. 18) are not
 * listed, the digest being a mail too; released from the hold, they wait for
 * the next digest. One query, on the `inquiries_unlisted` index.
 */
export async function listUndigested(
  db: D1Database,
  before: number,
  limit: number,
): Promise<{ rows: QuarantinedRow[]; waiting: number }> {
  const { results } = await db
    .prepare(
      `SELECT id, created_at, name, email, service, message, spam_score, spam_reasons,
         count(*) OVER () AS waiting
       FROM inquiries INDEXED BY inquiries_unlisted
       WHERE delivery_status = 'quarantined' AND hold = 0 AND digested_at IS NULL
         AND created_at < ?1
       ORDER BY created_at DESC LIMIT ?2`,
    )
    .bind(before, limit)
    .all<QuarantinedRow & { waiting: number }>();
  return { rows: results, waiting: results[0]?.waiting ?? 0 };
}

/** Marks inquiries as listed by the digest sent at `at` (ms). */
export async function markDigested(
  db: D1Database,
  ids: readonly string[],
  at: number,
): Promise<void> {
  if (ids.length === 0) return;
  await db
    .prepare(
      `UPDATE inquiries SET digested_at = ?1
       WHERE id IN (SELECT value FROM json_each(?2)) AND digested_at IS NULL`,
    )
    .bind(at, JSON.stringify(ids))
    .run();
}

/** The quarantined inquiry `id`, or null when it is not (or no longer) quarantined. */
export async function getQuarantined(db: D1Database, id: string): Promise<QuarantinedRow | null> {
  return db
    .prepare(
      `SELECT id, created_at, name, email, service, message, spam_score, spam_reasons
       FROM inquiries WHERE id = ? AND delivery_status = 'quarantined'`,
    )
    .bind(id)
    .first<QuarantinedRow>();
}

/**
 * Releases a quarantined inquiry to be mailed as usual: `pending`, due at
 * `now`. True when it was quarantined (a second release changes nothing).
 */
export async function releaseQuarantined(
  db: D1Database,
  id: string,
  now: number,
): Promise<boolean> {
  const { meta } = await db
    .prepare(
      `UPDATE inquiries SET delivery_status = 'pending', next_attempt_at = ?2, last_error = NULL
       WHERE id = ?1 AND delivery_status = 'quarantined'`,
    )
    .bind(id, now)
    .run();
  return meta.changes > 0;
}

/**
 * Deletes up to `limit` inquiries past `cutoff` (ms) that the spam purge may
 * delete, oldest first, not on hold: dismissed ones, and quarantined ones a
 * digest has listed (an unlisted one waits to be listed, see
 * `deleteUnlistedOverflow`). Returns how many went and the R2 keys of the
 * files they still had.
 */
export function deleteExpiredSpam(
  db: D1Database,
  cutoff: number,
  limit: number,
): Promise<{ deleted: number; keys: string[] }> {
  const where = `hold = 0 AND created_at < ?1 AND (delivery_status = 'dismissed'
    OR (delivery_status = 'quarantined' AND digested_at IS NOT NULL))`;
  return deleteOldest(db, where, cutoff, limit);
}

/** worker_state: quarantined inquiries deleted unlisted since the last digest said so. */
export const UNLISTED_PURGED = "spam_unlisted_purged";

/**
 * A flood's bound: of the quarantined inquiries past `cutoff` that no digest
 * has listed, all but the newest `keep` are deleted, oldest first, at most
 * `limit` at a time, and counted under UNLISTED_PURGED for the next digest to
 * say. One D1 call (a batch: the count is written in the same transaction).
 */
export async function deleteUnlistedOverflow(
  db: D1Database,
  cutoff: number,
  keep: number,
  limit: number,
): Promise<{ deleted: number; keys: string[] }> {
  const [deleted] = await db.batch<{ attachment_key: string | null }>([
    db
      .prepare(
        `DELETE FROM inquiries WHERE id IN (
           SELECT id FROM inquiries INDEXED BY inquiries_unlisted
           WHERE delivery_status = 'quarantined' AND digested_at IS NULL
             AND hold = 0 AND created_at < ?1
           ORDER BY created_at
           LIMIT max(0, min(?3, (SELECT count(*) FROM inquiries INDEXED BY inquiries_unlisted
             WHERE delivery_status = 'quarantined' AND digested_at IS NULL
               AND hold = 0 AND created_at < ?1) - ?2)))
         RETURNING attachment_key`,
      )
      .bind(cutoff, keep, limit),
    // changes(): the rows the DELETE just removed.
    db
      .prepare(
        `INSERT INTO worker_state (name, value) SELECT ?1, changes() WHERE changes() > 0
         ON CONFLICT (name) DO UPDATE SET value = CAST(value AS INTEGER) + excluded.value`,
      )
      .bind(UNLISTED_PURGED),
  ]);
  const rows = deleted!.results;
  return {
    deleted: rows.length,
    keys: rows.map((r) => r.attachment_key).filter((k): k is string => k !== null),
  };
}

/** Several values of the worker's own state at once: one query. */
export async function getStates(
  db: D1Database,
  names: readonly string[],
): Promise<Map<string, string>> {
  const { results } = await db
    .prepare("SELECT name, value FROM worker_state WHERE name IN (SELECT value FROM json_each(?1))")
    .bind(JSON.stringify(names))
    .all<{ name: string; value: string }>();
  return new Map(results.map((r) => [r.name, r.value]));
}

/**
 * After a digest was sent for `day`: records the day, and takes the
 * `reported` unlisted deletions it told of off the count (any since stay for
 * the next). One D1 call.
 */
export async function finishDigest(db: D1Database, day: string, reported: number): Promise<void> {
  await db.batch([
    db
      .prepare(
        "INSERT INTO worker_state (name, value) VALUES ('digest_day', ?1) ON CONFLICT (name) DO UPDATE SET value = ?1",
      )
      .bind(day),
    db
      .prepare(
        "UPDATE worker_state SET value = CAST(value AS INTEGER) - ?2 WHERE name = ?1 AND ?2 > 0",
      )
      .bind(UNLISTED_PURGED, reported),
  ]);
}
