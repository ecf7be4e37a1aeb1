import { loadConfig, type Config } from "../config/config.ts";
import type { Claim, ClaimedInquiry, NewInquiry } from "../domain/inquiry.ts";
import { filePath, linkOrigin } from "../files/link.ts";
import { attachmentExists, getAttachment } from "../store/attachments.ts";
import {
  claimDue,
  giveUpExpired,
  markFailed,
  markReplyToRefused,
  markRetry,
  markSent,
  releaseClaims,
  renewClaim,
} from "../store/deliveries.ts";
import { fromRow, type InquiryRow } from "../store/inquiries.ts";
import { composeMail, type FileSource } from "./compose.ts";
import { deliveryKey } from "./delivery-key.ts";
import { resendSender, SEND_TIMEOUT_MS, type Sender } from "./send.ts";

/** Attempts, counted when claimed, after which an inquiry is `failed`. */
export const MAX_ATTEMPTS = 12;
const BACKOFF_BASE_MS = 60_000;
/** 1, 2, 4 … 256 min, then 4 h: twelve attempts fit in about 16.5 h (19.8 h with jitter). */
const BACKOFF_CAP_MS = 4 * 60 * 60_000;
/**
 * Resend keeps an Idempotency-Key for 24 hours (Resend docs, "Idempotency
 * Keys"); a retry after that could send the mail twice. Every automatic
 * attempt starts within this time of the first one under the same key.
 */
export const RETRY_WINDOW_MS = 23 * 60 * 60_000;
/** The latest a retry is scheduled, so a run every 30 minutes or less still makes it inside the window. */
const LAST_RETRY_AFTER_MS = RETRY_WINDOW_MS - 30 * 60_000;
/**
 * The time (ms) at or before which a first attempt leaves no automatic retry
 * for the next run (at most 30 minutes away) to make inside the window: a
 * released hold sends such an inquiry under a new key (store `setHold`).
 */
export function keySpentBefore(now: number): number {
  return now - LAST_RETRY_AFTER_MS;
}
/** A sender's claim on a row (wall clock); renewed right before each send so it covers that send. */
export const LEASE_MS = 5 * 60_000;
/**
 * A run starts no send later than this after it began, so its last send
 * (at most SEND_TIMEOUT_MS) ends well inside the lease of the rows it claimed;
 * what it did not reach it hands back for the next run.
 */
export const RUN_BUDGET_MS = LEASE_MS - 2 * SEND_TIMEOUT_MS - 30_000;
/** Resend allows 5 requests per second; 4 leaves room for anything else on the key. */
export const SEND_INTERVAL_MS = 250;
const BATCH = 40;

export interface DeliveryDeps {
  db: D1Database;
  bucket: R2Bucket;
  config: Config;
  send: Sender;
  /** The run's time in ms (the scheduled event's): what is due, attempt and sent times. */
  now: number;
  /** The wall clock in ms: leases and the run's budget, which real time bounds. */
  clock: () => number;
  /** Waits between sends (real time in production, recorded in tests). */
  sleep: (ms: number) => Promise<void>;
  random: () => number;
}

export interface DeliveryReport {
  sent: number;
  retried: number;
  failed: number;
  /** Erased, held or taken over since the claim: not sent by this run. */
  skipped: number;
  /** Claimed but handed back: the run's time budget ran out. */
  deferred: number;
}

/**
 * Whether retrying could help: network errors, rate limits, Resend's own
 * faults, conflicts in flight, and, for a mail whose file went as a link,
 * Resend's `invalid_attachment` (it could not fetch the link: our own storage
 * or network hiccuped, and the link stays valid while the file is kept).
 */
export function retryable(status: number | null, name: string, linked = false): boolean {
  if (status === null || status === 429 || status >= 500) return true;
  if (linked && status === 422 && name === "invalid_attachment") return true;
  return status === 409 && name === "concurrent_idempotent_requests";
}

/**
 * A 409 `invalid_idempotent_request`: the key was already used by a request
 * Resend accepted, with another body (an operator's rectification, a changed
 * MAIL_TO or template, since the answer to that request was lost). The staff
 * have the mail, so the inquiry is `sent` (Resend docs, "Idempotency Keys").
 */
export function acceptedEarlier(status: number | null, name: string): boolean {
  return status === 409 && name === "invalid_idempotent_request";
}

/** Exponential backoff with ±20 % jitter, at least as long as Resend's `retry-after` (seconds). */
export function nextAttemptDelay(
  attempts: number,
  retryAfterS: number | null,
  random: number,
): number {
  const exp = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1));
  const jittered = Math.round(exp * (0.8 + 0.4 * random));
  return Math.max(jittered, (retryAfterS ?? 0) * 1000);
}

/**
 * When to try again (ms), or null when no attempt may follow: the backoff is
 * cut to the retry window, and a `retry-after` that reaches past the window
 * ends the retries rather than being cut (it is honoured, never shortened).
 */
export function nextAttemptAt(
  now: number,
  firstAttemptAt: number,
  attempts: number,
  retryAfterS: number | null,
  random: number,
): number | null {
  const last = firstAttemptAt + LAST_RETRY_AFTER_MS;
  const notBefore = now + (retryAfterS ?? 0) * 1000;
  if (last <= now || notBefore > last) return null;
  return Math.min(now + nextAttemptDelay(attempts, retryAfterS, random), last);
}

/** A claimed inquiry as its send needs it; `attempts` already counts this one. */
interface Attempt {
  inquiry: NewInquiry;
  attempts: number;
  firstAttemptAt: number;
  operatorRetries: number;
  replyToRefused: boolean;
}

/**
 * Sends what is due, one at a time, paced under Resend's rate limit, and
 * fails what may not be tried again. Each row is handled on its own: one that
 * throws is left to its lease and counted attempt, the others go on.
 */
export async function deliverDue(deps: DeliveryDeps): Promise<DeliveryReport> {
  const report: DeliveryReport = { sent: 0, retried: 0, failed: 0, skipped: 0, deferred: 0 };
  const started = deps.clock();
  const given = await giveUpExpired(deps.db, deps.now, started, MAX_ATTEMPTS, RETRY_WINDOW_MS);
  for (const g of given) logFailed(g.id, g.code);
  report.failed += given.length;

  const token = crypto.randomUUID();
  const claim = { token, until: started + LEASE_MS };
  const rows = await claimDue(deps.db, deps.now, started, claim, BATCH);
  for (const [i, row] of rows.entries()) {
    if (i > 0) await deps.sleep(SEND_INTERVAL_MS);
    if (deps.clock() - started > RUN_BUDGET_MS) {
      const rest = rows.slice(i).map((r) => r.id);
      await releaseClaims(deps.db, rest, token);
      report.deferred += rest.length;
      break;
    }
    try {
      report[await deliverOne(deps, row, token)]++;
    } catch (err) {
      console.error(
        `delivery of inquiry ${row.id} broke: ${err instanceof Error ? err.name : "error"}`,
      );
    }
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
  const firstAttemptAt = row.first_attempt_at ?? deps.now;
  let file: FileSource = null;
  if (inquiry.attachment?.key) {
    try {
      file = await storedFile(deps, inquiry, inquiry.attachment.key);
    } catch {
      // R2 unavailable: try again later rather than mail without the file.
      return retryOrFail(deps, row.id, token, row.delivery_attempts, firstAttemptAt, {
        code: "storage_unavailable",
        retryAfter: null,
      });
    }
  }
  // The row may have been erased or put on hold since the claim, or taken over
  // by another run: check right before sending, and stretch the lease over this send.
  if (!(await renewClaim(deps.db, row.id, token, deps.clock() + LEASE_MS))) {
    // Held: give the row and its uncounted attempt back (a no-op if erased or taken over).
    await releaseClaims(deps.db, [row.id], token);
    return "skipped";
  }
  const attempt: Attempt = {
    inquiry,
    attempts: row.delivery_attempts,
    firstAttemptAt,
    operatorRetries: row.operator_retries,
    replyToRefused: row.reply_to_refused === 1,
  };
  return sendClaimed(deps, attempt, file, token);
}

/**
 * The link Resend fetches the file by (Resend's `path`), or null when no
 * public URL of the worker is known for this inquiry: then the file goes inline.
 */
async function fileLink(config: Config, inquiry: NewInquiry, key: string): Promise<string | null> {
  const origin = linkOrigin(inquiry.workerOrigin, config.resendBaseUrl);
  if (!origin || !config.resendApiKey) return null;
  return origin + (await filePath(config.resendApiKey, inquiry.id, key));
}

/**
 * The stored file for a later send: a link when one can be made (only its
 * metadata is read, to mail "could not be read" rather than a dead link),
 * else its bytes. Null when it is gone; throws when R2 is unreachable.
 */
async function storedFile(
  deps: DeliveryDeps,
  inquiry: NewInquiry,
  key: string,
): Promise<FileSource> {
  const link = await fileLink(deps.config, inquiry, key);
  if (link) return (await attachmentExists(deps.bucket, key)) ? { path: link } : null;
  const bytes = await getAttachment(deps.bucket, key);
  return bytes ? { content: bytes } : null;
}

/** Sends one inquiry this sender holds the claim on, and records the outcome. */
async function sendClaimed(
  deps: DeliveryDeps,
  a: Attempt,
  file: FileSource,
  token: string,
): Promise<keyof DeliveryReport> {
  const { db, now } = deps;
  const id = a.inquiry.id;
  const mail = (noReply: boolean) => composeMail(a.inquiry, deps.config, file, !noReply);
  let noReply = a.replyToRefused;
  let result = await deps.send(mail(noReply), deliveryKey(id, a.operatorRetries, noReply));
  if (!result.ok && result.replyToRefused && !noReply) {
    // An address the form accepted but Resend refuses must not lose the
    // inquiry: send it without reply_to; the address stays in the body.
    await markReplyToRefused(db, id, token);
    noReply = true;
    result = await deps.send(mail(true), deliveryKey(id, a.operatorRetries, true));
  }
  if (result.ok || acceptedEarlier(result.status, result.name)) {
    // If the mark is lost, the row stays pending; once the lease ends the next
    // run sends again under the same key, and Resend sends nothing twice. The
    // file stays until the mail is delivered or a day old (a retry may need it).
    await markSent(db, id, token, { at: now, resendId: result.ok ? result.id : null });
    return "sent";
  }
  const code = `${result.status ?? "network"}:${result.name}`;
  const linked = file !== null && "path" in file;
  if (!retryable(result.status, result.name, linked)) return fail(deps, id, token, code);
  return retryOrFail(deps, id, token, a.attempts, a.firstAttemptAt, {
    code,
    retryAfter: result.retryAfter,
  });
}

/** Schedules the next attempt, or fails the inquiry when the attempts or the window are spent. */
async function retryOrFail(
  deps: DeliveryDeps,
  id: string,
  token: string,
  attempts: number,
  firstAttemptAt: number,
  why: { code: string; retryAfter: number | null },
): Promise<"retried" | "failed" | "skipped"> {
  const next =
    attempts < MAX_ATTEMPTS
      ? nextAttemptAt(deps.now, firstAttemptAt, attempts, why.retryAfter, deps.random())
      : null;
  if (next === null) return fail(deps, id, token, why.code);
  console.warn(`delivery of inquiry ${id} will be retried (attempt ${attempts}, ${why.code})`);
  await markRetry(deps.db, id, token, { error: why.code, nextAt: next });
  return "retried";
}

async function fail(
  deps: DeliveryDeps,
  id: string,
  token: string,
  code: string,
): Promise<"failed" | "skipped"> {
  if (!(await markFailed(deps.db, id, token, { error: code }))) return "skipped";
  logFailed(id, code);
  return "failed";
}

/**
 * One line per inquiry that becomes `failed`, with a stable code for Workers
 * Logs alerting: the id and an error code, never personal data.
 */
function logFailed(id: string, code: string): void {
  console.error(`delivery_failed_permanently id=${id} code=${code}`);
}

/** The sender this configuration allows, or null when mail must wait for an API key. */
export function senderFor(config: Config): Sender | null {
  return config.resendApiKey && canSend(config)
    ? resendSender(config.resendApiKey, config.resendBaseUrl)
    : null;
}

export function deliveryDeps(env: Env, config: Config, send: Sender, now: number): DeliveryDeps {
  return {
    db: env.DB,
    bucket: env.ATTACHMENTS,
    config,
    send,
    now,
    clock: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    random: Math.random,
  };
}

/** The lease a submission takes on its own row when it will mail it at once; null when mail must wait. */
export function firstSendClaim(config: Config, now: number): Claim | null {
  return canSend(config) ? { token: crypto.randomUUID(), until: now + LEASE_MS } : null;
}

/** Whether mail can go out now: only with an API key and no problem in a mail setting. */
function canSend(config: Config): boolean {
  return config.resendApiKey !== null && !config.off.has("mail");
}

/**
 * Right after an inquiry is stored (claimed by `firstSendClaim`): mail it at
 * once from what is still in memory, without delaying the answer.
 */
export async function deliverNow(env: Env, first: ClaimedInquiry): Promise<void> {
  const result = loadConfig(env);
  const send = senderFor(result.config);
  if (!send) return;
  try {
    const attempt: Attempt = {
      inquiry: first.inquiry,
      attempts: 1, // counted by the insert that claimed it
      firstAttemptAt: first.inquiry.createdAt,
      operatorRetries: 0,
      replyToRefused: false,
    };
    // No re-check before this send: the row was stored claimed a moment ago,
    // before anyone outside could know its id to erase or hold it.
    const deps = deliveryDeps(env, result.config, send, Date.now());
    const key = first.inquiry.attachment?.key;
    const link = key ? await fileLink(result.config, first.inquiry, key) : null;
    const file: FileSource = link ? { path: link } : first.file ? { content: first.file } : null;
    await sendClaimed(deps, attempt, file, first.claim.token);
  } catch (err) {
    // The row stays pending; the next scheduled run picks it up once the lease ends.
    console.error(`immediate delivery failed: ${err instanceof Error ? err.name : "error"}`);
  }
}
