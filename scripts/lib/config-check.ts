// The configuration check before a deployment, with the worker's own parser
// (src/config/config.ts): what the deploy command refuses is exactly what the
// deployed worker would report on /health.
import { parseConfig, SCOPE_EFFECTS, type ConfigProblem } from "../../src/config/config.ts";
import { SECRET_NAMES } from "../../src/config/examples.ts";

export interface DeployCheck {
  /** Problems that stop the deployment, each with what it would switch off. */
  problems: ConfigProblem[];
  /** Said, but no reason to stop (no API key yet, the example addresses, no ALLOWED_ORIGINS). */
  warnings: ConfigProblem[];
  /** Secrets whose values no deploy command can read: the deployed /health checks them. */
  unchecked: string[];
}

/** Stands for a secret that is set in Cloudflare, whose value a deploy cannot read. */
const SET_ELSEWHERE = "set-in-cloudflare";

/**
 * Checks wrangler.toml's `[vars]` and which secrets are set, as the worker will.
 *
 * `vars`: the `[vars]` as wrangler reads them. `secretsSet`: the names
 * `wrangler secret list` gives, or null when it cannot say (the first
 * deployment, before the worker exists): then nothing is said about secrets,
 * so a first deployment is not refused for what it has not been asked yet. A
 * secret's value stays in Cloudflare (no API returns it), so problems with a
 * value (too short, an example, `v1,whsec_…`) show on /health after the
 * deployment; whether one is set, and what needs it set too (Turnstile's
 * pair), is checked here.
 */
export function checkBeforeDeploy(
  vars: Record<string, unknown>,
  secretsSet: readonly string[] | null,
): DeployCheck {
  const env: Record<string, unknown> = { ...vars };
  for (const name of SECRET_NAMES) env[name] = secretsSet?.includes(name) ? SET_ELSEWHERE : "";
  // A set secret's value is unknown here; with no list at all, so is whether it is set.
  const unchecked = SECRET_NAMES.filter((name) => secretsSet === null || env[name] !== "");
  const mine = (p: ConfigProblem) => !(unchecked as readonly string[]).includes(p.name);
  const result = parseConfig(env);
  return {
    problems: result.problems.filter(mine),
    warnings: result.warnings.filter(mine),
    unchecked,
  };
}

/** The lines the deploy command prints: each problem's name, code, what to do and what it switches off. */
export function describeCheck(check: DeployCheck): { errors: string[]; notes: string[] } {
  const line = (p: ConfigProblem) => `  ${p.name} (${p.code}): ${p.problem}.`;
  const errors =
    check.problems.length === 0
      ? []
      : [
          `The configuration has ${check.problems.length === 1 ? "a problem" : `${check.problems.length} problems`}; nothing was deployed:`,
          ...check.problems.flatMap((p) => [line(p), `    Deployed, ${SCOPE_EFFECTS[p.scope]}.`]),
          "Fix each in wrangler.toml [vars] (a secret: `npx wrangler secret put NAME`), then run `npm run deploy` again.",
        ];
  const notes = check.warnings.map((w) => `Note: ${w.name} ${w.problem}.`);
  return { errors, notes };
}
