import { sign, verify } from "./key.ts";

/**
 * Release links: `/spam/release/<inquiry id>/<HMAC of the id>`.
 * Unguessable without the worker's key, good for one inquiry only, and dead
 * as soon as that inquiry is no longer quarantined (released, dismissed or
 * purged): the route checks the row's state, so nothing else has to be kept.
 */
const PURPOSE = "release";
const ID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export async function releasePath(key: CryptoKey, inquiryId: string): Promise<string> {
  return `/spam/release/${inquiryId}/${await sign(key, PURPOSE, inquiryId)}`;
}

/** Whether `signature` was made by this worker for `inquiryId` (constant time). */
export async function validRelease(
  key: CryptoKey,
  inquiryId: string,
  signature: string,
): Promise<boolean> {
  return (
    ID_RE.test(inquiryId) && signature.length <= 64 && verify(key, PURPOSE, inquiryId, signature)
  );
}
