import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from "jose";
import type { AccessSettings } from "../config/access.ts";

/** The request header Cloudflare Access adds to every request it lets through to the origin. */
export const ACCESS_JWT_HEADER = "cf-access-jwt-assertion";

/** Where a team publishes its signing keys (JWKS, RFC 7517 §5). */
export function accessCertsUrl(teamOrigin: string): URL {
  return new URL("/cdn-cgi/access/certs", teamOrigin);
}

/** One key set per team for the isolate's life: jose's remote JWKS keeps the keys it fetched. */
const keySets = new Map<string, JWTVerifyGetKey>();

/**
 * The team's keys, fetched from `/cdn-cgi/access/certs` on first use and kept
 * by jose (`createRemoteJWKSet`): refetched after 10 minutes, or at most every
 * 30 s when a token names a key id it does not know (Access rotates its keys
 * every six weeks and publishes the next one in advance, Cloudflare: "Validate
 * JWTs"). An unreachable team domain makes verification fail, never succeed.
 */
export function remoteAccessKeys(teamOrigin: string): JWTVerifyGetKey {
  let keys = keySets.get(teamOrigin);
  if (!keys) {
    keys = createRemoteJWKSet(accessCertsUrl(teamOrigin), { timeoutDuration: 5000 });
    keySets.set(teamOrigin, keys);
  }
  return keys;
}

/**
 * Whether `token` is a Cloudflare Access application token for `settings`:
 * an RS256 JWS (RFC 7515) signed by one of the team's keys (`keys`), its
 * `iss` the team origin, its `aud` containing the application's AUD tag, and
 * `exp`/`nbf` holding at `now` (ms since the epoch; RFC 7519 §4.1.4–5, no
 * clock leeway). Every failure (bad signature, unknown key, expired, another
 * audience or issuer, malformed, keys unreachable) is `false`; it never throws.
 */
export async function isAccessToken(
  token: string,
  settings: AccessSettings,
  keys: JWTVerifyGetKey,
  now: number,
): Promise<boolean> {
  // A JWS compact serialisation of Access is well under 4 KiB; refuse absurd ones unparsed.
  if (token.length === 0 || token.length > 8192) return false;
  try {
    await jwtVerify(token, keys, {
      algorithms: ["RS256"],
      issuer: settings.teamOrigin,
      audience: settings.aud,
      currentDate: new Date(now),
      requiredClaims: ["exp"],
    });
    return true;
  } catch {
    return false;
  }
}
