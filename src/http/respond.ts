import type { Context, ErrorHandler } from "hono";
import { ERROR_MESSAGES, fieldErrorMessage } from "../i18n/messages.ts";
import type { Config } from "../config/config.ts";
import { errorPage, notFoundPage } from "../pages/error.ts";
import { formPage, type TypedValues } from "../pages/form.ts";
import type { AppEnv, Audience } from "./app.ts";
import { AppError, asAppError } from "./errors.ts";
import type { SafeHtml } from "../pages/html.ts";

/** Before the config middleware has run there is no better guess. */
const FALLBACK_AUDIENCE: Audience = { lang: "en", html: false, back: null, fromOwnPage: false };

export function json(body: unknown, status = 200, headers: HeadersInit = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  });
}

export function page(body: SafeHtml, status = 200, headers: HeadersInit = {}): Response {
  return new Response(body.value, {
    status,
    headers: { "content-type": "text/html; charset=utf-8", ...headers },
  });
}

/**
 * The one place a refusal becomes what the visitor sees: status and
 * `Retry-After` from `ERRORS`, the message in the visitor's language, as JSON
 * `{"ok":false,"code","message","errors"?}` or as a page (by `Accept`).
 * A browser's post from the reference form whose body was read (`form`) gets
 * the form itself back, with what was typed and each error beside its field.
 */
export function errorResponse(
  err: AppError,
  audience: Audience,
  form?: { config: Config; typed?: TypedValues | undefined },
): Response {
  const { lang } = audience;
  const headers: Record<string, string> = {};
  if (err.retryAfter !== undefined) headers["retry-after"] = String(err.retryAfter);
  if (err.challenge !== undefined) headers["www-authenticate"] = err.challenge;
  if (err.allow.length > 0) headers.allow = err.allow.join(", ");
  if (err.readableBy !== undefined) headers["access-control-allow-origin"] = err.readableBy;
  if (audience.html) {
    const body =
      err.code === "not_found"
        ? notFoundPage(lang, form?.config.form.company ?? null)
        : form?.typed && audience.fromOwnPage
          ? formPage(form.config, lang, { typed: form.typed, error: err })
          : errorPage(lang, err.code, err.fields, audience.back, form?.config.form ?? null);
    return page(body, err.status, headers);
  }
  const body: Record<string, unknown> = {
    ok: false,
    code: err.code,
    message: ERROR_MESSAGES[err.code][lang],
  };
  if (err.code === "validation_failed") {
    body.errors = err.fields.map((f) => ({
      field: f.field,
      code: f.code,
      message: fieldErrorMessage(f, lang),
    }));
  }
  return json(body, err.status, headers);
}

/**
 * The app's error handler: every route and middleware throws, this answers.
 * Anything that is not an `AppError` is a fault of ours, logged by its name
 * only (a message could quote submitted data) and answered 503, never 500.
 */
export const answerError: ErrorHandler<AppEnv> = (err, c: Context<AppEnv>) => {
  if (!(err instanceof AppError)) console.error(`unexpected error: ${err.name}`);
  const config = c.get("config");
  const typed = c.get("typed");
  const form = config ? { config, typed } : undefined;
  return errorResponse(asAppError(err), c.get("audience") ?? FALLBACK_AUDIENCE, form);
};
