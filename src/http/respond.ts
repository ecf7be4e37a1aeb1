import type { Lang } from "../i18n/lang.ts";
import { ERROR_MESSAGES } from "../i18n/messages.ts";
import { AppError } from "./errors.ts";
import type { SafeHtml } from "./html.ts";
import { errorPage, fieldErrorMessage } from "./pages.ts";

/** How the visitor wants to be answered, decided once per request. */
export interface Audience {
  lang: Lang;
  html: boolean;
  /** Where an HTML error page's "back to the form" link goes. */
  backUrl: string;
}

const NO_STORE = { "cache-control": "no-store" };

export function json(body: unknown, status = 200, headers: HeadersInit = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...NO_STORE, ...headers },
  });
}

export function page(body: SafeHtml, status = 200, headers: HeadersInit = {}): Response {
  return new Response(body.value, {
    status,
    headers: { "content-type": "text/html; charset=utf-8", ...headers },
  });
}

/** The one place an `AppError` becomes what the visitor sees. */
export function errorResponse(err: AppError, audience: Audience): Response {
  const { lang } = audience;
  const headers: Record<string, string> = { ...NO_STORE };
  if (err.retryAfter !== undefined) headers["retry-after"] = String(err.retryAfter);
  if (err.code === "unauthorized") headers["www-authenticate"] = 'Bearer realm="admin"';
  if (audience.html) {
    return page(errorPage(lang, err.code, err.fields, audience.backUrl), err.status, headers);
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

/** Anything thrown that is not an `AppError` is a fault of ours: answer 503, never 500. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  // The error's name only: a message could quote submitted data.
  console.error(`unexpected error: ${err instanceof Error ? err.name : typeof err}`);
  return new AppError("unavailable", { retryAfter: 60 });
}
