import type { LogEntry } from "../domain/log-entry.ts";

/** Request rows per minute and network; the rest of that minute is counted in one row. */
export const LOG_ROWS_PER_MINUTE = 10;

/** A random non-zero slot below 2^53 (exact in a JS number and in SQLite's INTEGER). */
function randomSlot(): number {
  const [hi, lo] = crypto.getRandomValues(new Uint32Array(2));
  return (hi! & 0x1fffff) * 2 ** 32 + lo! || 1;
}

/**
 * Appends `entry` to the technical log in `LOG_DB`, keeping at most
 * LOG_ROWS_PER_MINUTE rows per minute and network: a later request of that
 * minute from that network adds 1 to the minute's `suppressed` row (slot 0,
 * no browser or referrer) instead.
 *
 * One statement, no read-then-write in the worker: D1 runs a database's
 * statements one at a time, so the count and the insert or update in it are
 * atomic, and concurrent requests can neither both take the tenth row nor
 * lose a count. The count reads at most 11 rows of the primary key.
 *
 * `rows` lowers the bound for this entry: 0 counts it in the minute's
 * `suppressed` row only, never a row of its own.
 */
export async function appendLogEntry(
  db: D1Database,
  entry: LogEntry,
  rows: number = LOG_ROWS_PER_MINUTE,
): Promise<void> {
  await db
    .prepare(
      `INSERT INTO tech_log (minute, network, slot, ip, browser, referrer, outcome, count)
       SELECT ?1, ?2,
              CASE WHEN n < ?8 THEN ?3 ELSE 0 END,
              CASE WHEN n < ?8 THEN ?4 END,
              CASE WHEN n < ?8 THEN ?5 END,
              CASE WHEN n < ?8 THEN ?6 END,
              CASE WHEN n < ?8 THEN ?7 ELSE 'suppressed' END,
              1
       FROM (SELECT count(*) AS n FROM tech_log WHERE minute = ?1 AND network = ?2 AND slot <> 0)
       WHERE true
       ON CONFLICT (minute, network, slot) DO UPDATE SET count = count + 1`,
    )
    .bind(
      entry.minute,
      entry.network,
      randomSlot(),
      entry.ip,
      entry.browser,
      entry.referrer,
      entry.outcome,
      rows,
    )
    .run();
}

/**
 * Deletes up to `limit` log rows from minutes before `before` (ms since the
 * epoch), oldest first, along the primary key. Returns how many went.
 */
export async function purgeLogEntries(
  db: D1Database,
  before: number,
  limit: number,
): Promise<number> {
  const { meta } = await db
    .prepare(
      `DELETE FROM tech_log WHERE (minute, network, slot) IN (
         SELECT minute, network, slot FROM tech_log WHERE minute < ?1 ORDER BY minute LIMIT ?2)`,
    )
    .bind(before, limit)
    .run();
  return meta.changes;
}
