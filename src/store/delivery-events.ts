/**
 * Resend's webhook events applied to the delivery state. Times in ms.
 *
 * States only move up this order, whatever order events arrive in and however
 * often: pending / sent / failed → delivered → bounced. A bounce wins over a
 * delivery: Resend reports each recipient of MAIL_TO separately (one
 * `email.delivered` and one `email.bounced` for one mail are both true), and a
 * mailbox that refused or reported the staff's mail is the problem to see;
 * only an operator's retry or dismissal moves a `bounced` inquiry on.
 * `failed` may become `delivered`: the mail did get through (an answer lost on
 * the way). `dismissed`, `quarantined` and a row the operator re-queued under a
 * new key (its old e-mail's events name the old key) are left alone.
 */
export interface DeliveryEvent {
  outcome: "delivered" | "bounced";
  /** Resend's e-mail id from the event. */
  emailId: string | null;
  /** The inquiry and operator-retry number the send's Idempotency-Key names (its `delivery` tag). */
  sentAs: { inquiryId: string; operatorRetries: number } | null;
  /** The event type, kept as the error code of a bounce (e.g. `email.bounced`). */
  type: string;
  at: number;
}

/** Applies one event; returns the id of the inquiry it moved, or null when nothing changed. */
export async function applyDeliveryEvent(db: D1Database, e: DeliveryEvent): Promise<string | null> {
  if (e.emailId === null && e.sentAs === null) return null;
  const row = await db
    .prepare(
      `UPDATE inquiries SET delivery_status = ?1,
         resend_id = coalesce(resend_id, ?2), sent_at = coalesce(sent_at, ?3), event_at = ?3,
         last_error = CASE WHEN ?1 = 'bounced' THEN ?4 ELSE NULL END,
         next_attempt_at = NULL, claimed_until = NULL, claim_token = NULL
       WHERE id IN (
           -- Resend's id, unless the tag names an earlier send (the operator retried since).
           SELECT id FROM inquiries WHERE resend_id = ?2 AND (?6 IS NULL OR operator_retries = ?6)
           UNION ALL
           -- The send's key, for an event that arrives before Resend's id is stored.
           SELECT id FROM inquiries WHERE id = ?5 AND operator_retries = ?6)
         AND (delivery_status IN ('pending', 'sent', 'failed')
           OR (delivery_status = 'delivered' AND ?1 = 'bounced'))
       RETURNING id`,
    )
    .bind(
      e.outcome,
      e.emailId,
      e.at,
      e.type.slice(0, 60),
      e.sentAs?.inquiryId ?? null,
      e.sentAs?.operatorRetries ?? null,
    )
    .first<{ id: string }>();
  return row?.id ?? null;
}
