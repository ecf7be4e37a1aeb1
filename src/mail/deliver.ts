import { loadConfig, type Config } from "../config/config.ts";
import type { Claim, ClaimedInquiry, NewInquiry } from "../domain/inquiry.ts";
import { deleteAttachments, getAttachment } from "../store/attachments.ts";
import { claimDue, markFailed, markRetry, markSent } from "../store/deliveries.ts";
import { fromRow, type InquiryRow } from "../store/inquiries.ts";
import { composeMail } from "./compose.ts";
import { deliveryKey } from "./delivery-key.ts";
import { resendSender, type Sender } from "./send.ts";

export const MAX_ATTEMPTS = 12;
const BACKOFF_BASE_MS = 60_000;
const BACKOFF_CAP_MS = 6 * 60 * 60_000;
/** A sender's claim on a row; long enough for one slow send, short enough to recover a crash. */
const LEASE_MS = 5 * 60_000;
/** Resend allows 5 requests per second; 4 leaves room for anything else on the key. */
export const SEND_INTERVAL_MS = 250;
const BATCH = 40;

export interface DeliveryDeps {
  db: D1Database;
  bucket: R2Bucket;
  config: Config;
  send: Sender;
  now: number;
  /** Waits between sends (real time in production, recorded in tests). */
  sleep: (ms: number) => Promise<void>;
  random: () => number;
}

export interface DeliveryReport {
  sent: number;
  retried: number;
  failed: number;
}

/** Whether retrying could help: network errors, rate limits, Resend's own faults, conflicts in flight. */
export function retryable(status: number | null, name: string): boolean {
  if (status === null || status === 429 || status >= 500) return true;
  return status === 409 && name === "concurrent_idempotent_requests";
}

/** Exponential backoff with ±20 % jitter, at least as long as Resend's `retry-after`. */
export function nextAttemptDelay(
  attempts: number,
  retryAfterS: number | null,
  random: number,
): number {
  const exp = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1));
  const jittered = Math.round(exp * (0.8 + 0.4 * random));
  return Math.max(jittered, (retryAfterS ?? 0) * 1000);
}

/** Sends what is due, one at a time, paced under Resend's rate limit. */
export async function deliverDue(deps: DeliveryDeps): Promise<DeliveryReport> {
  const report: DeliveryReport = { sent: 0, retried: 0, failed: 0 };
  const token = crypto.randomUUID();
  const rows = await claimDue(deps.db, deps.now, { token, until: deps.now + LEASE_MS }, BATCH);
  for (const [i, row] of rows.entries()) {
    if (i > 0) await deps.sleep(SEND_INTERVAL_MS);
    const result = await deliverOne(deps, row, token);
    report[result]++;
  }
  return report;
}

/** A claimed row from the outbox: its file comes back from R2, then it is sent. */
async function deliverOne(
  deps: DeliveryDeps,
  row: InquiryRow,
  token: string,
): Promise<keyof DeliveryReport> {
  const inquiry = fromRow(row);
  const attempts = row.delivery_attempts + 1;
  let file: Uint8Array | null = null;
  if (inquiry.attachment?.key) {
    try {
      file = await getAttachment(deps.bucket, inquiry.attachment.key);
    } catch {
      // R2 unavailable: try again later rather than mail without the file.
      return retry(deps, row.id, token, attempts, "storage_unavailable", null);
    }
  }
  return sendClaimed(deps, inquiry, attempts, file, token, row.operator_retries);
}

/** Sends one inquiry this sender holds the claim on, and records the outcome. */
async function sendClaimed(
  deps: DeliveryDeps,
  inquiry: NewInquiry,
  attempts: number,
  file: Uint8Array | null,
  token: string,
  operatorRetries: number,
): Promise<keyof DeliveryReport> {
  const { db, bucket, now } = deps;
  const key = deliveryKey(inquiry.id, operatorRetries);
  const result = await deps.send(composeMail(inquiry, deps.config, file), key);
  if (result.ok) {
    // If the mark is lost, the row stays pending; once the lease ends the next
    // run sends again under the same idempotency key, and Resend sends nothing twice.
    const written = await markSent(db, inquiry.id, token, {
      attempts,
      at: now,
      resendId: result.id,
    });
    // Once mailed, the file's only copy we need is in the staff's mail.
    if (written && inquiry.attachment?.key)
      await deleteAttachments(bucket, [inquiry.attachment.key]);
    return "sent";
  }
  const code = `${result.status ?? "network"}:${result.name}`;
  if (retryable(result.status, result.name) && attempts < MAX_ATTEMPTS) {
    return retry(deps, inquiry.id, token, attempts, code, result.retryAfter);
  }
  console.error(
    `delivery of inquiry ${inquiry.id} failed for good after ${attempts} attempts (${code})`,
  );
  await markFailed(db, inquiry.id, token, { attempts, error: code });
  return "failed";
}

async function retry(
  deps: DeliveryDeps,
  id: string,
  token: string,
  attempts: number,
  code: string,
  retryAfter: number | null,
): Promise<"retried"> {
  const next = deps.now + nextAttemptDelay(attempts, retryAfter, deps.random());
  console.warn(`delivery of inquiry ${id} will be retried (attempt ${attempts}, ${code})`);
  await markRetry(deps.db, id, token, { attempts, error: code, nextAt: next });
  return "retried";
}

/** The sender this configuration allows, or null when mail must wait for an API key. */
export function senderFor(config: Config): Sender | null {
  return config.resendApiKey ? resendSender(config.resendApiKey, config.resendBaseUrl) : null;
}

export function deliveryDeps(env: Env, config: Config, send: Sender, now: number): DeliveryDeps {
  return {
    db: env.DB,
    bucket: env.ATTACHMENTS,
    config,
    send,
    now,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    random: Math.random,
  };
}

/** The lease a submission takes on its own row when it will mail it at once; null when mail must wait. */
export function firstSendClaim(config: Config, now: number): Claim | null {
  return canSend(config) ? { token: crypto.randomUUID(), until: now + LEASE_MS } : null;
}

/** Whether mail can go out now: only with an API key. */
function canSend(config: Config): boolean {
  return config.resendApiKey !== null;
}

/**
 * Right after an inquiry is stored (claimed by `firstSendClaim`): mail it at
 * once from what is still in memory, without delaying the answer.
 */
export async function deliverNow(env: Env, first: ClaimedInquiry): Promise<void> {
  const result = loadConfig(env);
  if (!result.ok) return;
  const send = senderFor(result.config);
  if (!send) return;
  try {
    await sendClaimed(
      deliveryDeps(env, result.config, send, Date.now()),
      first.inquiry,
      1,
      first.file,
      first.claim.token,
      0, // a new inquiry has never been retried by an operator
    );
  } catch (err) {
    // The row stays pending; the next scheduled run picks it up once the lease ends.
    console.error(`immediate delivery failed: ${err instanceof Error ? err.name : "error"}`);
  }
}
