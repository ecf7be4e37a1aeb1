/**
 * Sending twice (Idempotency-Key, draft-ietf-httpapi-idempotency-key-header):
 * the `submission_keys` table keeps, for 24 hours, each stored submission's
 * key, a SHA-256 of its content (base64url) and the id its answer gave. Never the content.
 */

import type { NothingFound } from "./spam-lookups.ts";

/** How long a key answers for its first submission, in ms. */
export const SUBMISSION_KEY_MS = 24 * 60 * 60_000;

/** A submission's key and the hex SHA-256 of its content. */
export interface SubmissionKey {
  key: string;
  contentHash: string;
}

/** The first submission under a key: the id it was answered with and its content's hash. */
export interface FirstSubmission {
  inquiryId: string;
  contentHash: string;
}

/**
 * Claims `key` for inquiry `?3` unless a live (younger than a day) row holds
 * it; an expired row is taken over. ?1 key, ?2 hash, ?3 inquiry id, ?4 now (ms);
 * `onlyIf` adds a condition on parameters from ?5 (SQLite needs the SELECT's
 * WHERE before an upsert's ON CONFLICT, https://sqlite.org/lang_upsert.html).
 */
const claimSql = (
  onlyIf: string,
) => `INSERT INTO submission_keys (key, content_hash, inquiry_id, created_at)
  SELECT ?1, ?2, ?3, ?4 WHERE ${onlyIf}
  ON CONFLICT (key) DO UPDATE SET content_hash = excluded.content_hash,
    inquiry_id = excluded.inquiry_id, created_at = excluded.created_at
  WHERE submission_keys.created_at <= excluded.created_at - ${SUBMISSION_KEY_MS}`;

/**
 * The statement that claims a key, for the insert's batch (no round trip of
 * its own); with `onlyIf`, only when that condition holds (store/spam-lookups.ts).
 */
export function claimKeyStatement(
  db: D1Database,
  k: SubmissionKey,
  inquiryId: string,
  now: number,
  onlyIf: NothingFound | null = null,
): D1PreparedStatement {
  return db
    .prepare(claimSql(onlyIf ? onlyIf.sql(5) : "true"))
    .bind(k.key, k.contentHash, inquiryId, now, ...(onlyIf?.params ?? []));
}

/** The statement that reads who holds a key after the claim. */
export function keyHolderStatement(db: D1Database, key: string): D1PreparedStatement {
  return db
    .prepare("SELECT inquiry_id, content_hash FROM submission_keys WHERE key = ?1")
    .bind(key);
}

/** The live first submission under `key`, or null (none, or older than a day). */
export async function firstSubmission(
  db: D1Database,
  key: string,
  now: number,
): Promise<FirstSubmission | null> {
  const row = await db
    .prepare(
      "SELECT inquiry_id, content_hash FROM submission_keys WHERE key = ?1 AND created_at > ?2",
    )
    .bind(key, now - SUBMISSION_KEY_MS)
    .first<{ inquiry_id: string; content_hash: string }>();
  return row ? { inquiryId: row.inquiry_id, contentHash: row.content_hash } : null;
}

/** Deletes the keys older than a day; one statement on the `created_at` index. Returns how many. */
export async function purgeSubmissionKeys(db: D1Database, now: number): Promise<number> {
  const { meta } = await db
    .prepare("DELETE FROM submission_keys WHERE created_at <= ?1")
    .bind(now - SUBMISSION_KEY_MS)
    .run();
  return meta.changes;
}
