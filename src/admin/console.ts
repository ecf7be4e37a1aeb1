import type { Hono } from "hono/tiny";
import type { AppEnv } from "../http/app.ts";
import { AppError } from "../http/errors.ts";
import { wantsHtml } from "../http/negotiate.ts";
import { page } from "../http/respond.ts";
import { consolePage } from "../console/page.ts";
import { addressInUrl, type AdminGate } from "./auth.ts";

/**
 * The operator console on `admin` (mounted at /admin), before the API's
 * token check: `GET /admin/` asked for as text/html is the page, which
 * exists only while ADMIN_TOKEN is set (else it falls through to the API's
 * 404); its script and stylesheet are static assets (public/assets/). The page
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
}
