import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import type { Config } from "../config/config.ts";
import type { AppEnv } from "./app.ts";
import { AppError } from "./errors.ts";

/**
 * Whether a browser request's `Origin` may post. No `Origin` (curl, a server)
 * is not refused for that; `Referer` is never consulted, it is easy to strip.
 */
export function originAllowed(request: Request, config: Config): boolean {
  const origin = request.headers.get("origin");
  if (origin === null) return true;
  return origin === new URL(request.url).origin || config.allowedOrigins.includes(origin);
}

/**
 * Refuses a post or preflight from an origin that is not the worker's own or
 * in `ALLOWED_ORIGINS` with 403 `origin_not_allowed`. A preflight always comes
 * from a browser, so one without `Origin` is refused too.
 */
export function allowedOriginsOnly(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const preflight = c.req.method === "OPTIONS";
    if (preflight && !c.req.header("origin")) throw new AppError("origin_not_allowed");
    if (!originAllowed(c.req.raw, c.get("config"))) throw new AppError("origin_not_allowed");
    await next();
  };
}

/**
 * CORS for `ALLOWED_ORIGINS` (Fetch standard, CORS protocol): answers the
 * preflight and adds `Access-Control-Allow-Origin` to every answer, errors
 * included, so a company page's script can read why it was refused. Hono's
 * own middleware: it handles the `Vary` and preflight details we would
 * otherwise rewrite.
 */
export function corsForAllowedOrigins(): MiddlewareHandler<AppEnv> {
  return cors({
    origin: (origin, c) =>
      (c.get("config") as Config).allowedOrigins.includes(origin) ? origin : null,
    allowMethods: ["POST", "OPTIONS"],
    allowHeaders: ["Content-Type", "Accept"],
    maxAge: 600,
  });
}

/** Same-origin and allowed-origin pages are safe targets for a "back to the form" link. */
export function backUrl(request: Request, config: Config): string {
  const referer = request.headers.get("referer");
  if (referer) {
    try {
      const u = new URL(referer);
      const self = new URL(request.url).origin;
      if (u.origin === self || config.allowedOrigins.includes(u.origin)) {
        return u.origin + u.pathname + u.search;
      }
    } catch {
      // an unparsable Referer gets the default
    }
  }
  return "/";
}
