import type { InquiryFields, SpamRecord } from "../domain/inquiry.ts";
import { spamLookups } from "../store/spam.ts";
import { workerKey } from "./key.ts";
import { checkRenderToken, RENDER_TOKEN_FIELD } from "./render-token.ts";
import type { Config } from "../config/config.ts";
import { registrableDomain } from "./links.ts";
import { scoreSubmission, type SpamVerdict } from "./score.ts";

/** "Recently", for the same message from other addresses. */
export const SAME_MESSAGE_WINDOW_MS = 24 * 60 * 60_000;
/** Shorter normalised messages ("hvala za ponudbo") are sent alike by different people. */
const MIN_HASHED_LENGTH = 40;

export interface Judgement extends SpamVerdict {
  /** Hex SHA-256 of the normalised message, or null when it is too short to compare. */
  messageHash: string | null;
}

/**
 * The message as compared between submissions: links removed (a campaign
 * varies them), lower-case, letters and digits only (two customers' requests
 * that differ only in a quantity are not the same message), single spaces.
 */
export function normaliseMessage(message: string): string {
  return message
    .replace(/\bhttps?:\/\/\S+|\bwww\.\S+/gi, " ")
    .toLowerCase()
    .normalize("NFKC")
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Scores a validated submission: checks its render token, looks its address's
 * domain up on the disposable list and its message among the last day's
 * inquiries, then scores (./score.ts). `now` in ms.
 */
export async function judgeSubmission(
  db: D1Database,
  fields: InquiryFields,
  renderToken: readonly unknown[] | undefined,
  now: number,
  companyDomains: readonly string[] = [],
): Promise<Judgement> {
  const normalised = normaliseMessage(fields.message);
  const messageHash = normalised.length >= MIN_HASHED_LENGTH ? await sha256Hex(normalised) : null;
  const email = fields.email.toLowerCase();
  const domain = email.slice(email.lastIndexOf("@") + 1);
  const [render, looked] = await Promise.all([
    workerKey(db).then((key) => checkRenderToken(key, renderToken, now)),
    spamLookups(db, domain, messageHash, email, now - SAME_MESSAGE_WINDOW_MS),
  ]);
  const verdict = scoreSubmission(fields, { render, ...looked, companyDomains });
  return { ...verdict, messageHash };
}

/**
 * Registrable domains of the company's website (ALLOWED_ORIGINS) and of its
 * own addresses (MAIL_FROM, MAIL_TO): links there are the company's own.
 */
export function companyDomains(
  config: Pick<Config, "allowedOrigins" | "mailFrom" | "mailTo">,
): string[] {
  const hosts: string[] = [];
  for (const origin of config.allowedOrigins) {
    try {
      hosts.push(new URL(origin).hostname);
    } catch {
      // Not an origin: config reports it; nothing to read here.
    }
  }
  for (const mailbox of [config.mailFrom, ...config.mailTo]) {
    const address = mailbox.slice(mailbox.lastIndexOf("<") + 1).replace(">", "");
    hosts.push(address.slice(address.lastIndexOf("@") + 1));
  }
  return [...new Set(hosts.map(registrableDomain).filter(Boolean))];
}

/**
 * What intake stores about spam for one validated submission under
 * SPAM_FILTER (`config.spamFilter`): null when off. Judged spam (a strong
 * reason) in quarantine mode is marked `quarantined` (the inquiry keeps the
 * worker's origin for its release link); a suspicious one is stored to be
 * mailed, tagged (src/domain/spam-tag.ts).
 * If the look-ups fail, the inquiry is stored unscored: a customer is never
 * lost to the spam filter.
 */
export async function judgeForStore(
  db: D1Database,
  config: Pick<Config, "spamFilter" | "allowedOrigins" | "mailFrom" | "mailTo">,
  fields: InquiryFields,
  raw: { fields: Map<string, unknown[]> },
  deps: { now: number },
): Promise<SpamRecord | null> {
  const mode = config.spamFilter;
  if (mode === "off") return null;
  let judged: Judgement;
  try {
    judged = await judgeSubmission(
      db,
      fields,
      raw.fields.get(RENDER_TOKEN_FIELD),
      deps.now,
      companyDomains(config),
    );
  } catch (err) {
    console.error(`spam scoring failed: ${err instanceof Error ? err.name : "error"}`);
    return null;
  }
  const quarantined = judged.verdict === "spam" && mode === "quarantine";
  return {
    score: judged.score,
    reasons: judged.reasons,
    messageHash: judged.messageHash,
    quarantined,
  };
}
