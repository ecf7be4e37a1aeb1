import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../http/app.ts";
import { asAppError } from "../http/errors.ts";
import { appendLogEntry, LOG_ROWS_PER_MINUTE } from "../store/log.ts";
import { logEntryFor } from "./technical-log.ts";

/**
 * Refusals decided from the request's headers alone, before its body is read
 * (415; 429, which a flood from one network draws): counted in the minute's
 * `suppressed` row of their network and never given a row of their own, so a
 * flood of them costs one counter per minute and network and nothing that grows.
 */
const COUNTED_ONLY: ReadonlySet<string> = new Set(["unsupported_media_type", "rate_limited"]);

/**
 * Writes one technical-log line per `POST` it wraps, with the outcome: the
 * error code of a refusal (whatever threw it), or what the route recorded in
 * `outcome` ("stored", "honeypot", "quarantined"). The line never blocks or breaks the
 * answer: it is written after it, to its own database (`LOG_DB`), never in a
 * batch with the inquiry.
 *
 * @param now milliseconds since the epoch, read once per request
 */
export function logRequests(now: () => number): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.req.method !== "POST") return next();
    const at = now();
    await next();
    const outcome = c.error ? asAppError(c.error).code : (c.get("outcome") ?? "stored");
    const entry = logEntryFor(c.req.raw, at, outcome, c.get("config").logIp);
    const written = Promise.resolve()
      .then(() =>
        appendLogEntry(c.env.LOG_DB, entry, COUNTED_ONLY.has(outcome) ? 0 : LOG_ROWS_PER_MINUTE),
      )
      .then(() => null)
      .catch((err: unknown) => (err instanceof Error ? err.name : "error"));
    c.executionCtx.waitUntil(
      written.then((failed) => {
        // The error's name only: a message may quote what was written.
        if (failed) console.error(`technical log write failed: ${failed}`);
      }),
    );
  };
}
