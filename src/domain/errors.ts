/**
 * The closed vocabulary of refusals, named by every floor: intake and the
 * operator API throw them, i18n words them, pages show them, and src/http/errors.ts
 * maps each to its HTTP status and Retry-After.
 */

/** Every answer the visitor can get that is not a success, as one closed set. */
export type ErrorCode =
  | "validation_failed"
  /** An Idempotency-Key (or `_submission`) seen in the last 24 hours, with other content. */
  | "idempotency_key_reused"
  | "payload_too_large"
  | "malformed_body"
  | "unsupported_media_type"
  | "origin_not_allowed"
  | "captcha_failed"
  | "rate_limited"
  | "unavailable"
  /** A part of the worker (/admin, the webhook) whose setting has a problem: /health names it. */
  | "switched_off"
  | "not_found"
  | "unauthorized"
  | "too_many_attempts"
  | "email_in_url"
  | "method_not_allowed";

/** Stable per-field codes of a 422 answer. */
export type FieldErrorCode =
  | "required"
  | "too_short"
  | "too_long"
  | "invalid_email"
  | "invalid_phone"
  | "invalid_choice"
  | "invalid_characters"
  | "invalid_value"
  | "duplicate_field"
  | "file_too_large"
  | "file_type_not_allowed"
  | "file_text_encoding"
  | "file_hidden_content"
  | "file_has_macros"
  | "file_archive_program"
  | "file_archive_unreadable"
  | "file_empty"
  | "too_many_files"
  | "too_many_values"
  | "invalid_option"
  /** A field of the form definition of type `number`: not a decimal number. */
  | "invalid_number"
  /** A `number` field outside its `min`/`max`. */
  | "out_of_range"
  /** A `date` field that is not a calendar date written `YYYY-MM-DD`. */
  | "invalid_date";

export interface FieldError {
  field: string;
  code: FieldErrorCode;
  /** Numbers for the message template, e.g. `{ min: 2 }`. Never the submitted value. */
  params?: Record<string, string | number>;
}
