import { purgeLogEntries } from "../store/log.ts";
import { logCutoff, retentionCutoff } from "./months.ts";

/** Rows per DELETE: large enough to be cheap per row, small enough for D1's statement limits. */
export const PURGE_CHUNK = 1000;
/**
 * Statements one run may spend. D1 counts queries per invocation (1,000 on the
 * paid plan); a backlog larger than this resumes on the next scheduled run.
 */
export const MAX_CHUNKS_PER_RUN = 200;
/** An R2 object younger than this may belong to an inquiry being stored right now. */
const ORPHAN_GRACE_MS = 60 * 60_000;

export interface PurgeDeps {
  db: D1Database;
  /** The technical log's own database. */
  logDb: D1Database;
  bucket: R2Bucket;
  now: number;
  retentionMonths: number;
  logRetentionDays: number;
  maxChunks?: number;
}

export interface PurgeReport {
  inquiries: number;
  files: number;
  logs: number;
  orphans: number;
  /** True when the chunk budget ran out and the next run continues. */
  incomplete: boolean;
}

/**
 * Deletes what the privacy notice says must go, oldest first, in chunks on the
 * `created_at`/`at` indexes: the cost grows with what expired, not with what is kept.
 */
export async function purge(deps: PurgeDeps): Promise<PurgeReport> {
  const report: PurgeReport = { inquiries: 0, files: 0, logs: 0, orphans: 0, incomplete: false };
  let budget = deps.maxChunks ?? MAX_CHUNKS_PER_RUN;

  const cutoff = retentionCutoff(deps.now, deps.retentionMonths);
  while (budget-- > 0) {
    const { results } = await deps.db
      .prepare(
        `DELETE FROM inquiries WHERE id IN (
           SELECT id FROM inquiries WHERE hold = 0 AND created_at < ?1
           ORDER BY created_at LIMIT ?2)
         RETURNING attachment_key`,
      )
      .bind(cutoff, PURGE_CHUNK)
      .all<{ attachment_key: string | null }>();
    const keys = results.map((r) => r.attachment_key).filter((k): k is string => k !== null);
    if (keys.length > 0) await deps.bucket.delete(keys);
    report.inquiries += results.length;
    report.files += keys.length;
    if (results.length < PURGE_CHUNK) break;
  }

  const logsBefore = logCutoff(deps.now, deps.logRetentionDays);
  while (budget-- > 0) {
    const changes = await purgeLogEntries(deps.logDb, logsBefore, PURGE_CHUNK * 5);
    report.logs += changes;
    if (changes < PURGE_CHUNK * 5) break;
  }

  if (budget > 0) report.orphans = await sweepOrphans(deps);
  report.incomplete = budget <= 0;
  return report;
}

/**
 * Files in R2 that no inquiry points at (a store that failed half-way, a row
 * erased while R2 was down). Only undelivered files are kept, so this list is short.
 */
async function sweepOrphans(deps: PurgeDeps): Promise<number> {
  let removed = 0;
  let cursor: string | undefined;
  do {
    const page = await deps.bucket.list({ prefix: "attachments/", cursor, limit: 100 });
    const old = page.objects.filter((o) => o.uploaded.getTime() < deps.now - ORPHAN_GRACE_MS);
    if (old.length > 0) {
      const placeholders = old.map(() => "?").join(",");
      const { results } = await deps.db
        .prepare(`SELECT attachment_key FROM inquiries WHERE attachment_key IN (${placeholders})`)
        .bind(...old.map((o) => o.key))
        .all<{ attachment_key: string }>();
      const live = new Set(results.map((r) => r.attachment_key));
      const orphans = old.map((o) => o.key).filter((k) => !live.has(k));
      if (orphans.length > 0) await deps.bucket.delete(orphans);
      removed += orphans.length;
    }
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return removed;
}
