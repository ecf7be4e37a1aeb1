import { deleteAttachments, listAttachments } from "../store/attachments.ts";
import {
  deleteExpired,
  filesNoLongerNeeded,
  forgetAttachments,
  liveAttachmentKeys,
} from "../store/inquiries.ts";
import { purgeLogEntries } from "../store/log.ts";
import { getState, setState } from "../store/spam.ts";
import { allowances, type Allowance } from "../schedule/budget.ts";
import { logCutoff, retentionCutoff } from "./months.ts";

/** Rows per DELETE: large enough to be cheap per row, small enough for D1's statement limits. */
export const PURGE_CHUNK = 1000;
/** An R2 object younger than this may belong to an inquiry being stored right now. */
const ORPHAN_GRACE_MS = 60 * 60_000;
/** A sent mail's file is kept this long, in case its delivery is reported to have bounced. */
export const KEEP_SENT_FILE_MS = 24 * 60 * 60_000;
/** Where the orphan sweep goes on next run: R2's list cursor ("" = from the start). */
const ORPHAN_CURSOR = "orphan_sweep_cursor";

/** The purge's duties, each with its allowance of calls for this run (schedule/budget.ts). */
export type PurgeBudget = Record<"purge" | "logs" | "files" | "orphans", Allowance>;

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
  /** Calls each duty may make this run; the Paid plan's shares when not given. */
  budget?: PurgeBudget;
}

export interface PurgeReport {
  inquiries: number;
  files: number;
  logs: number;
  /** Files of mail that no send needs any more (delivered, dismissed, sent a day ago). */
  spent: number;
  orphans: number;
  /** True when a duty's allowance ran out with work left: the next run continues. */
  incomplete: boolean;
}

/**
 * Deletes what the privacy notice says must go, oldest first, in chunks on the
 * `created_at`/`at` indexes: the cost grows with what expired, not with what is
 * kept. Each duty stops when its allowance for the run is spent (a D1 query,
 * an R2 call each count one) and the next run goes on from there.
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
  const budget = deps.budget ?? allowances("paid");
  const more = () => {
    report.incomplete = true;
    return false;
  };

  const cutoff =
    deps.retentionMonths === null ? null : retentionCutoff(deps.now, deps.retentionMonths);
  // A step: the DELETE, and one R2 delete for its (at most 1,000) files.
  while (cutoff !== null && (budget.purge.take(2) || more())) {
    const { deleted, keys } = await deleteExpired(deps.db, cutoff, PURGE_CHUNK);
    if (keys.length === 0) budget.purge.refund(1);
    await deleteAttachments(deps.bucket, keys);
    report.inquiries += deleted;
    report.files += keys.length;
    if (deleted < PURGE_CHUNK) break;
  }

  const logsBefore =
    deps.logRetentionDays === null ? null : logCutoff(deps.now, deps.logRetentionDays);
  while (logsBefore !== null && (budget.logs.take(1) || more())) {
    const changes = await purgeLogEntries(deps.logDb, logsBefore, PURGE_CHUNK * 5);
    report.logs += changes;
    if (changes < PURGE_CHUNK * 5) break;
  }

  // A step: the look-up, the R2 delete and the UPDATE that forgets the keys.
  while (budget.files.take(3) || more()) {
    const spent = await filesNoLongerNeeded(deps.db, deps.now - KEEP_SENT_FILE_MS, 100);
    if (spent.length === 0) {
      budget.files.refund(2);
      break;
    }
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

  report.orphans = await sweepOrphans(deps, budget.orphans, more);
  return report;
}

/**
 * Files in R2 that no inquiry points at (a store that failed half-way, a row
 * erased while R2 was down). The bucket holds every kept file (quarantined
 * spam's too), so it is walked a page of 100 at a time, as many pages as the
 * allowance pays for, from where the last run stopped (R2's list cursor, kept
 * in D1); after the last page the next run starts over.
 */
async function sweepOrphans(
  deps: PurgeDeps,
  allowance: Allowance,
  more: () => boolean,
): Promise<number> {
  // Reading and saving the cursor, and at least one page (list, look-up, delete).
  if (!allowance.take(5)) return 0;
  let cursor = (await getState(deps.db, ORPHAN_CURSOR)) || undefined;
  const start = cursor;
  let removed = 0;
  let pages = 0;
  do {
    if (pages++ > 0 && !(allowance.take(3) || more())) break;
    const page = await listAttachments(deps.bucket, cursor);
    const old = page.files.filter((f) => f.uploaded < deps.now - ORPHAN_GRACE_MS).map((f) => f.key);
    const live = await liveAttachmentKeys(deps.db, old);
    const orphans = old.filter((k) => !live.has(k));
    if (orphans.length === 0) allowance.refund(1);
    await deleteAttachments(deps.bucket, orphans);
    removed += orphans.length;
    cursor = page.cursor;
  } while (cursor);
  // One pass at most per run: past the end, the next run starts from the beginning.
  if ((cursor ?? "") !== (start ?? "")) await setState(deps.db, ORPHAN_CURSOR, cursor ?? "");
  return removed;
}
