import type { ConfigProblemCode } from "./config.ts";

/**
 * Cloudflare Access in front of /admin: the team's origin (its signing keys
 * are at `<origin>/cdn-cgi/access/certs`, its tokens' `iss`) and the
 * application's Audience (AUD) tag, which every token's `aud` must contain
 * (Cloudflare: "Validate JWTs", developers.cloudflare.com/cloudflare-one/
 * identity/authorization-cookie/validating-json/).
 */
export interface AccessSettings {
  /** `https://<team>.cloudflareaccess.com`, as an origin (no path, no trailing slash). */
  teamOrigin: string;
  aud: string;
}

type Bad = (code: ConfigProblemCode, name: string, problem: string) => void;

/**
 * ACCESS_TEAM_DOMAIN and ACCESS_AUD, both or neither. The team domain may be
 * given with or without `https://`; plain `http:` only for localhost and
 * 127.0.0.1 (a local test JWKS), since the keys that open /admin come from
 * there. Returns null when unset or invalid (its problem goes to `bad`).
 */
export function parseAccess(teamRaw: string, audRaw: string, bad: Bad): AccessSettings | null {
  if (teamRaw === "" && audRaw === "") return null;
  if (teamRaw === "" || audRaw === "") {
    const missing = teamRaw === "" ? "ACCESS_TEAM_DOMAIN" : "ACCESS_AUD";
    bad(
      "access_half_configured",
      missing,
      "is not set while the other Cloudflare Access setting is: set both ACCESS_TEAM_DOMAIN and ACCESS_AUD, or neither",
    );
    return null;
  }
  let url: URL | null = null;
  try {
    url = new URL(teamRaw.includes("://") ? teamRaw : `https://${teamRaw}`);
  } catch {
    url = null;
  }
  const local = url !== null && (url.hostname === "localhost" || url.hostname === "127.0.0.1");
  if (
    url === null ||
    (url.protocol !== "https:" && url.protocol !== "http:") ||
    url.pathname !== "/" ||
    url.search ||
    url.hash ||
    url.username
  ) {
    bad(
      "invalid_url",
      "ACCESS_TEAM_DOMAIN",
      "must be your Cloudflare Access team domain, like https://yourteam.cloudflareaccess.com",
    );
    return null;
  }
  if (url.protocol === "http:" && !local) {
    bad(
      "insecure_url",
      "ACCESS_TEAM_DOMAIN",
      "must use https: (plain http: only for localhost and 127.0.0.1): the keys that open /admin come from it",
    );
    return null;
  }
  // Access AUD tags are 64 hex digits; any visible token without spaces is taken.
  if (audRaw.length > 256 || !/^[\x21-\x7e]+$/.test(audRaw)) {
    bad(
      "invalid_choice",
      "ACCESS_AUD",
      "must be the Application Audience (AUD) tag of your Access application",
    );
    return null;
  }
  return { teamOrigin: url.origin, aud: audRaw };
}
