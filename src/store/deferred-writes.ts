/**
 * Writes that can wait a moment after the answer (a technical log line, "this
 * mail was sent"): they are queued in the isolate and ride along in the next
 * inquiry's insert batch, so under load they cost no D1 round trip of their
 * own. When no insert comes, they are written on their own after FLUSH_AFTER_MS.
 * Whoever queues one keeps its request alive (`waitUntil`) until it is written.
 */

/** Long enough for a busy form to carry the write, short enough to keep an invocation brief. */
export const FLUSH_AFTER_MS = 50;
/** A batch stays small however busy the isolate is. */
const MAX_QUEUED = 40;

interface Queued {
  statement: D1PreparedStatement;
  settle: (written: boolean) => void;
}

const queue: Queued[] = [];

async function write(db: D1Database, entries: Queued[]): Promise<void> {
  if (entries.length === 0) return;
  const written = await db.batch(entries.map((e) => e.statement)).then(
    () => true,
    () => false,
  );
  for (const e of entries) e.settle(written);
}

/** Queues `statement`; resolves `true` once it is in D1, `false` if its batch failed. */
export function deferWrite(db: D1Database, statement: D1PreparedStatement): Promise<boolean> {
  return new Promise((settle) => {
    const entry = { statement, settle };
    queue.push(entry);
    if (queue.length >= MAX_QUEUED) {
      void write(db, queue.splice(0));
      return;
    }
    setTimeout(() => {
      const at = queue.indexOf(entry);
      // Still waiting: nothing carried it, so it goes now with whatever else waits.
      if (at >= 0) void write(db, queue.splice(0));
    }, FLUSH_AFTER_MS);
  });
}

/**
 * Runs `statements` as one batch together with the queued writes. If that
 * batch fails, `statements` are tried once more alone: a queued write must
 * never cost an inquiry its place. The queued ones then count as not written.
 */
export async function batchWithDeferred(
  db: D1Database,
  statements: D1PreparedStatement[],
): Promise<void> {
  const carried = queue.splice(0);
  if (carried.length === 0) {
    await db.batch(statements);
    return;
  }
  try {
    await db.batch([...statements, ...carried.map((e) => e.statement)]);
  } catch {
    for (const e of carried) e.settle(false);
    await db.batch(statements);
    return;
  }
  for (const e of carried) e.settle(true);
}
