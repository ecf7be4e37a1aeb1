import type { ErrorCode, FieldErrorCode } from "../i18n/messages.ts";

export interface FieldError {
  field: string;
  code: FieldErrorCode;
  /** Numbers for the message template, e.g. `{ min: 2 }`. Never the submitted value. */
  params?: Record<string, string | number>;
  /** A message already in the visitor's language (zod's locale), for codes without a text of ours. */
  detail?: string;
}

/** The one place where an error code becomes an HTTP status. */
export const ERROR_STATUS = {
  validation_failed: 422,
  payload_too_large: 413,
  malformed_body: 400,
  unsupported_media_type: 415,
  origin_not_allowed: 403,
  captcha_failed: 403,
  rate_limited: 429,
  unavailable: 503,
  not_found: 404,
  unauthorized: 401,
  too_many_attempts: 429,
  email_in_url: 400,
} as const satisfies Record<ErrorCode, number>;

/**
 * A refusal the visitor should see. Thrown anywhere below a route and turned
 * into a JSON or HTML answer by `respondError`; anything else thrown is a bug
 * and becomes 503 `unavailable` without its details.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly fields: FieldError[];
  readonly retryAfter: number | undefined;

  constructor(code: ErrorCode, opts: { fields?: FieldError[]; retryAfter?: number } = {}) {
    super(code);
    this.name = "AppError";
    this.code = code;
    this.fields = opts.fields ?? [];
    this.retryAfter = opts.retryAfter;
  }

  get status(): (typeof ERROR_STATUS)[ErrorCode] {
    return ERROR_STATUS[this.code];
  }
}
