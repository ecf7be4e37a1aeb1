import { deleteAttachments, listAttachments } from "../store/attachments.ts";
import {
  deleteExpired,
  filesNoLongerNeeded,
  forgetAttachments,
  liveAttachmentKeys,
} from "../store/inquiries.ts";
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
/** A sent mail's file is kept this long, in case its delivery is reported to have bounced. */
export const KEEP_SENT_FILE_MS = 24 * 60 * 60_000;

export interface PurgeDeps {
  db: D1Database;
  /** The technical log's own database. */
  logDb: D1Database;
  bucket: R2Bucket;
  now: number;
  /** `null` (an invalid RETENTION_MONTHS) skips inquiries; files no longer needed still go. */
  retentionMonths: number | null;
  /** `null` (an invalid LOG_RETENTION_DAYS) skips the technical log. */
  logRetentionDays: number | null;
  maxChunks?: number;
}

export interface PurgeReport {
  inquiries: number;
  files: number;
  logs: number;
  /** Files of mail that no send needs any more (delivered, dismissed, sent a day ago). */
  spent: number;
  orphans: number;
  /** True when the chunk budget ran out and the next run continues. */
  incomplete: boolean;
}

/**
 * Deletes what the privacy notice says must go, oldest first, in chunks on the
 * `created_at`/`at` indexes: the cost grows with what expired, not with what is kept.
 */
export async function purge(deps: PurgeDeps): Promise<PurgeReport> {
  const report: PurgeReport = {
    inquiries: 0,
    files: 0,
    logs: 0,
    spent: 0,
    orphans: 0,
    incomplete: false,
  };
  let budget = deps.maxChunks ?? MAX_CHUNKS_PER_RUN;

  const cutoff =
    deps.retentionMonths === null ? null : retentionCutoff(deps.now, deps.retentionMonths);
  while (cutoff !== null && budget-- > 0) {
    const { deleted, keys } = await deleteExpired(deps.db, cutoff, PURGE_CHUNK);
    await deleteAttachments(deps.bucket, keys);
    report.inquiries += deleted;
    report.files += keys.length;
    if (deleted < PURGE_CHUNK) break;
  }

  const logsBefore =
    deps.logRetentionDays === null ? null : logCutoff(deps.now, deps.logRetentionDays);
  while (logsBefore !== null && budget-- > 0) {
    const changes = await purgeLogEntries(deps.logDb, logsBefore, PURGE_CHUNK * 5);
    report.logs += changes;
    if (changes < PURGE_CHUNK * 5) break;
  }

  while (budget-- > 0) {
    const spent = await filesNoLongerNeeded(deps.db, deps.now - KEEP_SENT_FILE_MS, 100);
    // Delete first, then forget: a row never points at nothing it did not try to delete.
    await deleteAttachments(
      deps.bucket,
      spent.map((f) => f.key),
    );
    await forgetAttachments(
      deps.db,
      spent.map((f) => f.id),
    );
    report.spent += spent.length;
    if (spent.length < 100) break;
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
    const page = await listAttachments(deps.bucket, cursor);
    const old = page.files.filter((f) => f.uploaded < deps.now - ORPHAN_GRACE_MS).map((f) => f.key);
    const live = await liveAttachmentKeys(deps.db, old);
    const orphans = old.filter((k) => !live.has(k));
    await deleteAttachments(deps.bucket, orphans);
    removed += orphans.length;
    cursor = page.cursor;
  } while (cursor);
  return removed;
}
