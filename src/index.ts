// hono/tiny: the same Hono with its small pattern router; a few dozen routes need no
// compiled router.
import { Hono } from "hono/tiny";
import { loadConfig } from "./config/config.ts";
import type { AppEnv } from "./http/app.ts";
import { FORM_CSS, FORM_JS } from "./pages/form-assets.ts";
import { AppError } from "./http/errors.ts";
import { needs } from "./http/needs.ts";
import { pickLang } from "./i18n/lang.ts";
import { wantsHtml } from "./http/negotiate.ts";
import { allowedOriginsOnly, backLink, corsForAllowedOrigins, fromOwnPage } from "./http/origin.ts";
import { embedScript } from "./pages/embed-script.ts";
import { formPage } from "./pages/form.ts";
import { thanksPage } from "./pages/thanks.ts";
import { noStoreVaryBy } from "./http/caching.ts";
import { answerError, page } from "./http/respond.ts";
import { securityHeaders } from "./http/security-headers.ts";
import { health } from "./http/health.ts";
import { inquiryRoute } from "./inquiry/route.ts";
import { logRequests } from "./log/request-log.ts";
import { runScheduled } from "./scheduled.ts";
import { deliverNow, firstSendClaim } from "./mail/deliver.ts";
import { adminGate } from "./admin/auth.ts";
import { rateLimitKey } from "./net/ip.ts";
import { adminRoutes } from "./admin/routes.ts";
import { webhookRoutes } from "./webhooks/routes.ts";
import { FILES_PATH } from "./files/link.ts";
import { fileRoutes } from "./files/route.ts";
import { formToken } from "./spam/render-token.ts";
import { spamRoutes } from "./spam/routes.ts";

const app = new Hono<AppEnv>();

/** Static: the same bytes for everyone, so any cache may keep them for an hour. */
const PUBLIC_CACHE = { "cache-control": "public, max-age=3600" };

function asset(body: string, type: string, headers: Record<string, string> = {}): Response {
  return new Response(body, {
    headers: { "content-type": `${type}; charset=utf-8`, ...PUBLIC_CACHE, ...headers },
  });
}

const now = () => Date.now();
// One attempt limit for every use of ADMIN_TOKEN (/admin and the counts of /health).
const gate = adminGate({ now, clientKey: rateLimitKey });

app.use("*", securityHeaders(), noStoreVaryBy("Accept", "Accept-Language"));

// Configuration is checked once per isolate. A bad value switches off only the
// part that needs it (`needs`), and shows on /health.
app.use("*", async (c, next) => {
  const { config } = loadConfig(c.env);
  c.set("audience", {
    lang: pickLang(
      c.req.query("lang"),
      c.req.header("accept-language") ?? null,
      config.defaultLang,
    ),
    html: wantsHtml(c.req.raw),
    back: backLink(c.req.raw, config),
    fromOwnPage: fromOwnPage(c.req.raw),
  });
  c.set("config", config);
  await next();
});

app.get("/", needs("intake"), async (c) =>
  page(
    formPage(c.get("config"), c.get("audience").lang, undefined, await formToken(c.env.DB, now())),
  ),
);
app.get("/thanks", (c) => page(thanksPage(c.get("audience").lang, c.get("config").form.company)));
app.get("/assets/form.css", () => asset(FORM_CSS, "text/css"));
app.get("/assets/form.js", () => asset(FORM_JS, "text/javascript"));
// Any page may load it, also with `crossorigin` (it is the same for everyone).
app.get("/embed.js", (c) =>
  asset(embedScript(c.get("config")), "text/javascript", { "access-control-allow-origin": "*" }),
);
app.get("/favicon.ico", () => new Response(null, { status: 204, headers: PUBLIC_CACHE }));
app.get("/health", (c) => health(c.req.raw, c.env, loadConfig(c.env), { gate, now: now() }));

// Outer to inner: the log line sees every outcome, refused origins get no CORS headers.
app.use(
  "/inquiry",
  noStoreVaryBy("Origin"),
  logRequests(now),
  allowedOriginsOnly(),
  corsForAllowedOrigins(),
  needs("intake"),
);
app.route("/inquiry", inquiryRoute({ claimFor: firstSendClaim, afterStore: deliverNow, now }));

app.route("/admin", adminRoutes(gate, now));
app.route("/webhooks", webhookRoutes({ now }));
// Resend fetches a mail's attachment here (Resend's `path`).
app.route(FILES_PATH, fileRoutes(now));
app.route("/spam", spamRoutes(now));

app.notFound(() => {
  throw new AppError("not_found");
});
app.onError(answerError);

export default {
  fetch: app.fetch,
  async scheduled(controller, env, ctx) {
    // The event's scheduledTime is "now": a run can be replayed for any moment.
    await runScheduled(env, ctx, controller.scheduledTime);
  },
} satisfies ExportedHandler<Env>;
