import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import type { Config } from "../config/config.ts";
import type { BackLink } from "../pages/error.ts";
import type { AppEnv } from "./app.ts";
import { AppError } from "./errors.ts";

/**
 * Whether a browser request's `Origin` may post. No `Origin` (curl, a server)
 * is not refused for that; `Referer` is never consulted, it is easy to strip.
 *
 * `Origin: null` is what a browser sends for a plain form post from a page
 * served with `Referrer-Policy: no-referrer` (Fetch standard, "serializing a
 * request origin"), but also from sandboxed frames and opaque origins. It is
 * accepted only for a top-level navigation, which the browser states in the
 * Fetch Metadata headers a page cannot set (W3C Fetch Metadata, §2):
 * `Sec-Fetch-Mode: navigate` and/or `Sec-Fetch-Dest: document`, with neither
 * saying otherwise. A frame (`Sec-Fetch-Dest: iframe`), a `fetch()` (`cors`,
 * `no-cors`) or a request without those headers is refused.
 */
export function originAllowed(request: Request, config: Config): boolean {
  const origin = request.headers.get("origin");
  if (origin === null) return true;
  if (origin === "null") return isTopLevelNavigation(request.headers);
  return origin === new URL(request.url).origin || config.allowedOrigins.includes(origin);
}

function isTopLevelNavigation(headers: Headers): boolean {
  const mode = headers.get("sec-fetch-mode");
  const dest = headers.get("sec-fetch-dest");
  if (mode === null && dest === null) return false;
  return (mode === null || mode === "navigate") && (dest === null || dest === "document");
}

/**
 * Refuses a post or preflight from an origin that is not the worker's own or
 * in `ALLOWED_ORIGINS` with 403 `origin_not_allowed`. A preflight always comes
 * from a browser, so one without `Origin` is refused too. A refused post's
 * answer is readable by its page (no credentials; it holds only the refusal),
 * so /embed.js can tell the visitor the truth and the developer which origin
 * to add, where an unreadable answer would look like a network failure.
 */
export function allowedOriginsOnly(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const origin = c.req.header("origin");
    const preflight = c.req.method === "OPTIONS";
    if (preflight && !origin) throw new AppError("origin_not_allowed");
    if (!originAllowed(c.req.raw, c.get("config"))) {
      const readable = !preflight && origin !== undefined && origin !== "null";
      throw new AppError("origin_not_allowed", readable ? { readableBy: origin } : {});
    }
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
    // Idempotency-Key: a script's own client may send it instead of the `_submission` field.
    allowHeaders: ["Content-Type", "Accept", "Idempotency-Key"],
    maxAge: 600,
  });
}

/** Longer `_return` values are ignored: no form page needs them, and the page would echo them. */
const MAX_RETURN_URL = 2048;

/**
 * The page a browser's post came from, for an error page's "back" link, or
 * null (no link: a link to a blank form would lose what was typed, so the
 * page only advises the browser's Back button). In this order:
 * - the form's `_return` field (the page's own URL): an absolute http(s)
 *   URL whose origin is the worker's own or in `ALLOWED_ORIGINS`;
 * - the `Referer`, on the same condition. Browsers send only the origin
 *   across origins by default (Referrer Policy, `strict-origin-when-cross-origin`),
 *   so a cross-origin `Referer` of just `https://site/` says which site, not
 *   which page: `toForm` is false and the link is to the website.
 * Only origin, path and query are kept.
 */
export function backLink(request: Request, config: Config, returnField?: unknown): BackLink | null {
  const self = new URL(request.url).origin;
  const allowed = (u: URL) => u.origin === self || config.allowedOrigins.includes(u.origin);
  const parse = (s: unknown) =>
    typeof s === "string" && s.length <= MAX_RETURN_URL && URL.canParse(s) ? new URL(s) : null;
  const given = parse(returnField);
  if (given && /^https?:$/.test(given.protocol) && allowed(given)) {
    return { href: given.origin + given.pathname + given.search, toForm: true };
  }
  const referer = parse(request.headers.get("referer"));
  if (!referer || !allowed(referer)) return null;
  const onlyOrigin = referer.origin !== self && referer.pathname === "/" && referer.search === "";
  return { href: referer.origin + referer.pathname + referer.search, toForm: !onlyOrigin };
}

/**
 * Whether a post came from a page of the worker itself (the reference form):
 * its `Origin`, or without one its `Referer`, is the worker's own origin.
 */
export function fromOwnPage(request: Request): boolean {
  const self = new URL(request.url).origin;
  const origin = request.headers.get("origin");
  if (origin !== null) return origin === self;
  const referer = request.headers.get("referer");
  return referer !== null && URL.canParse(referer) && new URL(referer).origin === self;
}
