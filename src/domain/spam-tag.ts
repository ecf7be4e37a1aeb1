import type { NewInquiry } from "./inquiry.ts";

/**
 * How the spam verdict reaches the staff's mail: the vocabulary both the
 * scorer (src/spam/) and the mail (src/mail/) use, kept here at the bottom so
 * the mail need not import the spam feature that sits above it.
 */

/** A summed score from this up is judged spam. */
export const SPAM_THRESHOLD = 5;

/** What a submission judged spam gets: `SPAM_FILTER`. */
export type SpamFilter = "quarantine" | "tag" | "off";

/**
 * Tag mode (SPAM_FILTER=tag): every scored inquiry is mailed as usual with an
 * `X-Spam-Score` header (the score and its reason codes, for a mail-client
 * rule); one judged spam also gets `[SPAM?] ` before its subject.
 */
export function tagPrefix(inquiry: NewInquiry, spamFilter: SpamFilter): string {
  return spamFilter === "tag" && inquiry.spam && inquiry.spam.score >= SPAM_THRESHOLD
    ? "[SPAM?] "
    : "";
}

/** The `X-Spam-Score` header in tag mode, as Resend's `headers` takes it; `{}` otherwise. */
export function spamTag(
  inquiry: NewInquiry,
  spamFilter: SpamFilter,
): { headers?: Record<string, string> } {
  if (spamFilter !== "tag" || !inquiry.spam) return {};
  const reasons = inquiry.spam.reasons.length ? ` (${inquiry.spam.reasons.join(", ")})` : "";
  return { headers: { "X-Spam-Score": `${inquiry.spam.score}${reasons}` } };
}
