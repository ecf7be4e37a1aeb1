import { Hono } from "hono/tiny";
import type { AppEnv } from "../http/app.ts";
import { AppError } from "../http/errors.ts";
import { json } from "../http/respond.ts";
import { parseDeliveryKey } from "../mail/delivery-key.ts";
import { applyDeliveryEvent } from "../store/delivery-events.ts";
import { clearRejectedWebhooks, recordRejectedWebhook } from "../store/webhook-state.ts";
import { looksSigned, verifyResendEvent } from "./resend-event.ts";

/** Resend's event bodies are a few KB; anything far larger is not one. */
const MAX_EVENT_BYTES = 256 * 1024;

export interface WebhookRouteOptions {
  now: () => number;
}

/**
 * `POST /webhooks/resend`: Resend's delivery events, signed (Standard Webhooks).
 * Only with RESEND_WEBHOOK_SECRET set (else 404). Bad, missing or stale
 * signature: 401, without a `WWW-Authenticate` challenge (no token to ask
 * for); a signed body that is not JSON: 400 `malformed_body`. A verified event answers 200 whether or not it names one
 * of our e-mails, so Resend stops redelivering it; see `applyDeliveryEvent`
 * for which events move which state.
 */
export function webhookRoutes(opts: WebhookRouteOptions) {
  const route = new Hono<AppEnv>();

  route.post("/resend", async (c) => {
    const config = c.get("config");
    const secret = config.resendWebhookSecret;
    // Set wrong: 503, so Resend redelivers once it is fixed; unset: no webhook.
    if (!secret) throw new AppError(config.off.has("webhook") ? "switched_off" : "not_found");
    c.get("audience").html = false; // a machine's call: always JSON
    const body = await readBounded(c.req.raw, MAX_EVENT_BYTES);
    const event = verifyResendEvent(secret, body, c.req.raw.headers);
    if (!event) {
      // Signed, yet not by our secret: a rotated secret leaves every event here, so it
      // must show on /health. Unsigned probes cost no write.
      if (looksSigned(c.req.raw.headers)) await recordRejectedWebhook(c.env.DB, opts.now());
      throw new AppError("unauthorized");
    }
    await clearRejectedWebhooks(c.env.DB);
    if (event.outcome) {
      const moved = await applyDeliveryEvent(c.env.DB, {
        outcome: event.outcome,
        emailId: event.emailId,
        sentAs: event.deliveryKey ? parseDeliveryKey(event.deliveryKey) : null,
        type: event.type,
        at: opts.now(),
      });
      // One line with a stable code, for Workers Logs alerting.
      if (moved && event.outcome === "bounced") {
        console.error(`delivery_bounced id=${moved} event=${event.type.slice(0, 40)}`);
      }
    }
    return json({ ok: true });
  });

  return route;
}

/** The body as text, refused with 413 once it passes `limit` bytes (declared or streamed). */
async function readBounded(request: Request, limit: number): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > limit) throw new AppError("payload_too_large");
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw new AppError("payload_too_large");
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}
