import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./app.ts";

/**
 * Headers every answer carries. HTML pages get a CSP that allows only our own
 * script and style (and Turnstile when enabled) and no framing; `form-action`
 * lists where a form may post or be redirected to.
 */
export function securityHeaders(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    const h = c.res.headers;
    h.set("x-content-type-options", "nosniff");
    h.set("x-frame-options", "DENY");
    if (!h.has("referrer-policy")) h.set("referrer-policy", "strict-origin-when-cross-origin");
    if ((h.get("content-type") ?? "").startsWith("text/html")) {
      // Set by the config middleware; absent only for an answer made before it ran.
      const config = c.get("config") as AppEnv["Variables"]["config"] | undefined;
      const redirect = config?.redirectUrl ? new URL(config.redirectUrl).origin : null;
      const cf = config?.turnstileSiteKey ? " https://challenges.cloudflare.com" : "";
      h.set(
        "content-security-policy",
        [
          "default-src 'none'",
          `script-src 'self'${cf}`,
          "style-src 'self'",
          "img-src 'self' data:",
          `frame-src${cf || " 'none'"}`,
          `connect-src 'self'`,
          `form-action 'self'${redirect ? ` ${redirect}` : ""}`,
          "frame-ancestors 'none'",
          "base-uri 'none'",
        ].join("; "),
      );
    } else {
      h.set("content-security-policy", "default-src 'none'; frame-ancestors 'none'");
    }
  };
}
