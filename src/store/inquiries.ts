import type { InquiryFields } from "../inquiry/validate.ts";
import type { Lang } from "../i18n/lang.ts";
import { batchWithDeferred } from "./deferred-writes.ts";

export type DeliveryStatus = "pending" | "sent" | "failed";

export interface AttachmentMeta {
  key: string | null;
  filename: string;
  size: number;
  type: string;
  sha256: string;
}

export interface StoredInquiry extends InquiryFields {
  id: string;
  createdAt: number;
  lang: Lang;
  attachment: AttachmentMeta | null;
  hold: boolean;
  holdReason: string | null;
  delivery: {
    status: DeliveryStatus;
    attempts: number;
    nextAttemptAt: number | null;
    lastError: string | null;
  };
}

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
    hold: r.hold === 1,
    holdReason: r.hold_reason,
    delivery: {
      status: r.delivery_status,
      attempts: r.delivery_attempts,
      nextAttemptAt: r.next_attempt_at,
      lastError: r.last_error,
    },
  };
}

export interface NewInquiry extends InquiryFields {
  id: string;
  createdAt: number;
  lang: Lang;
  attachment: AttachmentMeta | null;
}

/** A sender's lease on a row: others keep off until `until`. */
export interface Claim {
  token: string;
  until: number;
}

/** A just-stored inquiry, its file and the lease it was stored under: all its first send needs. */
export interface ClaimedInquiry {
  inquiry: NewInquiry;
  file: Uint8Array | null;
  claim: Claim;
}

/**
 * Stores a new inquiry, due for mail at once. With `claim` the row is born
 * claimed by the request that will mail it right away, so that send needs no
 * claim of its own. Queued deferred writes ride along in the same batch.
 */
export async function insertInquiry(
  db: D1Database,
  i: NewInquiry,
  claim: Claim | null = null,
): Promise<void> {
  const insert = db
    .prepare(
      `INSERT INTO inquiries (id, created_at, name, email, email_key, phone, company, service,
         message, lang, attachment_key, attachment_name, attachment_size, attachment_type,
         attachment_sha256, next_attempt_at, claimed_until, claim_token)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?2, ?16, ?17)`,
    )
    .bind(
      i.id,
      i.createdAt,
      i.name,
      i.email,
      i.email.toLowerCase(),
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
    );
  await batchWithDeferred(db, [insert]);
}

export async function getInquiry(db: D1Database, id: string): Promise<StoredInquiry | null> {
  const row = await db.prepare("SELECT * FROM inquiries WHERE id = ?").bind(id).first<InquiryRow>();
  return row ? fromRow(row) : null;
}

export async function listByEmail(db: D1Database, email: string): Promise<StoredInquiry[]> {
  const { results } = await db
    .prepare("SELECT * FROM inquiries WHERE email_key = ? ORDER BY created_at")
    .bind(email.trim().toLowerCase())
    .all<InquiryRow>();
  return results.map(fromRow);
}

/** Deletes rows and returns what they left in R2, so the caller can remove it too. */
export async function deleteInquiries(
  db: D1Database,
  where: { id: string } | { email: string },
): Promise<{ ids: string[]; keys: string[] }> {
  const [clause, value] =
    "id" in where ? ["id = ?", where.id] : ["email_key = ?", where.email.trim().toLowerCase()];
  const { results } = await db
    .prepare(`DELETE FROM inquiries WHERE ${clause} RETURNING id, attachment_key`)
    .bind(value)
    .all<{ id: string; attachment_key: string | null }>();
  return {
    ids: results.map((r) => r.id),
    keys: results.map((r) => r.attachment_key).filter((k): k is string => k !== null),
  };
}

export async function updateFields(
  db: D1Database,
  id: string,
  f: Pick<StoredInquiry, "name" | "email" | "phone" | "company" | "message">,
): Promise<void> {
  await db
    .prepare(
      `UPDATE inquiries SET name = ?1, email = ?2, email_key = ?3, phone = ?4, company = ?5,
         message = ?6 WHERE id = ?7`,
    )
    .bind(f.name, f.email, f.email.toLowerCase(), f.phone, f.company, f.message, id)
    .run();
}

export async function setHold(
  db: D1Database,
  id: string,
  hold: boolean,
  reason: string | null,
): Promise<boolean> {
  const { meta } = await db
    .prepare("UPDATE inquiries SET hold = ?1, hold_reason = ?2 WHERE id = ?3")
    .bind(hold ? 1 : 0, hold ? reason : null, id)
    .run();
  return meta.changes > 0;
}

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
