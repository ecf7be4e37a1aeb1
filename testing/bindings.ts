/**
 * Test-only instrumentation of a worker's bindings (never shipped: nothing
 * under src/ imports it). Counts, slows down or fails every call the worker
 * makes on its D1 databases, R2 buckets, rate limiters and outbound fetch, so
 * a test can hold a run to the plan's per-invocation limits.
 *
 * What counts (Cloudflare docs, Workers "Limits", Subrequests: "any request
 * that a Worker makes to either Internet resources using the Fetch API or
 * requests to other Cloudflare services like R2, KV, or D1"; D1 "Limits",
 * "Queries per Worker invocation (read subrequest limits)"): each D1 call is a
 * query and a subrequest; a `batch()` is one call to D1, one round trip,
 * reported once with op `batch` and its statement count in `statements`
 * (the per-statement limits apply to each statement in it, D1 "Limits",
 * "Batch limits"); each R2 call and each outbound fetch is a subrequest.
 */

export interface BindingCall {
  /** The env name of the binding (`DB`, `ATTACHMENTS`, …), or `fetch` for outbound fetch. */
  binding: string;
  /** `run`, `all`, `first`, `raw`, `batch`, `exec`; `get`, `put`, `head`, `list`, `delete`; `limit`; `fetch`. */
  op: string;
  /** For a D1 `batch`: how many statements it carried. */
  statements?: number;
  /** For outbound fetch: the request's URL. */
  url?: string;
}

export interface BindingPlan {
  /** Called before each call starts (also for one that `fail` then refuses). */
  onCall?: (c: BindingCall) => void;
  /** Wait this long (ms) before each call reaches the real binding. */
  latencyMs?: number | ((c: BindingCall) => number);
  /** True: the call throws (as an unreachable binding does) instead of reaching the binding. */
  fail?: (c: BindingCall) => boolean;
}

/** Thrown in place of a call the plan fails. */
export class InjectedFault extends Error {
  constructor(readonly call: BindingCall) {
    super(`injected fault: ${call.binding}.${call.op}`);
    this.name = "InjectedFault";
  }
}

async function before(plan: BindingPlan, c: BindingCall): Promise<void> {
  plan.onCall?.(c);
  const ms = typeof plan.latencyMs === "function" ? plan.latencyMs(c) : (plan.latencyMs ?? 0);
  if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
  if (plan.fail?.(c)) throw new InjectedFault(c);
}

type AnyFn = (...args: unknown[]) => unknown;

function isD1(v: object): v is D1Database {
  const o = v as Record<string, unknown>;
  return typeof o.prepare === "function" && typeof o.batch === "function";
}

function isR2(v: object): v is R2Bucket {
  const o = v as Record<string, unknown>;
  return ["get", "put", "head", "list", "delete"].every((k) => typeof o[k] === "function");
}

function isRateLimiter(v: object): v is RateLimit {
  return typeof (v as Record<string, unknown>).limit === "function" && !isR2(v) && !isD1(v);
}

/** The real statement behind each wrapped one, for `batch()`. */
const realStatement = new WeakMap<object, D1PreparedStatement>();

function wrapStatement(
  stmt: D1PreparedStatement,
  binding: string,
  plan: BindingPlan,
): D1PreparedStatement {
  const wrapped = new Proxy(stmt, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== "function") return value;
      if (prop === "bind") {
        return (...args: unknown[]) =>
          wrapStatement((value as AnyFn).apply(target, args) as D1PreparedStatement, binding, plan);
      }
      if (prop === "run" || prop === "all" || prop === "first" || prop === "raw") {
        return async (...args: unknown[]) => {
          await before(plan, { binding, op: prop });
          return (value as AnyFn).apply(target, args);
        };
      }
      return (value as AnyFn).bind(target);
    },
  });
  realStatement.set(wrapped, stmt);
  return wrapped;
}

function wrapD1(db: D1Database, binding: string, plan: BindingPlan): D1Database {
  return new Proxy(db, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== "function") return value;
      if (prop === "prepare") {
        return (sql: string) => wrapStatement(target.prepare(sql), binding, plan);
      }
      if (prop === "batch") {
        return async (stmts: D1PreparedStatement[]) => {
          await before(plan, { binding, op: "batch", statements: stmts.length });
          return target.batch(stmts.map((s) => realStatement.get(s) ?? s));
        };
      }
      if (prop === "exec") {
        return async (sql: string) => {
          await before(plan, { binding, op: "exec" });
          return target.exec(sql);
        };
      }
      return (value as AnyFn).bind(target);
    },
  });
}

const R2_OPS = new Set(["get", "put", "head", "list", "delete", "createMultipartUpload"]);

function wrapCalls<T extends object>(
  obj: T,
  binding: string,
  plan: BindingPlan,
  ops: Set<string>,
): T {
  return new Proxy(obj, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== "function") return value;
      if (typeof prop === "string" && ops.has(prop)) {
        return async (...args: unknown[]) => {
          await before(plan, { binding, op: prop });
          return (value as AnyFn).apply(target, args);
        };
      }
      return (value as AnyFn).bind(target);
    },
  });
}

/**
 * A copy of `env` whose D1 databases, R2 buckets and rate limiters report each
 * call to `plan` (and are slowed or failed as it says); other members are
 * passed as they are. Outbound fetch is a global, not a binding: wrap it with
 * `instrumentFetch`.
 */
export function instrumentEnv<E extends object>(env: E, plan: BindingPlan): E {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === null || typeof value !== "object") out[name] = value;
    else if (isD1(value)) out[name] = wrapD1(value, name, plan);
    else if (isR2(value)) out[name] = wrapCalls(value, name, plan, R2_OPS);
    else if (isRateLimiter(value)) out[name] = wrapCalls(value, name, plan, new Set(["limit"]));
    else out[name] = value;
  }
  return out as E;
}

/** `fetchFn` reporting each call to `plan` as binding `fetch`, op `fetch` (a subrequest). */
export function instrumentFetch(fetchFn: typeof fetch, plan: BindingPlan): typeof fetch {
  return (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = input instanceof Request ? input.url : String(input);
    await before(plan, { binding: "fetch", op: "fetch", url });
    return fetchFn(input, init);
  }) as typeof fetch;
}

/** Calls counted per invocation, as the plan's limits count them. */
export interface CallCount {
  /** D1 calls (a batch once), every database together. */
  queries: number;
  /** Every call that is a subrequest: D1, R2 and outbound fetch. */
  subrequests: number;
  /** Each call, in order. */
  calls: BindingCall[];
}

/** A plan that counts; `reset()` starts a new invocation's count. */
export function counter(extra: Omit<BindingPlan, "onCall"> = {}): {
  plan: BindingPlan;
  count: CallCount;
  reset: () => void;
} {
  const count: CallCount = { queries: 0, subrequests: 0, calls: [] };
  const d1 = new Set(["run", "all", "first", "raw", "batch", "exec"]);
  const plan: BindingPlan = {
    ...extra,
    onCall: (c) => {
      count.calls.push(c);
      if (d1.has(c.op)) count.queries++;
      if (c.op !== "limit") count.subrequests++;
    },
  };
  return {
    plan,
    count,
    reset: () => {
      count.queries = 0;
      count.subrequests = 0;
      count.calls.length = 0;
    },
  };
}

// Failure patterns on a clock the caller passes in (a rate, bursts, outage
// windows), for the bindings here and for the fake Resend (./faults.ts).
export { failsNow, failures, resendFailures, seeded } from "./faults.ts";
export type { FaultPattern, FaultPlan, Window } from "./faults.ts";
