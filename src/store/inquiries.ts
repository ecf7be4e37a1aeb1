import { addressKey, addressKeys } from "../domain/address.ts";
import type { Claim, DeliveryStatus, NewInquiry, StoredInquiry } from "../domain/inquiry.ts";
import type { Lang } from "../i18n/lang.ts";
import {
  claimKeyStatement,
  keyHolderStatement,
  type FirstSubmission,
  type SubmissionKey,
} from "./submission-keys.ts";
import type { OwnValue, OwnValues } from "../domain/fields.ts";
import {
  nothingFound,
  readSpamLookups,
  spamLookupStatement,
  type SpamLookupKey,
  type SpamLookups,
} from "./spam-lookups.ts";

/**
 * The inquiries table of the `DB` database (schema/): every query on it lives
 * in this folder. Times are milliseconds since the epoch, UTC.
 */

export interface InquiryRow {
  id: string;
  created_at: number;
  name: string;
  email: string;
  phone: string | null;
  company: string | null;
  service: string;
  message: string;
  lang: Lang;
  attachment_key: string | null;
  attachment_name: string | null;
  attachment_size: number | null;
  attachment_type: string | null;
  attachment_sha256: string | null;
  hold: number;
  hold_reason: string | null;
  delivery_status: DeliveryStatus;
  delivery_attempts: number;
  next_attempt_at: number | null;
  last_error: string | null;
  first_attempt_at: number | null;
  operator_retries: number;
  reply_to_refused: number;
  sent_at: number | null;
  resend_id: string | null;
  spam_score: number | null;
  spam_reasons: string | null;
  message_hash: string | null;
  /** 1: Resend could not fetch the file by its link; later sends carry it inline or say so. */
  link_refused: number;
  /** The company's own fields' values as one JSON object (schema/0011); null: none. */
  extra_fields: string | null;
}

/** The own fields' values as stored: JSON of the object, or null when there are none. */
function extraColumn(extra: OwnValues | undefined): string | null {
  return extra && Object.keys(extra).length > 0 ? JSON.stringify(extra) : null;
}

/** The column read back; anything that is not an object of plain values is dropped, not guessed at. */
function extraOf(column: string | null | undefined): OwnValues {
  if (!column) return {};
  try {
    const parsed: unknown = JSON.parse(column);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return {};
    const out: Record<string, OwnValue> = {};
    for (const [k, v] of Object.entries(parsed as Record<string, unknown>))
      if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") out[k] = v;
    return out;
  } catch {
    return {};
  }
}

export function fromRow(r: InquiryRow): StoredInquiry {
  return {
    id: r.id,
    createdAt: r.created_at,
    name: r.name,
    email: r.email,
    phone: r.phone,
    company: r.company,
    service: r.service,
    message: r.message,
    extra: extraOf(r.extra_fields),
    lang: r.lang,
    attachment:
      r.attachment_name === null
        ? null
        : {
            key: r.attachment_key,
            filename: r.attachment_name,
            size: r.attachment_size ?? 0,
            type: r.attachment_type ?? "",
            sha256: r.attachment_sha256 ?? "",
          },
    spam:
      r.spam_score === null || r.spam_score === undefined
        ? null
        : {
            score: r.spam_score,
            reasons: r.spam_reasons ? r.spam_reasons.split(",") : [],
            messageHash: r.message_hash,
            quarantined: r.delivery_status === "quarantined",
          },
    hold: r.hold === 1,
    holdReason: r.hold_reason,
    delivery: {
      status: r.delivery_status,
      attempts: r.delivery_attempts,
      nextAttemptAt: r.next_attempt_at,
      lastError: r.last_error,
      resendId: r.resend_id,
    },
  };
}

/** What `insertInquiry` did. */
export type InsertResult =
  /** The row is written (and its key claimed, with one). */
  | { kind: "inserted" }
  /** Another submission holds the Idempotency-Key: nothing was written. */
  | { kind: "key_held"; first: FirstSubmission }
  /** The spam look-ups found something: nothing was written; score again with `facts`. */
  | { kind: "spam_facts"; facts: SpamLookups };

/**
 * Stores a new inquiry, due for mail at once. With `claim` the row is born
 * claimed by the request that will mail it right away, so that send needs no
 * claim of its own, and that send counts as its first attempt. One judged
 * spam in quarantine mode is born `quarantined` and never due.
 *
 * With `submission` (an Idempotency-Key) the key is claimed in the same batch
 * (one round trip, one transaction) and the row is written only if this
 * inquiry won the key; otherwise nothing is written and the key's first
 * submission is returned.
 *
 * With `spamCheck` everything is written only if the scorer's look-ups find
 * nothing, so `i.spam`, scored without them, stands: that condition rides in
 * the insert (and the look-ups in the key's batch), so the usual inquiry
 * costs one D1 call. Otherwise nothing is written and the look-ups' facts are
 * returned (read by a second call without a key), for the caller to score
 * again and insert without `spamCheck`.
 */
export async function insertInquiry(
  db: D1Database,
  i: NewInquiry,
  claim: Claim | null = null,
  submission: SubmissionKey | null = null,
  spamCheck: SpamLookupKey | null = null,
): Promise<InsertResult> {
  const onlyIf = spamCheck ? nothingFound(spamCheck) : null;
  const insert = db
    .prepare(
      `INSERT INTO inquiries (id, created_at, name, email, email_key, phone, company, service,
         message, lang, attachment_key, attachment_name, attachment_size, attachment_type,
         attachment_sha256, next_attempt_at, claimed_until, claim_token, delivery_attempts,
         first_attempt_at, delivery_status, spam_score, spam_reasons, message_hash,
         extra_fields)
       SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,
         CASE WHEN ?20 = 'quarantined' THEN NULL ELSE ?2 END, ?16, ?17, ?18, ?19, ?20, ?21, ?22,
         ?23, ?24
       WHERE (?25 IS NULL
         OR EXISTS (SELECT 1 FROM submission_keys WHERE key = ?25 AND inquiry_id = ?1))
         AND ${onlyIf ? onlyIf.sql(26) : "true"}`,
    )
    .bind(
      i.id,
      i.createdAt,
      i.name,
      i.email,
      addressKey(i.email),
      i.phone,
      i.company,
      i.service,
      i.message,
      i.lang,
      i.attachment?.key ?? null,
      i.attachment?.filename ?? null,
      i.attachment?.size ?? null,
      i.attachment?.type ?? null,
      i.attachment?.sha256 ?? null,
      claim?.until ?? null,
      claim?.token ?? null,
      claim ? 1 : 0,
      claim ? i.createdAt : null,
      i.spam?.quarantined ? "quarantined" : "pending",
      i.spam?.score ?? null,
      i.spam ? i.spam.reasons.join(",") : null,
      i.spam?.messageHash ?? null,
      extraColumn(i.extra),
      submission?.key ?? null,
      ...(onlyIf?.params ?? []),
    );
  if (!submission) {
    const written = await insert.run();
    if (!spamCheck || written.meta.changes > 0) return { kind: "inserted" };
    // The look-ups found something (rarely): one more call reads what. A run
    // costs the isolate about half a two-statement batch, and almost every
    // inquiry is written by this one call.
    const facts = readSpamLookups(await spamLookupStatement(db, spamCheck).run());
    return { kind: "spam_facts", facts };
  }
  // The look-ups first: the facts and the writes' condition read the same state.
  const results = await db.batch([
    ...(spamCheck ? [spamLookupStatement(db, spamCheck)] : []),
    claimKeyStatement(db, submission, i.id, i.createdAt, onlyIf),
    insert,
    keyHolderStatement(db, submission.key),
  ]);
  if (spamCheck) {
    const facts = readSpamLookups(results[0]);
    if (facts.disposableDomain || facts.sameMessageAddresses > 0) {
      return { kind: "spam_facts", facts };
    }
  }
  const holder = results.at(-1)?.results[0] as
    { inquiry_id: string; content_hash: string } | undefined;
  if (!holder || holder.inquiry_id === i.id) return { kind: "inserted" };
  return {
    kind: "key_held",
    first: { inquiryId: holder.inquiry_id, contentHash: holder.content_hash },
  };
}

/** What a file link needs to know about an inquiry's file, or null when no such inquiry is stored. */
export async function linkedFile(db: D1Database, id: string): Promise<LinkedFileRow | null> {
  return db
    .prepare(
      `SELECT attachment_key, attachment_name, attachment_type, delivery_status, hold, sent_at
       FROM inquiries WHERE id = ?`,
    )
    .bind(id)
    .first<LinkedFileRow>();
}

export type LinkedFileRow = Pick<
  InquiryRow,
  "attachment_key" | "attachment_name" | "attachment_type" | "delivery_status" | "hold" | "sent_at"
>;

export async function getInquiry(db: D1Database, id: string): Promise<StoredInquiry | null> {
  const row = await db.prepare("SELECT * FROM inquiries WHERE id = ?").bind(id).first<InquiryRow>();
  return row ? fromRow(row) : null;
}

/** The `email_key`s of an address in both its IDNA forms (`addressKeys`); as given when it is none. */
function keysOf(email: string): [string, string] {
  const keys = addressKeys(email) ?? [email.trim().toLowerCase()];
  return [keys[0]!, keys[1] ?? keys[0]!];
}

/** Every inquiry of an address, its domain in either IDNA form (`jure@žaga.si`, `jure@xn--aga-b3a.si`). */
export async function listByEmail(db: D1Database, email: string): Promise<StoredInquiry[]> {
  const { results } = await db
    .prepare("SELECT * FROM inquiries WHERE email_key IN (?1, ?2) ORDER BY created_at")
    .bind(...keysOf(email))
    .all<InquiryRow>();
  return results.map(fromRow);
}

/** Deletes rows and returns what they left in R2, so the caller can remove it too. */
export async function deleteInquiries(
  db: D1Database,
  where: { id: string } | { email: string },
): Promise<{ ids: string[]; keys: string[] }> {
  const [clause, values] =
    "id" in where ? ["id = ?1", [where.id]] : ["email_key IN (?1, ?2)", keysOf(where.email)];
  const { results } = await db
    .prepare(`DELETE FROM inquiries WHERE ${clause} RETURNING id, attachment_key`)
    .bind(...values)
    .all<{ id: string; attachment_key: string | null }>();
  return {
    ids: results.map((r) => r.id),
    keys: results.map((r) => r.attachment_key).filter((k): k is string => k !== null),
  };
}

export async function updateFields(
  db: D1Database,
  id: string,
  f: Pick<StoredInquiry, "name" | "email" | "phone" | "company" | "message" | "extra">,
): Promise<void> {
  await db
    .prepare(
      `UPDATE inquiries SET name = ?1, email = ?2, email_key = ?3, phone = ?4, company = ?5,
         message = ?6, extra_fields = ?7 WHERE id = ?8`,
    )
    .bind(
      f.name,
      f.email,
      addressKey(f.email),
      f.phone,
      f.company,
      f.message,
      extraColumn(f.extra),
      id,
    )
    .run();
}

/**
 * Places or releases a restriction (GDPR Art. 18): a held inquiry is neither
 * mailed nor purged. False when no such inquiry.
 *
 * Releasing a pending inquiry whose first attempt under its current
 * Idempotency-Key lies at or before `release.keySpentBefore` (ms) moves it to
 * the next operator-retry number, as an operator's retry does: attempts and
 * window start again, due at `release.now`, and a claim a run still holds is
 * dropped so that run sends nothing under the old key. Without this the next
 * run would find the window closed and fail an inquiry that was never mailed.
 * The trade-off: if Resend accepted an earlier attempt whose answer was lost,
 * the staff get the mail twice; an inquiry never delivered is worse, and a
 * release is an operator's decision like a retry. Failed, bounced and other
 * settled rows stay as they are (the operator retries them).
 */
export async function setHold(
  db: D1Database,
  id: string,
  hold: boolean,
  reason: string | null,
  release: { now: number; keySpentBefore: number },
): Promise<boolean> {
  const { meta } = await db
    .prepare(SET_HOLD_SQL)
    .bind(hold ? 1 : 0, hold ? reason : null, id, release.now, release.keySpentBefore)
    .run();
  return meta.changes > 0;
}

/** ?1: hold, ?2: reason, ?3: id, ?4: now, ?5: key spent before. SET reads the row as before the update. */
const RESTART = `(?1 = 0 AND hold = 1 AND delivery_status = 'pending'
  AND first_attempt_at IS NOT NULL AND first_attempt_at <= ?5)`;
const SET_HOLD_SQL = `UPDATE inquiries SET hold = ?1, hold_reason = ?2,
    operator_retries = operator_retries + CASE WHEN ${RESTART} THEN 1 ELSE 0 END,
    delivery_attempts = CASE WHEN ${RESTART} THEN 0 ELSE delivery_attempts END,
    next_attempt_at = CASE WHEN ${RESTART} THEN ?4 ELSE next_attempt_at END,
    claimed_until = CASE WHEN ${RESTART} THEN NULL ELSE claimed_until END,
    claim_token = CASE WHEN ${RESTART} THEN NULL ELSE claim_token END,
    first_attempt_at = CASE WHEN ${RESTART} THEN NULL ELSE first_attempt_at END
  WHERE id = ?3`;

export interface RetentionStats {
  inquiries: number;
  held: number;
  due: number;
  oldest: number | null;
}

export async function retentionStats(db: D1Database, cutoff: number): Promise<RetentionStats> {
  const row = await db
    .prepare(
      `SELECT count(*) AS inquiries, coalesce(sum(hold), 0) AS held,
         coalesce(sum(hold = 0 AND created_at < ?1), 0) AS due, min(created_at) AS oldest
       FROM inquiries`,
    )
    .bind(cutoff)
    .first<RetentionStats>();
  return row ?? { inquiries: 0, held: 0, due: 0, oldest: null };
}

/**
 * Deletes up to `limit` inquiries received before `cutoff` and not on hold,
 * oldest first on the `inquiries_purge` index; returns how many went and the
 * R2 keys of the files they still had.
 */
export function deleteExpired(
  db: D1Database,
  cutoff: number,
  limit: number,
): Promise<{ deleted: number; keys: string[] }> {
  return deleteOldest(db, "hold = 0 AND created_at < ?1", cutoff, limit);
}

/**
 * Deletes up to `limit` inquiries matching `where` (a fixed SQL condition of
 * this folder's, with `?1` the cutoff in ms), oldest first; returns how many
 * went and the R2 keys of the files they still had. Shared by the retention
 * purge and the spam purge.
 */
export async function deleteOldest(
  db: D1Database,
  where: string,
  cutoff: number,
  limit: number,
): Promise<{ deleted: number; keys: string[] }> {
  const { results } = await db
    .prepare(
      `DELETE FROM inquiries WHERE id IN (
         SELECT id FROM inquiries WHERE ${where}
         ORDER BY created_at LIMIT ?2)
       RETURNING attachment_key`,
    )
    .bind(cutoff, limit)
    .all<{ attachment_key: string | null }>();
  return {
    deleted: results.length,
    keys: results.map((r) => r.attachment_key).filter((k): k is string => k !== null),
  };
}

/** Which of `keys` (at most 100, D1's bound-parameter limit) an inquiry still points at. */
export async function liveAttachmentKeys(db: D1Database, keys: string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const placeholders = keys.map(() => "?").join(",");
  const { results } = await db
    .prepare(`SELECT attachment_key FROM inquiries WHERE attachment_key IN (${placeholders})`)
    .bind(...keys)
    .all<{ attachment_key: string }>();
  return new Set(results.map((r) => r.attachment_key));
}

/** Whether a row with this id is stored (e.g. after an insert whose answer was lost). */
export async function inquiryExists(db: D1Database, id: string): Promise<boolean> {
  const row = await db.prepare("SELECT 1 AS one FROM inquiries WHERE id = ?").bind(id).first();
  return row !== null;
}

/**
 * Up to `limit` files that no send can need any more: the inquiry was
 * `delivered` or `dismissed`, or `sent` before `sentBefore` (a retry within
 * Resend's 24-hour idempotency window resends the same link). A `failed`, `bounced`, `pending` or `quarantined` inquiry keeps
 * its file, so a retry still carries it. Reads only the `inquiries_files` index
 * (rows that still have a file: few), never the many sent rows.
 */
export async function filesNoLongerNeeded(
  db: D1Database,
  sentBefore: number,
  limit: number,
): Promise<{ id: string; key: string }[]> {
  const { results } = await db
    .prepare(FILES_NO_LONGER_NEEDED_SQL)
    .bind(sentBefore, limit)
    .all<{ id: string; key: string }>();
  return results;
}

/** ?1: sent before (ms), ?2: limit. Exported for the query-plan test. */
export const FILES_NO_LONGER_NEEDED_SQL = `SELECT id, attachment_key AS key
  FROM inquiries INDEXED BY inquiries_files
  WHERE attachment_key IS NOT NULL
    AND (delivery_status IN ('delivered', 'dismissed')
         OR (delivery_status = 'sent' AND sent_at < ?1))
  LIMIT ?2`;

/** Records that these inquiries' files were deleted (at most 100 ids). */
export async function forgetAttachments(db: D1Database, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await db
    .prepare(
      `UPDATE inquiries SET attachment_key = NULL WHERE id IN (${ids.map(() => "?").join(",")})`,
    )
    .bind(...ids)
    .run();
}
