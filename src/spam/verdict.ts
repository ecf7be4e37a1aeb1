/**
 * The three outcomes of spam scoring and how they follow from
 * a score and its reason codes. Kept apart from the scorer so that mail
 * composition can tell, from what is stored, how a past inquiry was judged.
 *
 * - `spam`: at least one strong reason. Quarantined under SPAM_FILTER=quarantine.
 * - `suspicious`: no strong reason, score ≥ TAG_THRESHOLD. Mailed with `[SPAM?]`.
 * - `clean`: mailed as usual.
 */

export type Verdict = "clean" | "suspicious" | "spam";

/** Reason codes, as the operator and the staff see them. */
export type SpamReason =
  // strong
  | "link_markup"
  | "name_url"
  | "link_deceptive"
  | "disposable_link"
  | "campaign"
  | "form_probe"
  // weak
  | "link"
  | "name_address"
  | "many_links"
  | "link_cloaked"
  | "link_defanged"
  | "click_request"
  | "disposable_email"
  | "same_message"
  | "other_contact"
  | "gibberish"
  | "short_with_link"
  | "seo_terms"
  | "scam_terms"
  | "pitch_terms"
  | "too_fast"
  | "token_forged"
  | "token_expired"
  | "no_token";

/**
 * Evidence that no real customer leaves by accident: link markup, a link as
 * the name, a deceptive link, a disposable address sending a link, the same
 * message with a link from several addresses, random strings in every field.
 */
const STRONG: ReadonlySet<string> = new Set<SpamReason>([
  "link_markup",
  "name_url",
  "link_deceptive",
  "disposable_link",
  "campaign",
  "form_probe",
]);

/** Weak signals adding up to this score make a submission suspicious: mailed, tagged. */
export const TAG_THRESHOLD = 4;

/** Whether a reason code (as stored) is strong evidence on its own. */
export function isStrong(reason: string): boolean {
  return STRONG.has(reason);
}

/** The verdict for a score and its reason codes (codes of older versions count as weak). */
export function verdictOf(score: number, reasons: readonly string[]): Verdict {
  if (reasons.some(isStrong)) return "spam";
  return score >= TAG_THRESHOLD ? "suspicious" : "clean";
}
