import type { Config } from "../config/config.ts";

/**
 * Whether a browser request's `Origin` may post. No `Origin` (curl, a server)
 * is not refused for that; `Referer` is never consulted, it is easy to strip.
 */
export function originAllowed(request: Request, config: Config): boolean {
  const origin = request.headers.get("origin");
  if (origin === null) return true;
  return origin === new URL(request.url).origin || config.allowedOrigins.includes(origin);
}

/** CORS headers for an allowed cross-origin caller, none for anyone else. */
export function corsHeaders(request: Request, config: Config): Record<string, string> {
  const origin = request.headers.get("origin");
  if (!origin || !config.allowedOrigins.includes(origin)) return {};
  return { "access-control-allow-origin": origin, vary: "Origin" };
}

export function preflight(request: Request, config: Config): Response {
  const origin = request.headers.get("origin");
  const allowed = origin !== null && originAllowed(request, config);
  return new Response(null, {
    status: allowed ? 204 : 403,
    headers: allowed
      ? {
          "access-control-allow-origin": origin,
          "access-control-allow-methods": "POST, OPTIONS",
          "access-control-allow-headers": "Content-Type, Accept",
          "access-control-max-age": "600",
          vary: "Origin",
        }
      : { vary: "Origin" },
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
