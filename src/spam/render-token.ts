import type { RenderCheck } from "./score.ts";
import { sign, verify, workerKey } from "./key.ts";

/**
 * The render-time token (HMAC-SHA256, WebCrypto): the reference form carries it in the
 * hidden field `_t`; it says when the form was served, signed with the
 * worker's key (HMAC-SHA256), so a submission can tell how long its visitor
 * took. Shape: `<ms since the epoch, base 36>.<base64url HMAC>`.
 */

/** The hidden field's name: fields starting with `_` are never stored or mailed. */
export const RENDER_TOKEN_FIELD = "_t";
/** A token older than this is past its window: a replay, or a tab left open overnight. */
export const RENDER_TOKEN_MAX_AGE_MS = 12 * 60 * 60_000;
/** Clocks of different machines may disagree this much. */
const FUTURE_SKEW_MS = 60_000;
const PURPOSE = "render";

export async function issueRenderToken(key: CryptoKey, now: number): Promise<string> {
  const at = Math.floor(now).toString(36);
  return `${at}.${await sign(key, PURPOSE, at)}`;
}

/**
 * What the submitted token says: `absent` (no `_t` or an empty one: a plain
 * form of the company's own), `forged` (malformed, wrong signature, sent twice
 * or from the future), `expired`, or `valid` with the seconds it took.
 */
export async function checkRenderToken(
  key: CryptoKey,
  values: readonly unknown[] | undefined,
  now: number,
): Promise<RenderCheck> {
  if (!values || values.length === 0 || (values.length === 1 && values[0] === "")) {
    return { kind: "absent" };
  }
  const token = values[0];
  if (values.length > 1 || typeof token !== "string" || token.length > 100)
    return { kind: "forged" };
  const dot = token.indexOf(".");
  const at = token.slice(0, dot);
  if (dot < 1 || !/^[0-9a-z]{1,12}$/.test(at)) return { kind: "forged" };
  if (!(await verify(key, PURPOSE, at, token.slice(dot + 1)))) return { kind: "forged" };
  const renderedAt = parseInt(at, 36);
  if (renderedAt > now + FUTURE_SKEW_MS) return { kind: "forged" };
  if (now - renderedAt > RENDER_TOKEN_MAX_AGE_MS) return { kind: "expired" };
  return { kind: "valid", seconds: Math.max(0, now - renderedAt) / 1000 };
}

/**
 * A token for a form being served now, or none when the worker's key cannot
 * be read (the form still works: a missing token is neutral).
 */
export async function formToken(db: D1Database, now: number): Promise<string | undefined> {
  try {
    return await issueRenderToken(await workerKey(db), now);
  } catch (err) {
    console.error(`render token unavailable: ${err instanceof Error ? err.name : "error"}`);
    return undefined;
  }
}
