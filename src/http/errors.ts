import type { ErrorCode, FieldError } from "../domain/errors.ts";

// The codes are domain vocabulary (every floor names them); their statuses are HTTP's, here.
export type { ErrorCode, FieldError, FieldErrorCode } from "../domain/errors.ts";

/**
 * The one place where an error code becomes an HTTP status and, where the
 * client should come back later, a `Retry-After` in seconds (RFC 9110 §10.2.3).
 * The rate limiter's window is 60 s; storage or configuration trouble is
 * asked to wait as long.
 */
export const ERRORS: Readonly<Record<ErrorCode, { status: number; retryAfter?: number }>> = {
  validation_failed: { status: 422 },
  idempotency_key_reused: { status: 422 },
  payload_too_large: { status: 413 },
  malformed_body: { status: 400 },
  unsupported_media_type: { status: 415 },
  origin_not_allowed: { status: 403 },
  captcha_failed: { status: 403 },
  rate_limited: { status: 429, retryAfter: 60 },
  unavailable: { status: 503, retryAfter: 60 },
  switched_off: { status: 503, retryAfter: 60 },
  not_found: { status: 404 },
  unauthorized: { status: 401 },
  // Failed /admin sign-ins: the limiter's window (src/admin/auth.ts).
  too_many_attempts: { status: 429, retryAfter: 60 },
  email_in_url: { status: 400 },
  method_not_allowed: { status: 405 },
};

/**
 * A refusal the visitor should see. Thrown anywhere below a route and turned
 * into a JSON or HTML answer by the app's one error handler (`answerError`);
 * anything else thrown is a bug and becomes 503 `unavailable` without its details.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly fields: readonly FieldError[];
  /**
   * A 401's `WWW-Authenticate` challenge (RFC 9110 §11.6.1), e.g.
   * `Bearer realm="admin"`; absent where no credential scheme would help
   * (a webhook's signature is not a token the caller can be asked for).
   */
  readonly challenge: string | undefined;
  /** A 405's `Allow`: the methods the path takes (RFC 9110 §15.5.6, §10.2.1). */
  readonly allow: readonly string[];
  /**
   * An origin that may read this refusal (`Access-Control-Allow-Origin`, Fetch
   * standard, CORS protocol), though it may not post: a page missing from
   * `ALLOWED_ORIGINS` then learns why, instead of seeing a network failure.
   */
  readonly readableBy: string | undefined;

  constructor(
    code: ErrorCode,
    opts: {
      fields?: readonly FieldError[];
      challenge?: string;
      allow?: readonly string[];
      readableBy?: string;
    } = {},
  ) {
    super(code);
    this.name = "AppError";
    this.code = code;
    this.fields = opts.fields ?? [];
    this.challenge = opts.challenge;
    this.allow = opts.allow ?? [];
    this.readableBy = opts.readableBy;
  }

  get status(): number {
    return ERRORS[this.code].status;
  }

  /** Seconds, or undefined when coming back later would not help. */
  get retryAfter(): number | undefined {
    return ERRORS[this.code].retryAfter;
  }
}

/**
 * What a thrown value means to the visitor: an `AppError` as it is, anything
 * else as 503 `unavailable` (a fault of ours is never a 500). Pure: logging
 * the fault is the error handler's job, once.
 */
export function asAppError(err: unknown): AppError {
  return err instanceof AppError ? err : new AppError("unavailable");
}
