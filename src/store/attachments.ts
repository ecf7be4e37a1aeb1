/**
 * The `ATTACHMENTS` R2 bucket: every key shape and every call on it lives here.
 * A file lives under a key derived from its inquiry id only.
 */
const PREFIX = "attachments/";

export function attachmentKey(inquiryId: string): string {
  return `${PREFIX}${inquiryId}`;
}

export async function putAttachment(
  bucket: R2Bucket,
  key: string,
  bytes: Uint8Array,
  meta: { type: string; sha256: string },
): Promise<void> {
  await bucket.put(key, bytes, {
    httpMetadata: { contentType: meta.type },
    // R2 verifies the upload against this digest, so a stored file is the one we checked.
    sha256: meta.sha256,
  });
}

/** The file's bytes, or null when it is gone. Throws when R2 is unreachable. */
export async function getAttachment(bucket: R2Bucket, key: string): Promise<Uint8Array | null> {
  const object = await bucket.get(key);
  return object ? new Uint8Array(await object.arrayBuffer()) : null;
}

/**
 * The stored file as a stream with its size, or null when it is gone; nothing
 * is buffered (the file route hands the body on). Throws when R2 is unreachable.
 */
export async function openAttachment(
  bucket: R2Bucket,
  key: string,
): Promise<{ body: ReadableStream<Uint8Array>; size: number } | null> {
  const object = await bucket.get(key);
  return object ? { body: object.body, size: object.size } : null;
}

/** Whether the file is stored, from its metadata only. Throws when R2 is unreachable. */
export async function attachmentExists(bucket: R2Bucket, key: string): Promise<boolean> {
  return (await bucket.head(key)) !== null;
}

/** Deletes files by key, in R2's batches of at most 1,000 keys. */
export async function deleteAttachments(bucket: R2Bucket, keys: string[]): Promise<void> {
  for (let i = 0; i < keys.length; i += 1000) await bucket.delete(keys.slice(i, i + 1000));
}

/** One page (at most 100) of stored files with their upload time (ms), for the orphan sweep. */
export async function listAttachments(
  bucket: R2Bucket,
  cursor: string | undefined,
): Promise<{ files: { key: string; uploaded: number }[]; cursor: string | undefined }> {
  const page = await bucket.list({ prefix: PREFIX, cursor, limit: 100 });
  return {
    files: page.objects.map((o) => ({ key: o.key, uploaded: o.uploaded.getTime() })),
    cursor: page.truncated ? page.cursor : undefined,
  };
}
