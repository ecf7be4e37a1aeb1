/** Attachment bytes live in R2 under a key derived from the inquiry id only. */
export function attachmentKey(inquiryId: string): string {
  return `attachments/${inquiryId}`;
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
