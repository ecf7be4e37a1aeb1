import { Webhook } from "standardwebhooks";
import { AppError } from "../http/errors.ts";
import { DELIVERY_TAG } from "../mail/delivery-key.ts";

/**
 * What a verified Resend event means for an inquiry's delivery state.
 * `delivered`: `email.delivered`. `bounced`: `email.bounced`, `email.failed`,
 * `email.suppressed` or `email.complained` (a mailbox that refuses or reports
 * the staff's mail is a problem to see). Anything else changes nothing.
 */
export type DeliveryOutcome = "delivered" | "bounced";

export interface ResendEvent {
  /** The event's `svix-id`: the same on every redelivery of one event. */
  eventId: string;
  type: string;
  outcome: DeliveryOutcome | null;
  /** Resend's e-mail id (`data.email_id`), as its send answer gave it. */
  emailId: string | null;
  /**
   * The Idempotency-Key the mail was sent under, from the `delivery` tag the
   * worker adds to every send (Resend echoes tags as `data.tags`): matches an
   * event that arrives before the worker has stored `emailId`.
   */
  deliveryKey: string | null;
}

const OUTCOMES: Record<string, DeliveryOutcome> = {
  "email.delivered": "delivered",
  "email.bounced": "bounced",
  "email.failed": "bounced",
  "email.suppressed": "bounced",
  "email.complained": "bounced",
};

/**
 * Verifies a Resend webhook request and reads its event, or returns null when
 * the signature is missing, wrong or its timestamp is more than 5 minutes from
 * now. Resend signs with Svix, i.e. the Standard Webhooks scheme
 * (https://www.standardwebhooks.com/, "Verifying webhook authenticity"):
 * `svix-signature` holds space-separated `v1,<base64 HMAC-SHA256>` over
 * `${svix-id}.${svix-timestamp}.${raw body}`, keyed by the base64 part of the
 * `whsec_…` secret (Resend docs, "Verify webhooks requests"). The check itself,
 * constant-time comparison and the tolerance are the `standardwebhooks`
 * package's, which reads the clock itself. The headers may come by either
 * name (`svix-*` or `webhook-*`, `signatureHeaders`).
 *
 * @param secret RESEND_WEBHOOK_SECRET as Resend shows it (`whsec_…`)
 * @param rawBody the request body exactly as received (a re-serialised JSON would not verify)
 * @throws AppError `malformed_body` when the signature holds but the body is not JSON
 */
export function verifyResendEvent(
  secret: string,
  rawBody: string,
  headers: Headers,
): ResendEvent | null {
  const { id, timestamp, signature } = signatureHeaders(headers);
  if (!id || !timestamp || !signature) return null;
  try {
    new Webhook(secret).verify(
      rawBody,
      { "webhook-id": id, "webhook-timestamp": timestamp, "webhook-signature": signature },
      { jsonParse: false },
    );
  } catch {
    // A wrong signature, or a stale or future timestamp.
    return null;
  }
  // Parsed here, not by the library: a signed body that is not JSON came from
  // the signer, so it is unreadable (400), not unauthenticated (401).
  let payload: unknown;
  try {
    payload = JSON.parse(rawBody);
  } catch {
    throw new AppError("malformed_body");
  }
  return readEvent(id, payload);
}

/**
 * The three signature headers by Svix's names (`svix-id`, …, what Resend
 * sends) or the Standard Webhooks names (`webhook-id`, …), the same values.
 */
export function signatureHeaders(headers: Headers): {
  id: string | null;
  timestamp: string | null;
  signature: string | null;
} {
  const get = (name: string) => headers.get(`svix-${name}`) ?? headers.get(`webhook-${name}`);
  return { id: get("id"), timestamp: get("timestamp"), signature: get("signature") };
}

/** Whether a request carries all three signature headers: a signer meant it, so a failure counts. */
export function looksSigned(headers: Headers): boolean {
  const h = signatureHeaders(headers);
  return Boolean(h.id && h.timestamp && h.signature);
}

/**
 * The `delivery` tag's value: `data.tags` as an object (`{"delivery":"…"}`)
 * or as the list the send API takes (`[{"name":"delivery","value":"…"}]`).
 */
function deliveryTag(tags: unknown): unknown {
  if (isObject(tags)) return tags[DELIVERY_TAG];
  if (!Array.isArray(tags)) return undefined;
  const tag = tags.find((t: unknown) => isObject(t) && t.name === DELIVERY_TAG) as
    Record<string, unknown> | undefined;
  return tag?.value;
}

function readEvent(eventId: string, payload: unknown): ResendEvent {
  const event = isObject(payload) ? payload : {};
  const type = typeof event.type === "string" ? event.type : "";
  const data = isObject(event.data) ? event.data : {};
  const key = deliveryTag(data.tags);
  return {
    eventId,
    type,
    outcome: OUTCOMES[type] ?? null,
    emailId: typeof data.email_id === "string" && data.email_id ? data.email_id : null,
    deliveryKey: typeof key === "string" && key ? key : null,
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
