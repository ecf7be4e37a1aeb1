import type { AdminGate } from "../admin/auth.ts";
import type { ConfigProblem, ConfigResult } from "../config/config.ts";
import {
  deliveryCountsByStatus,
  deliverySummary,
  type DeliverySummary,
} from "../store/delivery-admin.ts";
import { json } from "./respond.ts";

/** A pending inquiry older than this means mail is not flowing (no API key, Resend down). */
export const WAITING_LIMIT_MS = 60 * 60_000;
/** How long one isolate reuses its public answer; also its `max-age` for any cache on the way. */
export const PUBLIC_TTL_S = 30;

/**
 * A problem /health reports beside configuration problems: a stable code, the
 * variable or binding it is about (if any), and what to do. Never a value,
 * a count or an inquiry's data.
 */
export interface HealthProblem {
  code:
    | "storage_unavailable"
    | "deliveries_failed"
    | "deliveries_bounced"
    | "delivery_waiting"
    | "webhook_signature_failing";
  name?: string;
  problem: string;
}

export interface HealthDeps {
  gate: AdminGate;
  now: number;
}

/** Public answers per `env` (one per isolate): at most one D1 read per TTL, whatever the traffic. */
const publicCache = new WeakMap<object, { until: number; status: number; body: string }>();

/**
 * GET /health, for uptime monitors: 200 `{"ok":true,…}` when the worker can
 * take and deliver inquiries; 503 `{"ok":false,…}` while the configuration is
 * invalid, D1 is unreachable, any delivery is `failed` or `bounced` (until
 * retried or dismissed), or an inquiry has waited for its mail more than an
 * hour. Each problem is a stable code with variable names, never a value.
 *
 * Without `Authorization`, the answer costs one D1 statement of three index
 * seeks (`deliverySummary`), is reused by this isolate for PUBLIC_TTL_S and
 * may be cached as long (`Cache-Control: public, max-age=30`, `Vary:
 * Authorization`). With `Authorization: Bearer <ADMIN_TOKEN>` it also counts
 * inquiries per delivery state and is never cached; a wrong token is 401, and
 * failures count against the operator API's attempt limit. While no valid
 * ADMIN_TOKEN is configured, a request with `Authorization` gets the cached public answer.
 */
export async function health(
  request: Request,
  env: Env,
  result: ConfigResult,
  deps: HealthDeps,
): Promise<Response> {
  const { config } = result;
  const adminToken = config.adminToken;
  // Without a configured token an Authorization header earns nothing more than the
  // public answer, cached like it: never a fresh D1 read per request.
  const wantsCounts = request.headers.has("authorization") && adminToken !== null;
  if (wantsCounts) {
    await deps.gate.verify(request, env, adminToken);
  } else {
    const cached = publicCache.get(env);
    if (cached && cached.until > deps.now) return publicAnswer(cached.status, cached.body);
  }

  const problems: (ConfigProblem | HealthProblem)[] = [...result.problems];
  let storage: "ok" | "unavailable" = "ok";
  let deliveries: Record<string, number> | null = null;
  try {
    const summary = await deliverySummary(env.DB);
    problems.push(...deliveryProblems(summary, result, deps.now));
    if (wantsCounts) deliveries = await deliveryCountsByStatus(env.DB);
  } catch {
    storage = "unavailable";
    problems.push({
      code: "storage_unavailable",
      name: "DB",
      problem: "the inquiries database (D1 binding DB) cannot be read: inquiries cannot be stored",
    });
  }

  const status = problems.length === 0 ? 200 : 503;
  const body = {
    ok: status === 200,
    config: result.ok ? "ok" : "invalid",
    // What a configuration problem has switched off; everything else works.
    off: [...config.off],
    storage,
    mail: config.off.has("mail")
      ? "unconfigured"
      : config.resendApiKey
        ? "resend"
        : "pending_until_api_key",
    problems,
    warnings: result.warnings,
    ...(deliveries ? { deliveries } : {}),
  };
  if (deliveries) return json(body, status);
  const text = JSON.stringify(body);
  publicCache.set(env, { until: deps.now + PUBLIC_TTL_S * 1000, status, body: text });
  return publicAnswer(status, text);
}

/**
 * Signed-looking webhook requests failing verification this many times, the
 * last within a day and none verified since, are a rotated or mistyped secret.
 */
const WEBHOOK_REJECTIONS = 3;
const WEBHOOK_REJECTION_MS = 24 * 60 * 60_000;

function deliveryProblems(s: DeliverySummary, result: ConfigResult, now: number): HealthProblem[] {
  const problems: HealthProblem[] = [];
  const rejected = s.webhookRejected;
  if (rejected && rejected.n >= WEBHOOK_REJECTIONS && now - rejected.last < WEBHOOK_REJECTION_MS) {
    problems.push({
      code: "webhook_signature_failing",
      name: "RESEND_WEBHOOK_SECRET",
      problem:
        "signed webhook events keep failing verification (a rotated secret?): copy the webhook's signing secret from Resend into RESEND_WEBHOOK_SECRET; until then delivery events are lost",
    });
  }
  if (s.anyFailed) {
    problems.push({
      code: "deliveries_failed",
      problem:
        "an inquiry could not be mailed: fix the cause (last_error in GET /admin/deliveries), then retry or dismiss it",
    });
  }
  if (s.anyBounced) {
    problems.push({
      code: "deliveries_bounced",
      problem:
        "the staff's mailbox refused or reported an inquiry's mail: fix the mailbox, then retry or dismiss it",
    });
  }
  if (s.oldestWaiting !== null && now - s.oldestWaiting > WAITING_LIMIT_MS) {
    const noKey = !result.config.off.has("mail") && !result.config.resendApiKey;
    problems.push({
      code: "delivery_waiting",
      ...(noKey ? { name: "RESEND_API_KEY" } : {}),
      problem: noKey
        ? "an inquiry has waited more than an hour for its mail: RESEND_API_KEY is not set"
        : "an inquiry has waited more than an hour for its mail: Resend is refusing or unreachable (last_error in GET /admin/deliveries?status=pending)",
    });
  }
  return problems;
}

function publicAnswer(status: number, body: string): Response {
  return new Response(body, {
    status,
    headers: {
      "content-type": "application/json; charset=utf-8",
      "cache-control": `public, max-age=${PUBLIC_TTL_S}`,
      vary: "Authorization",
    },
  });
}
