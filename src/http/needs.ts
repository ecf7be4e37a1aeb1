import type { MiddlewareHandler } from "hono";
import type { ConfigScope } from "../config/config.ts";
import type { AppEnv } from "./app.ts";
import { AppError } from "./errors.ts";

/**
 * Refuses a route whose part of the configuration has a problem with 503
 * `unavailable` (Retry-After: 60): the value is being fixed, so coming back
 * later helps. /health names the problem; other routes keep working.
 */
export function needs(scope: ConfigScope): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.get("config").off.has(scope)) throw new AppError("unavailable");
    await next();
  };
}
