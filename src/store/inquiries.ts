import type { InquiryFields } from "../inquiry/validate.ts";
import type { Lang } from "../i18n/lang.ts";

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

export async function insertInquiry(db: D1Database, i: NewInquiry): Promise<void> {
  await db
    .prepare(
      `INSERT INTO inquiries (id, created_at, name, email, email_key, phone, company, service,
         message, lang, attachment_key, attachment_name, attachment_size, attachment_type,
         attachment_sha256, next_attempt_at)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?2)`,
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
    )
    .run();
}

export async function getInquiry(db: D1Database, id: string): Promise<StoredInquiry | null> {
  const row = await db.prepare("SELECT * FROM inquiries WHERE id = ?").bind(id).first<InquiryRow>();
  return row ? fromRow(row) : null;
}
