import { loadConfig, type Config } from "../config/config.ts";
import type { Claim, ClaimedInquiry, NewInquiry } from "../domain/inquiry.ts";
import { RESEND_ATTACHMENT_CEILING } from "../config/limits.ts";
import { filePath, linkOrigin } from "../files/link.ts";
import { attachmentExists, getAttachment } from "../store/attachments.ts";
import {
  claimDue,
  giveUpExpired,
  handBack,
  markFailed,
  markLinkRefused,
  markReplyToRefused,
  markRetry,
  markSent,
  releaseClaims,
  renewClaim,
} from "../store/deliveries.ts";
import { fromRow, type InquiryRow } from "../store/inquiries.ts";
import { Allowance } from "../schedule/budget.ts";
import { composeMail, type FileSource } from "./compose.ts";
import { deliveryKey } from "./delivery-key.ts";
import { resendSender, SEND_TIMEOUT_MS, type Sender, type SendResult } from "./send.ts";

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
/** The time between two sends (ms) at RESEND_RATE sends per second (Resend docs, "Rate limit"). */
export function sendIntervalMs(rate: number): number {
  return Math.ceil(1000 / rate);
}
/**
 * A 429 is waited out (its `retry-after`, RFC 9110 §10.2.3) within a
 * scheduled run up to this many times and this long each; past that the row
 * is handed back for later, its attempt not counted.
 */
const RATE_WAITS = 3;
const RATE_WAIT_MAX_MS = 10_000;
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
  /** Calls this run's deliveries may make (schedule/budget.ts); unbounded when not given. */
  allowance?: Allowance;
  /** Counts the calls (D1, R2, sends) one inquiry's delivery makes. */
  meter?: { calls: number };
}

/**
 * Calls one inquiry's delivery makes at most: file, renewal, send, reply_to
 * mark, second send, outcome. A refused link (mark, file read, inline send)
 * and a 429 waited out (the send again) take theirs from the run's allowance
 * as they come (`Recovery.extra`).
 */
export const MAX_CALLS_PER_MAIL = 6;
/** And usually: file (if any), renewal, send, outcome. Claims are sized by this. */
const USUAL_CALLS_PER_MAIL = 4;

const tick = (deps: DeliveryDeps) => {
  if (deps.meter) deps.meter.calls++;
};

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
  /** Resend could not fetch the file's link before: send it inline, or say how to get it. */
  linkRefused: boolean;
}

/**
 * Sends what is due, one at a time, paced under Resend's rate limit, and
 * fails what may not be tried again. Each row is handled on its own: one that
 * throws is left to its lease and counted attempt, the others go on.
 */
export async function deliverDue(deps: DeliveryDeps): Promise<DeliveryReport> {
  const report: DeliveryReport = { sent: 0, retried: 0, failed: 0, skipped: 0, deferred: 0 };
  const allowance = deps.allowance ?? new Allowance(Number.POSITIVE_INFINITY);
  // The give-up UPDATE, the claim, and handing back claims the run does not reach.
  if (!allowance.take(3)) return report;
  const started = deps.clock();
  const given = await giveUpExpired(deps.db, deps.now, started, MAX_ATTEMPTS, RETRY_WINDOW_MS);
  for (const g of given) logFailed(g.id, g.code);
  report.failed += given.length;

  const claimable = Math.min(BATCH, Math.floor(allowance.left() / USUAL_CALLS_PER_MAIL));
  if (claimable === 0) {
    allowance.refund(2);
    return report;
  }
  const token = crypto.randomUUID();
  const claim = { token, until: started + LEASE_MS };
  const rows = await claimDue(deps.db, deps.now, started, claim, claimable);
  let released = false;
  const send = pacedSender(deps);
  for (const [i, row] of rows.entries()) {
    if (deps.clock() - started > RUN_BUDGET_MS || !allowance.take(MAX_CALLS_PER_MAIL)) {
      const rest = rows.slice(i).map((r) => r.id);
      await releaseClaims(deps.db, rest, token);
      released = true;
      report.deferred += rest.length;
      break;
    }
    const meter = { calls: 0 };
    try {
      const outcome = await deliverOne({ ...deps, send, meter }, row, token, (n) =>
        allowance.take(n),
      );
      report[outcome]++;
      if (outcome === "deferred") {
        // Resend kept answering 429 after waiting: the rest of this run would only
        // meet more of them; hand it back for the next run (attempts not counted).
        const rest = rows.slice(i + 1).map((r) => r.id);
        await releaseClaims(deps.db, rest, token);
        released = true;
        report.deferred += rest.length;
        allowance.refund(MAX_CALLS_PER_MAIL - Math.min(meter.calls, MAX_CALLS_PER_MAIL));
        break;
      }
    } catch (err) {
      console.error(
        `delivery of inquiry ${row.id} broke: ${err instanceof Error ? err.name : "error"}`,
      );
    }
    allowance.refund(MAX_CALLS_PER_MAIL - Math.min(meter.calls, MAX_CALLS_PER_MAIL));
  }
  if (!released) allowance.refund(1);
  return report;
}

/** A claimed row from the outbox: its file comes back from R2, then it is sent. */
async function deliverOne(
  deps: DeliveryDeps,
  row: InquiryRow,
  token: string,
  extra: (calls: number) => boolean,
): Promise<keyof DeliveryReport> {
  const inquiry = fromRow(row);
  const firstAttemptAt = row.first_attempt_at ?? deps.now;
  const linkRefused = row.link_refused === 1;
  let file: FileSource = null;
  const key = inquiry.attachment?.key;
  if (key) {
    try {
      tick(deps);
      file = await storedFile(deps, inquiry, key, linkRefused);
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
  tick(deps);
  if (!(await renewClaim(deps.db, row.id, token, deps.clock() + LEASE_MS))) {
    // Held: give the row and its uncounted attempt back (a no-op if erased or taken over).
    tick(deps);
    await releaseClaims(deps.db, [row.id], token);
    return "skipped";
  }
  const attempt: Attempt = {
    inquiry,
    attempts: row.delivery_attempts,
    firstAttemptAt,
    operatorRetries: row.operator_retries,
    replyToRefused: row.reply_to_refused === 1,
    linkRefused,
  };
  const inline = async () => {
    tick(deps);
    return key ? inlineFile(await getAttachment(deps.bucket, key)) : null;
  };
  return sendClaimed(deps, attempt, file, token, { inline, rateWaits: RATE_WAITS, extra });
}

/**
 * Paces the sends of one run to RESEND_RATE per second (Resend docs, "Rate
 * limit": 2 per second by default), resends within one inquiry included.
 * The interval counts from the end of the previous send: Resend counts a
 * request when it arrives, which a slow request may do late, so counting
 * from its start could put the next two into the same second.
 */
function pacedSender(deps: DeliveryDeps): Sender {
  const interval = sendIntervalMs(deps.config.resendRate);
  let last = -Infinity;
  return async (message, key) => {
    const wait = last + interval - deps.clock();
    if (wait > 0) await deps.sleep(wait);
    try {
      return await deps.send(message, key);
    } finally {
      last = deps.clock();
    }
  };
}

/**
 * The file's bytes inline when the mail fits Resend's 40 MB (counted after
 * base64, Resend docs "Send email"), else `omitted`: the mail then says a
 * file came and how the staff get it. Null when the file is gone.
 */
function inlineFile(bytes: Uint8Array | null): FileSource {
  if (!bytes) return null;
  return fitsInline(bytes.byteLength) ? { content: bytes } : { omitted: true };
}

function fitsInline(size: number): boolean {
  return size <= RESEND_ATTACHMENT_CEILING;
}

/**
 * The link Resend fetches the file by, from PUBLIC_URL as it is set at this
 * send (never a request's Host), or null without one: the file goes inline.
 */
export async function fileLink(
  config: Config,
  inquiry: NewInquiry,
  key: string,
): Promise<string | null> {
  const origin = linkOrigin(config.publicUrl, config.resendBaseUrl);
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
  linkRefused: boolean,
): Promise<FileSource> {
  const link = linkRefused ? null : await fileLink(deps.config, inquiry, key);
  if (link) return (await attachmentExists(deps.bucket, key)) ? { path: link } : null;
  // Too large to carry inline: not read at all (only its size, from the row).
  if (!fitsInline(inquiry.attachment?.size ?? 0)) return { omitted: true };
  return inlineFile(await getAttachment(deps.bucket, key));
}

/** How a send may recover within one attempt. */
interface Recovery {
  /** The file inline (or `omitted`), for the resend after Resend could not fetch its link. */
  inline: () => Promise<FileSource>;
  /** How many 429s may be waited out in place before the row is handed back. */
  rateWaits: number;
  /** Whether `calls` more calls fit the run's allowance (the plan's limit per invocation). */
  extra: (calls: number) => boolean;
}

/**
 * Sends one inquiry this sender holds the claim on, and records the outcome.
 * Within this one attempt: a refused `reply_to` is sent again without it, a
 * link Resend could not fetch again with the file inline (or without it,
 * saying so), and a 429 is waited out; a 429 that lasts hands the row back
 * with its attempt not counted. Each change of body flips a flag once, so the
 * loop ends.
 */
async function sendClaimed(
  deps: DeliveryDeps,
  a: Attempt,
  first: FileSource,
  token: string,
  recovery: Recovery,
): Promise<keyof DeliveryReport> {
  const { db, now } = deps;
  const id = a.inquiry.id;
  let file = first;
  let noReply = a.replyToRefused;
  let noLink = a.linkRefused;
  let waits = 0;
  for (;;) {
    const mail = composeMail(a.inquiry, deps.config, file, !noReply);
    tick(deps);
    const result = await deps.send(mail, deliveryKey(id, a.operatorRetries, noReply, noLink));
    if (result.ok || acceptedEarlier(result.status, result.name)) {
      // If the mark is lost, the row stays pending; once the lease ends the next
      // run sends again under the same key, and Resend sends nothing twice. The
      // file stays until the mail is delivered or a day old (a retry may need it).
      tick(deps);
      await markSent(db, id, token, { at: now, resendId: result.ok ? result.id : null });
      return "sent";
    }
    if (result.status === 429) {
      const waitMs = Math.max(1, result.retryAfter ?? 1) * 1000;
      if (waits < recovery.rateWaits && waitMs <= RATE_WAIT_MAX_MS && recovery.extra(1)) {
        waits++;
        await deps.sleep(waitMs);
        continue;
      }
      // Resend refused before doing anything: not an attempt.
      tick(deps);
      await handBack(db, id, token, { nextAt: now + waitMs, error: "429:rate_limit_exceeded" });
      return "deferred";
    }
    if (result.replyToRefused && !noReply) {
      // An address the form accepted but Resend refuses must not lose the
      // inquiry: send it without reply_to; the address stays in the body.
      tick(deps);
      await markReplyToRefused(db, id, token);
      noReply = true;
      continue;
    }
    if (linkDoubt(result) && file !== null && "path" in file && !noLink && recovery.extra(3)) {
      // Resend could not fetch the link (a WAF or bot rule in front of the worker, a
      // host switched off), or refused in words we could not read: never lose the
      // inquiry for it; the inline send gets the same refusal if it was another one.
      tick(deps);
      await markLinkRefused(db, id, token);
      noLink = true;
      file = await recovery.inline();
      continue;
    }
    const code = `${result.status ?? "network"}:${result.name}`;
    const linked = file !== null && "path" in file;
    if (!retryable(result.status, result.name, linked)) return fail(deps, id, token, code);
    return retryOrFail(deps, id, token, a.attempts, a.firstAttemptAt, {
      code,
      retryAfter: result.retryAfter,
    });
  }
}

/**
 * A refusal that may be about a linked file: Resend's 422 naming the
 * attachment, or a 4xx whose body could not be read (`application_error`),
 * where only sending inline tells.
 */
function linkDoubt(result: SendResult & { ok: false }): boolean {
  if (result.attachmentRefused) return true;
  const status = result.status ?? 0;
  return status >= 400 && status < 500 && status !== 429 && result.name === "application_error";
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
  tick(deps);
  await markRetry(deps.db, id, token, { error: why.code, nextAt: next });
  return "retried";
}

async function fail(
  deps: DeliveryDeps,
  id: string,
  token: string,
  code: string,
): Promise<"failed" | "skipped"> {
  tick(deps);
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
      linkRefused: false,
    };
    // No re-check before this send: the row was stored claimed a moment ago,
    // before anyone outside could know its id to erase or hold it.
    const deps = deliveryDeps(env, result.config, send, Date.now());
    const key = first.inquiry.attachment?.key;
    const link = key ? await fileLink(result.config, first.inquiry, key) : null;
    const inline = async () => inlineFile(first.file);
    const file: FileSource = link ? { path: link } : await inline();
    // No waiting on a 429 here: the answer's waitUntil is short; the scheduled run sends it.
    await sendClaimed({ ...deps, send: pacedSender(deps) }, attempt, file, first.claim.token, {
      inline,
      rateWaits: 0,
      extra: () => true,
    });
  } catch (err) {
    // The row stays pending; the next scheduled run picks it up once the lease ends.
    console.error(`immediate delivery failed: ${err instanceof Error ? err.name : "error"}`);
  }
}
