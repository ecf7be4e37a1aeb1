// Storage as a deployment sees it, for tests and the benchmark only (never
// bundled into the deployed worker): every call on a binding (D1, R2, the rate
// limiter) can be counted, slowed by a round trip and made to fail. Local D1,
// R2 and the limiter answer in microseconds inside workerd; a deployed worker
// pays a network round trip per call (Cloudflare, "How D1 works": the Worker
// talks to the database's primary over the network) and sees an error now and then.
//
// Failure patterns (a rate, bursts, outage windows on a clock the caller
// passes in) are in ./faults.ts, shared with the fake Resend's side.
//
// The wrapper sits at the edge of a test entry point (testing/entry.ts): the
// worker's own code receives an env of the same shape and cannot tell.

/** One call on a binding: `binding` is the env name (`DB`, `ATTACHMENTS`, …), `op` the method. */
export interface BindingCall {
  binding: string;
  op: string;
  /** D1: the statement's SQL (for a batch, the statements' SQL joined by `;\n`); R2: the key. */
  detail?: string;
}

export interface BindingPlan {
  /** Told of every call before it is made (and before its latency). */
  onCall?: (c: BindingCall) => void;
  /** Milliseconds each call waits before it reaches the binding. */
  latencyMs?: number | ((c: BindingCall) => number);
  /** True: the call fails as the binding fails when unreachable, and never reaches it. */
  fail?: (c: BindingCall) => boolean;
}

/** What an injected failure throws: the message of the binding's own unreachable error. */
export class InjectedFailure extends Error {
  constructor(c: BindingCall) {
    const kind = BINDING_ERRORS[c.binding] ?? "binding call failed";
    super(`${kind} (injected: ${c.binding}.${c.op})`);
    this.name = "Error";
  }
}

/** Binding names the wrapper knows the error text of (Cloudflare's D1 and R2 error pages). */
const BINDING_ERRORS: Record<string, string> = {
  DB: "D1_ERROR: Network connection lost.",
  LOG_DB: "D1_ERROR: Network connection lost.",
  ATTACHMENTS: "R2: We encountered an internal error. Please try again. (10001)",
  FILES: "R2: We encountered an internal error. Please try again. (10001)",
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

type Run = <T>(c: BindingCall, call: () => Promise<T>) => Promise<T>;

function runner(plan: BindingPlan): Run {
  return async (c, call) => {
    plan.onCall?.(c);
    const ms = typeof plan.latencyMs === "function" ? plan.latencyMs(c) : (plan.latencyMs ?? 0);
    if (ms > 0) await sleep(ms);
    if (plan.fail?.(c)) throw new InjectedFailure(c);
    return call();
  };
}

const isD1 = (v: object): v is D1Database =>
  typeof (v as D1Database).prepare === "function" && typeof (v as D1Database).batch === "function";
const isR2 = (v: object): v is R2Bucket =>
  typeof (v as R2Bucket).put === "function" && typeof (v as R2Bucket).head === "function";
const isLimiter = (v: object): v is RateLimit => typeof (v as RateLimit).limit === "function";

/** The real statement behind each wrapped one, for `batch`. */
const realStatement = new WeakMap<object, D1PreparedStatement>();

function statement(real: D1PreparedStatement, sql: string, name: string, run: Run) {
  const call = <T>(op: string, f: () => Promise<T>) => run({ binding: name, op, detail: sql }, f);
  const wrapped = {
    bind: (...values: unknown[]) => statement(real.bind(...values), sql, name, run),
    first: (column?: string) =>
      call("first", () => (column === undefined ? real.first() : real.first(column))),
    run: () => call("run", () => real.run()),
    all: () => call("all", () => real.all()),
    raw: (options?: { columnNames?: boolean }) =>
      call("raw", () => real.raw(options as { columnNames: true })),
  };
  realStatement.set(wrapped, real);
  return wrapped as unknown as D1PreparedStatement;
}

const sqlOf = new WeakMap<D1PreparedStatement, string>();

function d1(real: D1Database, name: string, run: Run): D1Database {
  return {
    prepare(query: string) {
      const wrapped = statement(real.prepare(query), query, name, run);
      sqlOf.set(wrapped, query);
      return wrapped;
    },
    batch(statements: D1PreparedStatement[]) {
      const detail = statements.map((s) => sqlOf.get(s) ?? "").join(";\n");
      return run({ binding: name, op: "batch", detail }, () =>
        real.batch(statements.map((s) => realStatement.get(s) ?? s)),
      );
    },
    exec: (query: string) =>
      run({ binding: name, op: "exec", detail: query }, () => real.exec(query)),
    dump: () => run({ binding: name, op: "dump" }, () => real.dump()),
    // Sessions (read replication) are not used by the worker: the real one, unslowed.
    withSession: (constraint?: string) => real.withSession(constraint),
  } as D1Database;
}

function r2(real: R2Bucket, name: string, run: Run): R2Bucket {
  const ops = [
    "head",
    "get",
    "put",
    "delete",
    "list",
    "createMultipartUpload",
    "resumeMultipartUpload",
  ] as const;
  const out: Record<string, unknown> = {};
  for (const op of ops) {
    const method = real[op] as (...a: unknown[]) => unknown;
    out[op] = (...args: unknown[]) =>
      op === "resumeMultipartUpload"
        ? method.apply(real, args) // synchronous in the API: no round trip
        : run(
            { binding: name, op, detail: typeof args[0] === "string" ? args[0] : undefined },
            () => Promise.resolve(method.apply(real, args)),
          );
  }
  return out as unknown as R2Bucket;
}

function limiter(real: RateLimit, name: string, run: Run): RateLimit {
  return { limit: (options) => run({ binding: name, op: "limit" }, () => real.limit(options)) };
}

/**
 * `env` with every D1 database, R2 bucket and rate limiter wrapped by `plan`;
 * other members (vars, secrets, the test's own bindings) as they are. The same
 * `env` object gives the same wrapped env, so per-env caches (configuration,
 * the worker's key) behave as deployed.
 */
export function instrumentEnv<E extends object>(env: E, plan: BindingPlan): E {
  const run = runner(plan);
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === null || typeof value !== "object") out[name] = value;
    else if (isD1(value)) out[name] = d1(value, name, run);
    else if (isR2(value)) out[name] = r2(value, name, run);
    else if (isLimiter(value)) out[name] = limiter(value, name, run);
    else out[name] = value;
  }
  return out as E;
}

export { failsNow, failures, resendFailures, seeded } from "./faults.ts";
export type { FaultPattern, FaultPlan, Window } from "./faults.ts";
