/**
 * What one scheduled invocation may spend, and each duty's share of it.
 *
 * Cloudflare counts per invocation: D1 "Queries per Worker invocation", 50 on
 * Workers Free and 1,000 on Workers Paid (D1 docs, "Limits"), and Workers
 * "Subrequests", 50 on Free, where every D1 and R2 call is a subrequest as
 * much as an outbound fetch is (Workers docs, "Limits", Subrequests). A run
 * over either limit fails its remaining calls, so one backlog could stop every
 * duty. The budget here counts every call a duty makes (D1, R2, a send to
 * Resend) against the stricter of the two, and each duty gets a share of its
 * own: a backlog of one kind is worked off over several runs and never
 * starves another.
 */

/** The Workers plan (`PLAN`): its per-invocation limits. */
export type Plan = "free" | "paid";

/** The scheduled run's duties, in the order they run. */
export type Duty =
  | "purge" // inquiries past RETENTION_MONTHS, with their files
  | "logs" // technical log entries past LOG_RETENTION_DAYS
  | "files" // files no send needs any more
  | "orphans" // files no inquiry points at (one R2 list page per step, cursor kept)
  | "spam" // quarantined and dismissed inquiries past SPAM_RETENTION_DAYS
  | "keys" // Idempotency-Keys past their 24 hours (one DELETE)
  | "deliveries" // mail that is due, and what the duties above left unspent
  | "digest"; // the daily spam digest

/**
 * Calls (D1 queries, R2 operations, sends) per invocation. Free: the plan's
 * 50. Paid: 1,000, D1's per-invocation limit, itself within the subrequest limit.
 */
export const PLAN_CALLS: Record<Plan, number> = { free: 50, paid: 1000 };

/**
 * Each duty's share (calls). A share is the most that duty may spend. What
 * the purges leave unspent goes to delivery, which runs after them (`grant`):
 * mail people wait for gets the calls an idle purge does not need, and the
 * digest keeps its own. Free: every duty still moves each run (the purge
 * 2,000 rows, the spam purge 1,000, the orphan sweep 100 files, five mails,
 * seven when the purges are idle); the shares add up to the plan's 50. Paid:
 * they add up to 800, leaving room under 1,000.
 */
export const SHARES: Record<Plan, Record<Duty, number>> = {
  free: { purge: 4, logs: 2, files: 3, orphans: 5, spam: 6, keys: 1, deliveries: 23, digest: 6 },
  paid: {
    purge: 200,
    logs: 50,
    files: 60,
    orphans: 100,
    spam: 100,
    keys: 1,
    deliveries: 279,
    digest: 10,
  },
};

/** The duties that run before delivery: what they leave unspent, delivery may spend. */
export const BEFORE_DELIVERY: readonly Duty[] = [
  "purge",
  "logs",
  "files",
  "orphans",
  "spam",
  "keys",
];

/**
 * One duty's allowance of calls. A duty asks before each step for that step's
 * most expensive case (`take`), and stops when the answer is no.
 */
export class Allowance {
  private spent = 0;
  private granted = 0;
  private readonly share: number;
  // A plain field, not a parameter property: Node's type stripping (the deploy
  // check runs src/config/ under Node) refuses parameter properties.
  constructor(calls: number) {
    this.share = calls;
  }

  /** The calls this duty may make in this run: its share and what was granted to it. */
  get calls(): number {
    return this.share + this.granted;
  }

  /** Adds calls another duty of the same run left unspent (never more than it left). */
  grant(n: number): void {
    this.granted += Math.max(0, n);
  }

  /** Reserves `n` calls; false (nothing reserved) when fewer are left. */
  take(n: number): boolean {
    if (this.spent + n > this.calls) return false;
    this.spent += n;
    return true;
  }

  /** Gives back calls a step reserved but did not make. */
  refund(n: number): void {
    this.spent = Math.max(0, this.spent - n);
  }

  left(): number {
    return this.calls - this.spent;
  }
}

/** The allowance of each duty for one run under `plan`. */
export function allowances(plan: Plan): Record<Duty, Allowance> {
  const shares = SHARES[plan];
  return Object.fromEntries(
    Object.entries(shares).map(([duty, calls]) => [duty, new Allowance(calls)]),
  ) as Record<Duty, Allowance>;
}

/**
 * `PLAN` as set: `free` or `paid` (any case), empty for `paid`. Anything else
 * is reported to `bad` and read as `free`, the stricter limits, so the
 * scheduled runs still work within either plan.
 */
export function parsePlan(raw: unknown, bad: (problem: string) => void = () => {}): Plan {
  const v = (typeof raw === "string" ? raw : "").trim().toLowerCase();
  if (v === "" || v === "paid") return "paid";
  if (v === "free") return "free";
  bad('must be "free" or "paid"; scheduled runs keep to the Free plan\'s limits until it is');
  return "free";
}
