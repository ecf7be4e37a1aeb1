// The edge of the test entry points (testing/worker.ts for the worker, and the
// benchmark's floor): wraps env's bindings by a plan (./bindings.ts) before the
// worker sees them. Never part of the deployed worker: `npm run build` bundles
// src/index.ts, which imports nothing from here.
//
// The plan comes from the var BINDING_PLAN (JSON, as `wrangler dev --var
// BINDING_PLAN:'{…}'` gives it) and can be replaced while the worker runs:
//   POST /__bindings  {"latencyMs":20,"faults":{"DB":{"rate":0.02,"windows":[{"from":…,"to":…}]}},"seed":1}
//   GET  /__bindings  {"plan":…,"calls":{"DB.run":12,…},"injected":{"DB":1,…}}
//   GET  /__bindings?list=ATTACHMENTS  {"keys":["attachments/…",…]}  (an R2 bucket's
//        keys, read past the plan: what is really stored)
// Windows are on the worker's clock (Date.now(), ms since the epoch), which on
// one machine is the test's clock too, unless the plan moves it: `clockOffsetMs`
// adds that much to the worker's Date.now(), so a test that fires scheduled runs
// at simulated times can move the wall clock with them (a send's lease, on the
// wall clock, then ends in simulated minutes as it does in real ones).
import { failures, instrumentEnv, seeded, type FaultPlan } from "./bindings.ts";

export interface WirePlan {
  /** Milliseconds per storage call (D1, R2, the rate limiter). */
  latencyMs?: number;
  faults?: FaultPlan;
  /** Seed of the failures' random numbers (default 1). */
  seed?: number;
  /** Added to the worker's Date.now() (ms): the wall clock of a simulated day. */
  clockOffsetMs?: number;
}

const CONTROL_PATH = "/__bindings";

interface State {
  plan: WirePlan;
  random: () => number;
  calls: Map<string, number>;
  injected: Map<string, number>;
}

let state: State | null = null;

// The worker's wall clock, moved by the plan's clockOffsetMs (0 by default).
const realNow = Date.now.bind(Date);
Date.now = () => realNow() + (state?.plan.clockOffsetMs ?? 0);

function setPlan(plan: WirePlan) {
  state = { plan, random: seeded(plan.seed ?? 1), calls: new Map(), injected: new Map() };
}

/** The env the worker sees: one wrapped env per real env object (per-env caches still hold). */
const wrapped = new WeakMap<object, object>();

function envFor<E extends object>(env: E): E {
  if (!state) {
    const raw = (env as { BINDING_PLAN?: unknown }).BINDING_PLAN;
    setPlan(typeof raw === "string" && raw !== "" ? (JSON.parse(raw) as WirePlan) : {});
  }
  let out = wrapped.get(env);
  if (!out) {
    out = instrumentEnv(env, {
      onCall: (c) => {
        const key = `${c.binding}.${c.op}`;
        state!.calls.set(key, (state!.calls.get(key) ?? 0) + 1);
      },
      latencyMs: () => state!.plan.latencyMs ?? 0,
      fail: (c) => failures(state!.plan.faults ?? {}, Date.now, state!.random, state!.injected)(c),
    });
    wrapped.set(env, out);
  }
  return out as E;
}

/** Every key in the R2 bucket bound as `name` (the real binding, never failed or slowed). */
async function listKeys(env: object, name: string): Promise<string[]> {
  const bucket = (env as Record<string, unknown>)[name] as R2Bucket | undefined;
  if (!bucket || typeof bucket.list !== "function") return [];
  const keys: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ cursor, limit: 1000 });
    keys.push(...page.objects.map((o) => o.key));
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return keys;
}

/** `handler` with its env's bindings wrapped, and the plan's control route in front. */
export function instrumented<E extends object>(handler: ExportedHandler<E>): ExportedHandler<E> {
  return {
    async fetch(request, env, ctx) {
      const wrappedEnv = envFor(env);
      const url = new URL(request.url);
      if (url.pathname === CONTROL_PATH) {
        const bucket = url.searchParams.get("list");
        if (bucket) return Response.json({ keys: await listKeys(env, bucket) });
        if (request.method === "POST") setPlan((await request.json()) as WirePlan);
        return Response.json({
          plan: state!.plan,
          calls: Object.fromEntries(state!.calls),
          injected: Object.fromEntries(state!.injected),
        });
      }
      return handler.fetch!(request, wrappedEnv, ctx);
    },
    async scheduled(controller, env, ctx) {
      await handler.scheduled?.(controller, envFor(env), ctx);
    },
  };
}
