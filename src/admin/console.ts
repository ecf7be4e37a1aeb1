import type { Hono } from "hono/tiny";
import type { AppEnv } from "../http/app.ts";
import { AppError } from "../http/errors.ts";
import { wantsHtml } from "../http/negotiate.ts";
import { page } from "../http/respond.ts";
import { consolePage, CONSOLE_SCRIPT_PATH, CONSOLE_STYLE_PATH } from "../console/page.ts";
import { CONSOLE_JS } from "../console/script.ts";
import { CONSOLE_CSS } from "../console/style.ts";
import { addressInUrl, type AdminGate } from "./auth.ts";

/** The same bytes for everyone, so any cache may keep them for an hour. */
function asset(body: string, type: string): Response {
  return new Response(body, {
    headers: { "content-type": `${type}; charset=utf-8`, "cache-control": "public, max-age=3600" },
  });
}

/**
 * The operator console on `admin` (mounted at /admin), before the API's
 * token check: `GET /admin/` asked for as text/html is the page, and
 * /admin/console.js and .css its files; all three exist only while
 * ADMIN_TOKEN is set (else they fall through to the API's 404). The page
 * holds no data, so it needs no token; with Cloudflare Access configured a
 * request carrying `Cf-Access-Jwt-Assertion` is checked here (an invalid one
 * is refused and counted like a wrong token) and the page then asks for none.
 * Any other request goes on to the API (JSON, token required).
 */
export function mountConsole(admin: Hono<AppEnv>, gate: AdminGate) {
  admin.get("/", async (c, next) => {
    const config = c.get("config");
    if (!config.adminToken || !wantsHtml(c.req.raw)) return next();
    if (addressInUrl(new URL(c.req.url))) throw new AppError("email_in_url");
    const byAccess = await gate.signedInByAccess(
      c.req.raw,
      c.env,
      config.adminToken,
      config.access,
    );
    const auth = byAccess ? "access" : "token";
    return page(consolePage(c.get("audience").lang, { auth, fields: config.form.fields }), 200, {
      vary: "Cf-Access-Jwt-Assertion",
    });
  });
  const file = (path: string, body: string, type: string) =>
    admin.get(path.slice("/admin".length), (c, next) =>
      c.get("config").adminToken ? asset(body, type) : next(),
    );
  file(CONSOLE_SCRIPT_PATH, CONSOLE_JS, "text/javascript");
  file(CONSOLE_STYLE_PATH, CONSOLE_CSS, "text/css");
}
