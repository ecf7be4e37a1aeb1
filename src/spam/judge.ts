import type { InquiryFields, SpamRecord } from "../domain/inquiry.ts";
import { addressKey } from "../domain/address.ts";
import type { SpamLookupKey, SpamLookups } from "../store/spam-lookups.ts";
import { workerKey } from "./key.ts";
import { checkRenderToken, RENDER_TOKEN_FIELD } from "./render-token.ts";
import type { Config } from "../config/config.ts";
import { loadPublicSuffixes, registrableDomain } from "./links.ts";
import { scoreSubmission, type SpamFacts, type SpamVerdict } from "./score.ts";

/** "Recently", for the same message from other addresses. */
export const SAME_MESSAGE_WINDOW_MS = 24 * 60 * 60_000;
/** Shorter normalised messages ("hvala za ponudbo") are sent alike by different people. */
const MIN_HASHED_LENGTH = 40;

export interface Judgement extends SpamVerdict {
  /** Hex SHA-256 of the normalised message, or null when it is too short to compare. */
  messageHash: string | null;
  /** The facts it was scored on: the look-ups' as if they found nothing. */
  facts: SpamFacts;
  /** What the look-ups are to be asked (store/spam-lookups.ts). */
  lookups: SpamLookupKey;
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
 * Scores a validated submission on everything but storage's look-ups: checks
 * its render token, then scores (./score.ts) as if its address's domain were
 * not disposable and no other address had sent its message. Returns that
 * score and the look-ups' key; `rescore` finishes it once the look-ups found
 * something (store/spam-lookups.ts). `now` in ms. The public suffix list
 * must be loaded (`loadPublicSuffixes`, as `judgeForStore` does).
 */
async function judgeSubmission(
  db: D1Database,
  fields: InquiryFields,
  renderToken: readonly unknown[] | undefined,
  now: number,
  companyDomains: readonly string[] = [],
): Promise<Judgement> {
  const normalised = normaliseMessage(fields.message);
  const messageHash = normalised.length >= MIN_HASHED_LENGTH ? await sha256Hex(normalised) : null;
  const email = fields.email.toLowerCase();
  const render = await checkRenderToken(await workerKey(db), renderToken, now);
  const facts = { render, companyDomains, disposableDomain: false, sameMessageAddresses: 0 };
  return {
    ...scoreSubmission(fields, facts),
    messageHash,
    facts,
    lookups: {
      domain: email.slice(email.lastIndexOf("@") + 1),
      messageHash,
      emailKey: addressKey(fields.email),
      since: now - SAME_MESSAGE_WINDOW_MS,
    },
  };
}

/** `judged` scored again with what the look-ups found. */
export function rescore(fields: InquiryFields, judged: Judgement, found: SpamLookups): SpamVerdict {
  return scoreSubmission(fields, { ...judged.facts, ...found });
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

/** What intake stores about spam for one submission, and how to finish it. */
export interface SpamDraft {
  /** Stored when the look-ups find nothing, as for almost every inquiry. */
  record: SpamRecord;
  /** What the store looks up, in the same write (store/inquiries.ts `spamCheck`). */
  lookups: SpamLookupKey;
  /** The record once the look-ups found `facts`. */
  given(facts: SpamLookups): SpamRecord;
}

/**
 * What intake stores about spam for one validated submission under
 * SPAM_FILTER (`config.spamFilter`): null when off. Judged spam (a strong
 * reason) in quarantine mode is marked `quarantined` (the inquiry keeps the
 * worker's origin for its release link); a suspicious one is stored to be
 * mailed, tagged (src/domain/spam-tag.ts).
 * If the render token's key cannot be read, the inquiry is stored unscored:
 * a customer is never lost to the spam filter.
 */
export async function judgeForStore(
  db: D1Database,
  config: Pick<Config, "spamFilter" | "allowedOrigins" | "mailFrom" | "mailTo">,
  fields: InquiryFields,
  raw: { fields: Map<string, unknown[]> },
  deps: { now: number },
): Promise<SpamDraft | null> {
  const mode = config.spamFilter;
  if (mode === "off") return null;
  let judged: Judgement;
  try {
    // Once per isolate: the company's domains and the score read domains with it.
    await loadPublicSuffixes();
    judged = await judgeSubmission(
      db,
      fields,
      raw.fields.get(RENDER_TOKEN_FIELD),
      deps.now,
      companyDomainsOf(config),
    );
  } catch (err) {
    console.error(`spam scoring failed: ${err instanceof Error ? err.name : "error"}`);
    return null;
  }
  const record = (v: SpamVerdict): SpamRecord => ({
    score: v.score,
    reasons: v.reasons,
    messageHash: judged.messageHash,
    quarantined: v.verdict === "spam" && mode === "quarantine",
  });
  return {
    record: record(judged),
    lookups: judged.lookups,
    given: (facts) => record(rescore(fields, judged, facts)),
  };
}

/** `companyDomains` once per configuration (it is read once per isolate). */
const companyDomainsCache = new WeakMap<object, string[]>();

function companyDomainsOf(
  config: Pick<Config, "allowedOrigins" | "mailFrom" | "mailTo">,
): string[] {
  let domains = companyDomainsCache.get(config);
  if (!domains) {
    domains = companyDomains(config);
    companyDomainsCache.set(config, domains);
  }
  return domains;
}
