import { Buffer } from "node:buffer";
import type { CreateEmailOptions } from "resend";
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
      /** Resend refused naming the attachment: for a linked file, it could not fetch the link. */
      attachmentRefused: boolean;
    };

/** Sends one message; the key makes a repeat of the same message a no-op at Resend. */
export type Sender = (message: MailMessage, idempotencyKey: string) => Promise<SendResult>;

/** How long one send may take before it counts as a network failure. */
export const SEND_TIMEOUT_MS = 15_000;

/** The resend SDK's version whose `emails.send` request this reproduces. */
const SDK_USER_AGENT = "resend-node:6.38.0";

/**
 * POST /emails (https://resend.com/docs/api-reference/emails/send-email) as the
 * resend SDK 6.38 sends it from `resend.emails.send(message, { idempotencyKey })`:
 * the same headers (Bearer key, `User-Agent`, JSON, `Idempotency-Key`) and the
 * same body (camelCase fields renamed to the API's snake_case, byte contents
 * base64). Not the SDK itself: its one `Resend` class builds a client for every
 * resource (contacts, domains, inboxes, …) in its constructor, so no bundler can
 * leave the unused ones out, and they were 7.7 KiB gzip of the worker's 64 KiB
 * budget (npm run size). `CreateEmailOptions`, the SDK's own type, still checks
 * the shape; tests/fakes/resend.ts checks the request as the API does.
 */
export function resendSender(apiKey: string, baseUrl: string): Sender {
  return async (message, idempotencyKey) => {
    // The key travels as a tag too: Resend echoes tags in its webhook events, so an
    // event that arrives before the send's answer is stored still finds its inquiry.
    const email = {
      ...message,
      tags: [{ name: DELIVERY_TAG, value: idempotencyKey }],
    } satisfies CreateEmailOptions;
    let res: Response;
    let body: unknown;
    try {
      res = await fetch(`${baseUrl}/emails`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${apiKey}`,
          "user-agent": SDK_USER_AGENT,
          "content-type": "application/json",
          "idempotency-key": idempotencyKey,
        },
        body: JSON.stringify(apiBody(email)),
        signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
      });
      body = res.ok ? await res.json() : await errorBody(res);
    } catch (err) {
      // SEND_TIMEOUT_MS passed with no (whole) answer: `network:timeout` in last_error.
      if (err instanceof Error && err.name === "TimeoutError")
        return failure(null, "timeout", null, "");
      // No answer, or one cut short: the SDK's "application_error" without a status.
      return failure(null, "application_error", null, "");
    }
    const data = body as { id?: unknown; name?: unknown; statusCode?: unknown; message?: unknown };
    if (res.ok && typeof data?.id === "string") return { ok: true, id: data.id };
    // Retry-After in seconds (RFC 9110 §10.2.3); Resend sends it with every 429 (Resend docs, "Rate limit").
    const retryAfter = Number(res.headers.get("retry-after") ?? NaN);
    return failure(
      typeof data?.statusCode === "number" ? data.statusCode : null,
      String(data?.name ?? "unknown_error"),
      Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : null,
      String(data?.message ?? ""),
    );
  };
}

/** A refusal's JSON body; one that is not JSON becomes the SDK's `application_error`. */
async function errorBody(res: Response): Promise<unknown> {
  try {
    return JSON.parse(await res.text());
  } catch {
    return { name: "application_error", statusCode: res.status, message: "" };
  }
}

function failure(
  status: number | null,
  name: string,
  retryAfter: number | null,
  message: string,
): SendResult {
  return {
    ok: false,
    status,
    name: name.slice(0, 60),
    retryAfter,
    // Resend names the field in a validation error's message ("Invalid `reply_to` field…").
    replyToRefused: (status === 422 || status === 400) && /reply_?to/i.test(message),
    // …and the attachment when it could not fetch a `path` (Resend docs, "Send email", attachments).
    attachmentRefused:
      (status === 422 || status === 400) &&
      (name === "invalid_attachment" || /attachment/i.test(message)),
  };
}

/** The SDK's `parseEmailToApiOptions` for the fields a message here can have. */
function apiBody(email: MailMessage & { tags: { name: string; value: string }[] }) {
  return {
    attachments: email.attachments?.map((a) => ({
      // Inline bytes as base64, or the link Resend fetches the file from.
      ...("content" in a
        ? {
            content: Buffer.from(
              a.content.buffer,
              a.content.byteOffset,
              a.content.byteLength,
            ).toString("base64"),
          }
        : { path: a.path }),
      filename: a.filename,
      content_type: a.contentType,
    })),
    from: email.from,
    headers: email.headers,
    html: email.html,
    reply_to: email.replyTo,
    subject: email.subject,
    tags: email.tags,
    text: email.text,
    to: email.to,
  };
}
