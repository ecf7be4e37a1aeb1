import type { Config } from "../config/config.ts";
import type { NewInquiry } from "../domain/inquiry.ts";
import { SPAM_THRESHOLD } from "./score.ts";

/**
 * Tag mode (SPAM_FILTER=tag): every scored inquiry is mailed as
 * usual with an `X-Spam-Score` header (the score and its reason codes, for a
 * mail-client rule); one judged spam also gets `[SPAM?] ` before its subject.
 */
export function tagPrefix(inquiry: NewInquiry, config: Config): string {
  return config.spamFilter === "tag" && inquiry.spam && inquiry.spam.score >= SPAM_THRESHOLD
    ? "[SPAM?] "
    : "";
}

export function spamTag(inquiry: NewInquiry, config: Config): { headers?: Record<string, string> } {
  if (config.spamFilter !== "tag" || !inquiry.spam) return {};
  const reasons = inquiry.spam.reasons.length ? ` (${inquiry.spam.reasons.join(", ")})` : "";
  return { headers: { "X-Spam-Score": `${inquiry.spam.score}${reasons}` } };
}
