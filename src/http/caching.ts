import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./app.ts";

/**
 * Keeps shared caches from handing one visitor's answer to another. Every
 * answer without a cache policy of its own gets `Cache-Control: no-store`
 * and a `Vary` naming the request headers it was chosen by (RFC 9111 §5.2.2.5,
 * RFC 9110 §12.5.5): pages and errors by `Accept` and `Accept-Language`, the
 * inquiry endpoint also by `Origin`. An answer marked `public` (the static
 * assets) varies by nothing and is left alone.
 *
 * Register the outermost use first: each one adds its headers to what the
 * inner ones answered, errors included.
 */
export function noStoreVaryBy(...headers: string[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    const h = c.res.headers;
    const policy = h.get("cache-control");
    if (policy && /(^|,)\s*public\b/i.test(policy)) return;
    if (!policy) h.set("cache-control", "no-store");
    const names = new Map<string, string>();
    for (const name of [...(h.get("vary") ?? "").split(","), ...headers]) {
      const trimmed = name.trim();
      if (trimmed && !names.has(trimmed.toLowerCase())) names.set(trimmed.toLowerCase(), trimmed);
    }
    h.set("vary", [...names.values()].join(", "));
  };
}
