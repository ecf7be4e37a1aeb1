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
    };

/** Sends one message; the key makes a repeat of the same message a no-op at Resend. */
export type Sender = (message: MailMessage, idempotencyKey: string) => Promise<SendResult>;

const SEND_TIMEOUT_MS = 15_000;

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
    return {
      ok: false,
      status: typeof error?.statusCode === "number" ? error.statusCode : null,
      name: String(error?.name ?? "unknown_error").slice(0, 60),
      retryAfter: Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : null,
    };
  };
}

/** A message as the local outbox keeps it: the file's bytes are stored beside it. */
export type OutboxMessage = Omit<MailMessage, "attachments"> & {
  attachments?: { filename: string; contentType: string; size: number }[];
  savedAt: string;
};

/** Development without an API key: the message is kept in R2 for the /outbox pages. */
export function localOutboxSender(bucket: R2Bucket): Sender {
  return async (message, idempotencyKey) => {
    const id = idempotencyKey.replace(/^inquiry-/, "");
    const stored: OutboxMessage = {
      ...message,
      attachments: message.attachments?.map((a) => ({
        filename: a.filename,
        contentType: a.contentType,
        size: a.content.byteLength,
      })),
      savedAt: new Date().toISOString(),
    };
    await bucket.put(`outbox/${id}/message.json`, JSON.stringify(stored), {
      httpMetadata: { contentType: "application/json" },
    });
    const file = message.attachments?.[0];
    if (file) {
      await bucket.put(`outbox/${id}/attachment`, file.content, {
        httpMetadata: { contentType: file.contentType },
        customMetadata: { filename: file.filename },
      });
    }
    return { ok: true, id: `local-${id}` };
  };
}
