import type { Failure } from "../tests/fakes/resend.ts";

// Failure patterns: a rate, bursts and outage windows, read on a clock the
// caller passes in (the real one in a load test, a simulated one for
// scheduled runs at fake times).

/** From `from` up to (not including) `to`, in the clock's milliseconds: every call fails. */
export interface Window {
  from: number;
  to: number;
}

export interface FaultPattern {
  /** Share of calls that fail, 0–1, at random (by the plan's `random`). */
  rate?: number;
  /** Bursts and outages: every call inside one of these fails. */
  windows?: Window[];
}

/** Per binding name (`DB`, `LOG_DB`, `ATTACHMENTS`, `SUBMIT_LIMITER`, `fetch`, …). */
export type FaultPlan = Partial<Record<string, FaultPattern>>;

/** mulberry32: the same seed gives the same failures, so a failing run can be repeated. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Whether a call on `pattern` at `at` (ms by the caller's clock) fails. */
export function failsNow(
  pattern: FaultPattern | undefined,
  at: number,
  random: () => number,
): boolean {
  if (!pattern) return false;
  if (pattern.windows?.some((w) => at >= w.from && at < w.to)) return true;
  return (pattern.rate ?? 0) > 0 && random() < pattern.rate!;
}

/**
 * A `BindingPlan.fail` for `plan`: a call fails when its binding's pattern
 * says so at `clock()`. Counts what it injected per binding in `injected`.
 */
export function failures(
  plan: FaultPlan,
  clock: () => number,
  random: () => number = Math.random,
  injected: Map<string, number> = new Map(),
): (c: { binding: string }) => boolean {
  return (c) => {
    const fail = failsNow(plan[c.binding], clock(), random);
    if (fail) injected.set(c.binding, (injected.get(c.binding) ?? 0) + 1);
    return fail;
  };
}

/**
 * A decider for the fake Resend's `failWhen`: fails as `pattern` says at the
 * fake's clock, each failure one of `kinds` (429s, 5xx, lost connections, …).
 */
export function resendFailures(
  pattern: FaultPattern,
  kinds: Failure[],
  random: () => number = Math.random,
): (at: number) => Failure | undefined {
  return (at) =>
    failsNow(pattern, at, random) ? kinds[Math.floor(random() * kinds.length)] : undefined;
}
