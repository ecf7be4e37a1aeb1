/**
 * The Resend tag every send carries with its Idempotency-Key as value (tag
 * values allow ASCII letters, digits, `_` and `-`: Resend docs, "Send email",
 * `tags`). Resend echoes tags in webhook events (`data.tags`).
 */
export const DELIVERY_TAG = "delivery";

const NO_REPLY = "-noreply";
const INLINE = "-inline";

/**
 * The Idempotency-Key an inquiry's mail is sent under (Resend docs,
 * "Idempotency keys": one key, one e-mail, for 24 hours). `inquiry-<id>` for
 * the automatic sends; `inquiry-<id>-r<n>` after the operator's n-th retry, so
 * a retry is a new e-mail to Resend and not a replay of the refused one (a
 * hold released after the retry window counts as one: store `setHold`).
 * `-noreply` is appended for the send without `reply_to` after Resend refused
 * the visitor's address: its body differs, and Resend answers a reused key
 * with another body by 409 instead of sending, so it needs a key of its own.
 * `-inline` (before `-noreply`) likewise for the send that carries the file
 * inline (or without it) after Resend could not fetch its link.
 * The only place the key is built or read.
 *
 * @param operatorRetries the row's operator-retry counter (0: never retried by an operator)
 * @param withoutReplyTo the send leaves `reply_to` out (the row's `reply_to_refused`)
 * @param withoutLink the file goes inline or not at all (the row's `link_refused`)
 */
export function deliveryKey(
  inquiryId: string,
  operatorRetries: number,
  withoutReplyTo = false,
  withoutLink = false,
): string {
  const base =
    operatorRetries > 0 ? `inquiry-${inquiryId}-r${operatorRetries}` : `inquiry-${inquiryId}`;
  return `${base}${withoutLink ? INLINE : ""}${withoutReplyTo ? NO_REPLY : ""}`;
}

/**
 * The inquiry id and operator-retry number a key names, or null for a key not
 * of this form. Read: `inquiry-<uuid>`, then optionally `-r<n>` (the n-th
 * operator retry), then optionally `-inline` and `-noreply` (the send repeated
 * without the refused link or reply_to, which is the same delivery).
 */
export function parseDeliveryKey(
  key: string,
): { inquiryId: string; operatorRetries: number } | null {
  if (key.length > 200 || !key.startsWith("inquiry-")) return null;
  const parts = key.slice("inquiry-".length).split("-");
  if (parts.length < 5) return null;
  const id = parts.slice(0, 5).join("-");
  const rest = parts.slice(5);
  if (rest[rest.length - 1] === "noreply") rest.pop();
  if (rest[rest.length - 1] === "inline") rest.pop();
  let retries = 0;
  if (rest.length === 1 && /^r[1-9][0-9]{0,5}$/.test(rest[0]!)) retries = Number(rest[0]!.slice(1));
  else if (rest.length !== 0) return null;
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) return null;
  return { inquiryId: id, operatorRetries: retries };
}
