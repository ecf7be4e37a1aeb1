import { Hono } from "hono";
import { loadConfig } from "./config/config.ts";
import type { AppEnv } from "./http/app.ts";
import { FORM_CSS, FORM_JS } from "./http/assets.ts";
import { AppError } from "./http/errors.ts";
import { pickLang } from "./i18n/lang.ts";
import { wantsHtml } from "./http/negotiate.ts";
import { backUrl } from "./http/origin.ts";
import { formPage, notFoundPage, thanksPage } from "./http/pages.ts";
import { errorResponse, json, page, toAppError } from "./http/respond.ts";
import { securityHeaders } from "./http/security-headers.ts";
import { health } from "./http/health.ts";
import { inquiryRoute } from "./inquiry/route.ts";
import { runScheduled } from "./scheduled.ts";
import { deliverNow, firstSendClaim } from "./mail/deliver.ts";
import { adminRoutes } from "./admin/routes.ts";

const app = new Hono<AppEnv>();

app.use("*", securityHeaders());

// Configuration is checked once per isolate; a bad value answers 503 (and shows on /health).
app.use("*", async (c, next) => {
  const result = loadConfig(c.env);
  const fallbackLang = result.ok ? result.config.defaultLang : "sl";
  c.set("audience", {
    lang: pickLang(c.req.query("lang"), c.req.header("accept-language") ?? null, fallbackLang),
    html: wantsHtml(c.req.raw),
    backUrl: result.ok ? backUrl(c.req.raw, result.config) : "/",
  });
  if (!result.ok) {
    if (c.req.path === "/health") return health(c.env, result);
    return errorResponse(new AppError("unavailable", { retryAfter: 300 }), c.get("audience"));
  }
  c.set("config", result.config);
  await next();
});

app.get("/", (c) => page(formPage(c.get("config"), c.get("audience").lang)));
app.get("/thanks", (c) => page(thanksPage(c.get("audience").lang)));
app.get("/assets/form.css", () => asset(FORM_CSS, "text/css"));
app.get("/assets/form.js", () => asset(FORM_JS, "text/javascript"));
app.get("/favicon.ico", () => new Response(null, { status: 204 }));
app.get("/health", (c) => health(c.env, loadConfig(c.env)));

app.route(
  "/inquiry",
  inquiryRoute({ claimFor: firstSendClaim, afterStore: deliverNow, now: () => Date.now() }),
);

app.route("/admin", adminRoutes());

app.notFound((c) => {
  const audience = c.get("audience");
  if (audience?.html) return page(notFoundPage(audience.lang), 404);
  return errorResponse(
    new AppError("not_found"),
    audience ?? { lang: "en", html: false, backUrl: "/" },
  );
});

app.onError((err, c) =>
  errorResponse(toAppError(err), c.get("audience") ?? { lang: "en", html: false, backUrl: "/" }),
);

function asset(body: string, type: string): Response {
  return new Response(body, {
    headers: { "content-type": `${type}; charset=utf-8`, "cache-control": "public, max-age=3600" },
  });
}

export default {
  fetch: app.fetch,
  async scheduled(controller, env, ctx) {
    // The event's scheduledTime is "now": a run can be replayed for any moment.
    await runScheduled(env, ctx, controller.scheduledTime);
  },
} satisfies ExportedHandler<Env>;
