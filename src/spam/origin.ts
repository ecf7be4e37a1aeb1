import { getState, setState } from "../store/spam.ts";

/**
 * The worker's public origin, for the release links in the spam digest (the
 * scheduled run that sends it has no request to take it from). It is the
 * origin of the worker's own URL as the request that stored the quarantined
 * inquiry reached it: never a visitor's data. Written only when it changes.
 */
const ORIGIN = "public_origin";
const known = new WeakMap<D1Database, string>();

export async function rememberOrigin(db: D1Database, origin: string): Promise<void> {
  if (known.get(db) === origin) return;
  try {
    if ((await getState(db, ORIGIN)) !== origin) await setState(db, ORIGIN, origin);
    known.set(db, origin);
  } catch (err) {
    // The digest falls back to an older origin: the inquiry must be stored regardless.
    console.error(`remembering the origin failed: ${err instanceof Error ? err.name : "error"}`);
  }
}

export function publicOrigin(db: D1Database): Promise<string | null> {
  return getState(db, ORIGIN);
}
