import type { MiddlewareHandler } from "hono";
import type { JWTVerifyGetKey } from "jose";
import type { AccessSettings } from "../config/access.ts";
import type { AppEnv } from "../http/app.ts";
import { AppError, ERRORS } from "../http/errors.ts";
import { ACCESS_JWT_HEADER, isAccessToken, remoteAccessKeys } from "./access-jwt.ts";

const encoder = new TextEncoder();

/** How long a client network that ran out of attempts is refused without a comparison: its Retry-After. */
const LOCKOUT_MS = (ERRORS.too_many_attempts.retryAfter ?? 60) * 1000;
/** Networks this isolate remembers as locked out; the oldest are forgotten first. */
const MAX_LOCKED = 1000;

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

export interface AdminAuthOptions {
  now: () => number;
  /** The rate limiter's key for a client (its network), from `cf-connecting-ip`. */
  clientKey: (ip: string | null) => string;
  /** A team's signing keys (default: fetched from its `/cdn-cgi/access/certs` and cached). */
  accessKeys?: (teamOrigin: string) => JWTVerifyGetKey;
}

/**
 * Who may see the operator's data: the bearer of ADMIN_TOKEN, compared in
 * constant time. Failed attempts are limited per client network: each failure
 * counts against the `ADMIN_LIMITER` rate limiter binding (10 per minute,
 * wrangler.toml); past it the answer is 429 `too_many_attempts` with
 * `Retry-After`, and this isolate refuses that network for that minute
 * without comparing any token, so a locked-out guesser learns nothing, right
 * guess or wrong. Successful calls never count, so the operator's own work is
 * not slowed. One gate serves /admin and the counts of /health, so neither
 * is a way around the other's limit.
 *
 * With Cloudflare Access configured (`access`), a request carrying
 * `Cf-Access-Jwt-Assertion` is judged by that token alone: valid (see
 * `isAccessToken`) opens the door without ADMIN_TOKEN; anything else (bad
 * signature, expired, another audience) is a failed attempt, counted like a
 * wrong token. Without that header the bearer token is checked as before, so
 * `npm run admin` and a worker reached around Access keep working.
 */
export interface AdminGate {
  /**
   * Returns when `request` carries the token or a valid Access token; throws
   * `unauthorized` or `too_many_attempts`.
   */
  verify(request: Request, env: Env, token: string, access?: AccessSettings | null): Promise<void>;
  /**
   * For the console page: true when Access is configured and `request`
   * carries a valid Access token, false when it carries none (the page asks
   * for ADMIN_TOKEN); an invalid one throws as `verify` does, and counts.
   */
  signedInByAccess(
    request: Request,
    env: Env,
    token: string,
    access: AccessSettings | null,
  ): Promise<boolean>;
  /**
   * The /admin middleware: 404 without ADMIN_TOKEN; 400 `email_in_url` for an
   * address in the URL (`addressInUrl`), before the token is looked at (an address must never
   * travel in a URL, and the refusal says nothing about what is stored); then `verify`.
   */
  requireAdmin(): MiddlewareHandler<AppEnv>;
}

/**
 * Whether a URL carries an address: an `email` query parameter (any case), or
 * an `@` anywhere in path or query, plain or percent-encoded. No operator call
 * takes one there (ids are UUIDs), so a hit is always an address in the wrong place.
 */
export function addressInUrl(url: URL): boolean {
  const rest = `${url.pathname}${url.search}`.toLowerCase();
  if (rest.includes("@") || rest.includes("%40")) return true;
  return [...url.searchParams.keys()].some((k) => k.toLowerCase() === "email");
}

export function adminGate(opts: AdminAuthOptions): AdminGate {
  const lockedUntil = new Map<string, number>();
  const accessKeys = opts.accessKeys ?? remoteAccessKeys;

  async function verify(
    request: Request,
    env: Env,
    token: string,
    access: AccessSettings | null = null,
  ): Promise<void> {
    const key = opts.clientKey(request.headers.get("cf-connecting-ip"));
    const now = opts.now();
    const until = lockedUntil.get(key);
    if (until !== undefined && until > now) throw new AppError("too_many_attempts");
    const jwt = access ? request.headers.get(ACCESS_JWT_HEADER) : null;
    if (access && jwt !== null) {
      if (await isAccessToken(jwt, access, accessKeys(access.teamOrigin), now)) return;
    } else {
      const header = request.headers.get("authorization") ?? "";
      const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
      if (match && (await sameSecret(match[1]!, token))) return;
    }
    const { success } = await env.ADMIN_LIMITER.limit({ key });
    if (success) throw new AppError("unauthorized", { challenge: 'Bearer realm="admin"' });
    lockedUntil.delete(key);
    lockedUntil.set(key, now + LOCKOUT_MS);
    if (lockedUntil.size > MAX_LOCKED) lockedUntil.delete(lockedUntil.keys().next().value!);
    throw new AppError("too_many_attempts");
  }

  return {
    verify,
    signedInByAccess: async (request, env, token, access) => {
      if (!access || !request.headers.has(ACCESS_JWT_HEADER)) return false;
      await verify(request, env, token, access);
      return true;
    },
    requireAdmin: () => async (c, next) => {
      const config = c.get("config");
      const { adminToken: token, access } = config;
      // Unset: there is no /admin. Set wrong: it is off until fixed (/health names it).
      if (!token) throw new AppError(config.off.has("admin") ? "switched_off" : "not_found");
      c.get("audience").html = false; // an API: always JSON
      if (addressInUrl(new URL(c.req.url))) throw new AppError("email_in_url");
      await verify(c.req.raw, c.env, token, access);
      await next();
    },
  };
}
