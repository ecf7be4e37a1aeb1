import { Resend } from "resend";
import { DELIVERY_TAG } from "./delivery-key.ts";
import type { MailMessage } from "./compose.ts";

export type SendResult =
  | { ok: true; id: string }
  | {
      ok: false;
      /** HTTP status, or null when no answer arrived (network error, timeout). */
      status: number | null;
      /** Resend's error name, e.g. `validation_error`: a code, no personal data. */
      name: string;
      /** Seconds, from a 429's `retry-after`. */
      retryAfter: number | null;
      /** Resend refused the request naming the `reply_to` field (the visitor's address). */
      replyToRefused: boolean;
    };

/** Sends one message; the key makes a repeat of the same message a no-op at Resend. */
export type Sender = (message: MailMessage, idempotencyKey: string) => Promise<SendResult>;

/** How long one send may take before it counts as a network failure. */
export const SEND_TIMEOUT_MS = 15_000;

export function resendSender(apiKey: string, baseUrl: string): Sender {
  const resend = new Resend(apiKey, { baseUrl });
  return async (message, idempotencyKey) => {
    // The key travels as a tag too: Resend echoes tags in its webhook events, so an
    // event that arrives before the send's answer is stored still finds its inquiry.
    const tags = [{ name: DELIVERY_TAG, value: idempotencyKey }];
    const { data, error, headers } = await resend.emails.send({ ...message, tags }, {
      idempotencyKey,
      signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
    } as { idempotencyKey: string });
    if (data && !error) return { ok: true, id: data.id };
    const retryAfter = Number(headers?.["retry-after"]);
    const status = typeof error?.statusCode === "number" ? error.statusCode : null;
    return {
      ok: false,
      status,
      name: String(error?.name ?? "unknown_error").slice(0, 60),
      retryAfter: Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : null,
      // Resend names the field in a validation error's message ("Invalid `reply_to` field…").
      replyToRefused:
        (status === 422 || status === 400) && /reply_?to/i.test(String(error?.message ?? "")),
    };
  };
}
