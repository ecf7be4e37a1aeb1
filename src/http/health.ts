import type { ConfigProblem, ConfigResult } from "../config/config.ts";
import { deliveryCounts } from "../store/inquiries.ts";
import { json } from "./respond.ts";

/**
 * GET /health: whether the configuration is usable and whether mail is flowing.
 * Names of variables and counts only; never a value or a secret.
 */
export async function health(env: Env, result: ConfigResult): Promise<Response> {
  const problems = result.ok ? [] : result.problems;
  const warnings: (Omit<ConfigProblem, "code"> & { code: string })[] = [...result.warnings];
  let deliveries: { pending: number; failed: number } | null = null;
  let storage = "ok";
  try {
    deliveries = await deliveryCounts(env.DB);
  } catch {
    storage = "unavailable";
  }
  if (deliveries && deliveries.failed > 0) {
    warnings.push({
      code: "deliveries_failed",
      name: "deliveries",
      problem: `${deliveries.failed} inquiries could not be mailed; see GET /admin/inquiries`,
    });
  }
  return json({
    ok: problems.length === 0 && storage === "ok",
    config: problems.length === 0 ? "ok" : "invalid",
    problems,
    warnings,
    storage,
    mail: !result.ok
      ? "unconfigured"
      : result.config.resendApiKey
        ? "resend"
        : "pending_until_api_key",
    deliveries,
  });
}
