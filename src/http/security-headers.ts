import type { MiddlewareHandler } from "hono";

/**
 * Headers every answer carries. HTML pages get a CSP that allows only our own
 * script and style (and Turnstile when enabled) and no framing; `form-action`
 * lists where a form may post or be redirected to.
 */
export function securityHeaders(
  formTargets: (env: unknown) => { redirect: string | null; turnstile: boolean },
): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const h = c.res.headers;
    h.set("x-content-type-options", "nosniff");
    h.set("x-frame-options", "DENY");
    if (!h.has("referrer-policy")) h.set("referrer-policy", "strict-origin-when-cross-origin");
    if ((h.get("content-type") ?? "").startsWith("text/html")) {
      const { redirect, turnstile } = formTargets(c.env);
      const cf = turnstile ? " https://challenges.cloudflare.com" : "";
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
