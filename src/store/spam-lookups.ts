/**
 * The spam scorer's two look-ups in `DB` (schema/0004_spam.sql,
 * 0005_disposable_domains.sql): the address's domain on the disposable list,
 * and the same message from other addresses in the last day. They ride in the
 * inquiry's own write (store/inquiries.ts) as its condition; they are read in
 * a D1 call of their own only when they found something.
 */

/** What the scorer looks up in storage for one submission. */
export interface SpamLookups {
  /** Whether the address's domain is on the disposable-domain list. */
  disposableDomain: boolean;
  /** How many other addresses sent the same message in the window. */
  sameMessageAddresses: number;
}

/** What the look-ups are asked about one submission. */
export interface SpamLookupKey {
  /** The address's domain, lower-case, as the disposable list holds it. */
  domain: string;
  /** Hex SHA-256 of the normalised message; null when too short to compare (counts 0). */
  messageHash: string | null;
  /** The sender's `email_key`, whose own earlier messages do not count. */
  emailKey: string;
  /** Start of the same-message window, ms since the epoch (on the `inquiries_message_hash` index). */
  since: number;
}

/** The key's values in the order the SQL below numbers them: domain, hash, since, email key. */
function lookupParams(k: SpamLookupKey): unknown[] {
  return [k.domain, k.messageHash, k.since, k.emailKey];
}

/** Whether `domain` is on the disposable list; parameters from `?p` in `lookupParams` order. */
const disposableSql = (p: number) =>
  `EXISTS (SELECT 1 FROM disposable_domains WHERE domain = ?${p})`;

/** Rows of the same message from other addresses in the window; parameters from `?p`. */
const sameMessageFrom = (p: number) =>
  `FROM inquiries WHERE ?${p + 1} IS NOT NULL AND message_hash = ?${p + 1}
     AND created_at >= ?${p + 2} AND email_key <> ?${p + 3}`;

/**
 * A condition a write can carry so that it happens only when both look-ups
 * find nothing, which is what almost every inquiry finds: then the score
 * made without them stands, and the look-ups cost no D1 call of their own.
 * `sql(p)` numbers its parameters from `?p`; bind `params` there.
 */
export interface NothingFound {
  sql(p: number): string;
  params: unknown[];
}

export function nothingFound(k: SpamLookupKey): NothingFound {
  return {
    sql: (p) => `NOT ${disposableSql(p)} AND NOT EXISTS (SELECT 1 ${sameMessageFrom(p)})`,
    params: lookupParams(k),
  };
}

/**
 * Both look-ups in one statement: in a batch that writes under `nothingFound`
 * (the facts and the condition read the same transaction), or on its own
 * after such a write wrote nothing. `readSpamLookups` reads its result.
 */
export function spamLookupStatement(db: D1Database, k: SpamLookupKey): D1PreparedStatement {
  return db
    .prepare(
      `SELECT ${disposableSql(1)} AS disposable,
              (SELECT count(DISTINCT email_key) ${sameMessageFrom(1)}) AS others`,
    )
    .bind(...lookupParams(k));
}

/** The facts from `spamLookupStatement`'s result. */
export function readSpamLookups(result: D1Result | undefined): SpamLookups {
  const row = result?.results[0] as { disposable: number; others: number } | undefined;
  return { disposableDomain: row?.disposable === 1, sameMessageAddresses: row?.others ?? 0 };
}
