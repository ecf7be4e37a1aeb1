import type { Lang } from "./lang.ts";
import type { OwnValues } from "./fields.ts";

/**
 * The inquiry as the whole worker speaks of it: intake validates these shapes,
 * the store keeps them, mail composes from them. Every layer imports them from
 * here, so no import runs back up from storage to intake.
 */

/**
 * The stored and mailed fields: nothing else a visitor sends is kept. The
 * built-in ones (src/domain/fields.ts) have columns of their own; the
 * company's own (`FORM.fields`) travel together in `extra`.
 */
export interface InquiryFields {
  name: string;
  email: string;
  phone: string | null;
  company: string | null;
  /** The service's id (a plain service's id is its label). */
  service: string;
  message: string;
  /** The values of the company's own fields by name; absent or empty: none. */
  extra?: OwnValues;
}

/**
 * Where an inquiry's one e-mail stands: `pending` waits or
 * retries, `sent` was accepted by Resend, `delivered`/`bounced` come from
 * Resend's webhook, `failed` was given up, `quarantined` was judged spam,
 * `dismissed` an operator chose not to mail.
 */
export type DeliveryStatus =
  "pending" | "sent" | "delivered" | "bounced" | "failed" | "quarantined" | "dismissed";

export interface AttachmentMeta {
  /** The R2 key while the file is kept; null once it was deleted. */
  key: string | null;
  filename: string;
  /** Bytes. */
  size: number;
  /** MIME type detected from the content. */
  type: string;
  /** Hex SHA-256 of the bytes. */
  sha256: string;
}

/** The spam scorer's verdict on an inquiry, for the operator and tag mode. */
export interface SpamRecord {
  /** Sum of the signals' weights (src/spam/score.ts); the verdict follows from it and `reasons` (./spam-tag.ts). */
  score: number;
  /** Reason codes, e.g. `link_cloaked`. */
  reasons: string[];
  /** Hex SHA-256 of the normalised message; null when too short to compare. */
  messageHash: string | null;
  /** Stored as `quarantined` (SPAM_FILTER=quarantine and judged spam): not mailed. */
  quarantined: boolean;
}

/** An inquiry as intake hands it to the store. `createdAt` in ms since the epoch. */
export interface NewInquiry extends InquiryFields {
  id: string;
  createdAt: number;
  lang: Lang;
  attachment: AttachmentMeta | null;
  /** Absent or null: not scored (SPAM_FILTER=off). */
  spam?: SpamRecord | null;
}

export interface StoredInquiry extends NewInquiry {
  hold: boolean;
  holdReason: string | null;
  delivery: {
    status: DeliveryStatus;
    attempts: number;
    nextAttemptAt: number | null;
    lastError: string | null;
    /** Resend's id for the mail once it accepted it (its dashboard and webhook events name it). */
    resendId: string | null;
  };
}

/** A sender's lease on a row: others keep off until `until` (ms). */
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
