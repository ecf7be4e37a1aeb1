import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../http/app.ts";
import { AppError } from "../http/errors.ts";

const encoder = new TextEncoder();

/**
 * Compares two secrets in constant time. Both are hashed first so that their
 * lengths leak nothing either and timingSafeEqual gets equal-length inputs.
 */
export async function sameSecret(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([
    crypto.subtle.digest("SHA-256", encoder.encode(given)),
    crypto.subtle.digest("SHA-256", encoder.encode(expected)),
  ]);
  return crypto.subtle.timingSafeEqual(a, b);
}

/** The operator API exists only with ADMIN_TOKEN set, and only for its bearer. */
export function requireAdmin(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const token = c.get("config").adminToken;
    if (!token) return c.notFound();
    c.get("audience").html = false; // an API: always JSON
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match || !(await sameSecret(match[1]!, token))) {
      throw new AppError("unauthorized");
    }
    await next();
  };
}
