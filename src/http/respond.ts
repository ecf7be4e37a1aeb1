import type { Context, ErrorHandler } from "hono";
import type { Lang } from "../i18n/lang.ts";
import { ERROR_MESSAGES, fieldErrorMessage } from "../i18n/messages.ts";
import { errorPage, notFoundPage } from "../pages/error.ts";
import type { AppEnv } from "./app.ts";
import { AppError, asAppError } from "./errors.ts";
import type { SafeHtml } from "../pages/html.ts";

/** How the visitor wants to be answered, decided once per request. */
export interface Audience {
  lang: Lang;
  html: boolean;
  /** Where an HTML error page's "back to the form" link goes. */
  backUrl: string;
}

/** Before the config middleware has run there is no better guess. */
const FALLBACK_AUDIENCE: Audience = { lang: "en", html: false, backUrl: "/" };

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
 * `{"ok":false,"code","message","errors"?}` or as a page (README, "Answers").
 */
export function errorResponse(err: AppError, audience: Audience): Response {
  const { lang } = audience;
  const headers: Record<string, string> = {};
  if (err.retryAfter !== undefined) headers["retry-after"] = String(err.retryAfter);
  if (err.code === "unauthorized") headers["www-authenticate"] = 'Bearer realm="admin"';
  if (audience.html) {
    const body =
      err.code === "not_found"
        ? notFoundPage(lang)
        : errorPage(lang, err.code, err.fields, audience.backUrl);
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
  return errorResponse(asAppError(err), c.get("audience") ?? FALLBACK_AUDIENCE);
};
