/**
 * A small marker of webhook requests that looked signed (all three signature
 * headers) but failed verification: what a rotated RESEND_WEBHOOK_SECRET
 * looks like. One `worker_state` row, `{"n":count,"first":ms,"last":ms}`,
 * written by one statement per rejected request and deleted by the next
 * verified event, so /health can name the problem without a scan.
 */

export const WEBHOOK_REJECTED = "webhook_rejected";

/** Counts one signed-looking request that failed verification at `now` (ms). */
export async function recordRejectedWebhook(db: D1Database, now: number): Promise<void> {
  await db
    .prepare(
      `INSERT INTO worker_state (name, value) VALUES (?1, json_object('n', 1, 'first', ?2, 'last', ?2))
       ON CONFLICT (name) DO UPDATE SET value = json_set(value,
         '$.n', coalesce(json_extract(value, '$.n'), 0) + 1, '$.last', ?2)`,
    )
    .bind(WEBHOOK_REJECTED, now)
    .run();
}

/** A verified event came: the secret works, the marker goes. */
export async function clearRejectedWebhooks(db: D1Database): Promise<void> {
  await db.prepare("DELETE FROM worker_state WHERE name = ?1").bind(WEBHOOK_REJECTED).run();
}

/** The marker as stored (JSON text), read into counts; null when absent or unreadable. */
export function readRejected(value: string | null): { n: number; last: number } | null {
  if (!value) return null;
  try {
    const v = JSON.parse(value) as { n?: unknown; last?: unknown };
    return typeof v.n === "number" && typeof v.last === "number" ? { n: v.n, last: v.last } : null;
  } catch {
    return null;
  }
}
