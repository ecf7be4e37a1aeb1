import type { Config } from "../config/config.ts";
import type { Lang } from "../i18n/lang.ts";
import type { MailMessage } from "../mail/compose.ts";
import { headerSafe, staffTime } from "../mail/compose.ts";
import { serviceLabel } from "../domain/form.ts";
import { reasonText } from "../domain/spam-tag.ts";
import type { Sender } from "../mail/send.ts";
import { escapeHtml } from "../pages/html.ts";
import { Allowance } from "../schedule/budget.ts";
import {
  finishDigest,
  getStates,
  listUndigested,
  markDigested,
  setState,
  UNLISTED_PURGED,
  type QuarantinedRow,
} from "../store/spam.ts";
import { workerKey } from "./key.ts";
import { releasePath } from "./release.ts";

/** At most this many inquiries per digest, the newest; the digest says how many more wait. */
export const DIGEST_LIMIT = 100;
/**
 * Quarantined inquiries past SPAM_RETENTION_DAYS that no digest has listed are
 * kept until one lists them, but no more than this many (a flood's bound on
 * D1): beyond it the oldest go, and the next digest says how many.
 */
export const SPAM_UNLISTED_KEEP = 5000;
/** How much of each message the digest shows. */
const EXCERPT_CHARS = 200;
const DAY_MS = 24 * 60 * 60_000;

const T = {
  subject: {
    sl: (n: number) => `Zadržana povpraševanja (sum na neželeno pošto): ${n}`,
    en: (n: number) => `Inquiries held as suspected spam: ${n}`,
  },
  intro: {
    sl: "Ta povpraševanja so bila shranjena, a ne poslana, ker so videti kot neželena pošta. Če je katero pravo, odprite njegovo povezavo in ga sprostite: poslano bo kot običajno.",
    en: "These inquiries were stored but not mailed, as they look like spam. If one is real, open its link and release it: it is then mailed as usual.",
  },
  service: { sl: "Storitev", en: "Service" },
  name: { sl: "Ime", en: "Name" },
  email: { sl: "E-pošta", en: "E-mail" },
  reasons: { sl: "Razlogi", en: "Reasons" },
  received: { sl: "Prejeto", en: "Received" },
  message: { sl: "Začetek sporočila", en: "Start of the message" },
  release: { sl: "Preglej in sprosti", en: "Review and release" },
  noLink: {
    sl: "(povezave ni, ker PUBLIC_URL ni nastavljen: sprostite ga v skrbniški konzoli /admin/)",
    en: "(no link, as PUBLIC_URL is not set: release it in the operator console, /admin/)",
  },
  footer: {
    sl: "Nesproščena se izbrišejo po",
    en: "Those not released are deleted after",
  },
  days: { sl: "dneh", en: "days" },
  more: {
    sl: (n: number) =>
      `Čaka še ${n} starejših, ki jih ta seznam ne navaja: vsa zadržana so v \`npm run admin\` in GET /admin/deliveries?status=quarantined (najnovejša najprej).`,
    en: (n: number) =>
      `${n} older ones wait that this list does not show: all held ones are in \`npm run admin\` and GET /admin/deliveries?status=quarantined (newest first).`,
  },
  purgedUnlisted: {
    sl: (n: number, days: number) =>
      `${n} zadržanih je bilo izbrisanih, ne da bi jih kateri povzetek navedel: starejših od ${days} dni in nenavedenih jih je čakalo več kot ${SPAM_UNLISTED_KEEP}.`,
    en: (n: number, days: number) =>
      `${n} held inquiries were deleted without any digest listing them: more than ${SPAM_UNLISTED_KEEP} unlisted ones older than ${days} days were waiting.`,
  },
} as const;

/** The UTC calendar day of `ms`, `YYYY-MM-DD`. */
export function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export interface DigestDeps {
  db: D1Database;
  config: Config;
  send: Sender;
  /** The scheduled run's time, ms. */
  now: number;
  /** Calls this run's digest may make (schedule/budget.ts); unbounded when not given. */
  allowance?: Allowance;
}

/** `deferred`: due, but this run's allowance could not pay for it; a later run sends it. */
export type DigestOutcome = "sent" | "not_due" | "nothing_new" | "failed" | "deferred";

/**
 * The daily spam digest: on the first scheduled run of a UTC
 * day, the quarantined inquiries no digest has listed yet, received before
 * that day began, are mailed to MAIL_TO in one message, each with its release
 * link, and marked as listed once Resend accepts it. Marks, not a time cut:
 * an inquiry dated before the cut but stored after the list was read, or held
 * and released later, is in the next digest instead of none. A retry later
 * that day (Resend down) sends under the same Idempotency-Key
 * (`spam-digest-<day>`), so Resend sends one digest a day. Nothing new: no mail.
 */
export async function sendSpamDigest(deps: DigestDeps): Promise<DigestOutcome> {
  const { db, now } = deps;
  const allowance = deps.allowance ?? new Allowance(Number.POSITIVE_INFINITY);
  const day = dayOf(now);
  if (!allowance.take(1)) return "deferred";
  const state = await getStates(db, ["digest_day", UNLISTED_PURGED]);
  if (state.get("digest_day") === day) return "not_due";
  // The list, the worker's key, the send, the marks, and the day's record.
  if (!allowance.take(5)) return "deferred";
  const dayStart = Date.parse(`${day}T00:00:00Z`);
  const { rows, waiting } = await listUndigested(db, dayStart, DIGEST_LIMIT);
  const purgedUnlisted = Number(state.get(UNLISTED_PURGED) ?? 0) || 0;
  if (rows.length === 0 && purgedUnlisted === 0) {
    await setState(db, "digest_day", day);
    return "nothing_new";
  }
  // Release links start with PUBLIC_URL, never with what a request named as Host
  // (a forged Host would put another site's address in the staff's mail). Without it, none.
  const origin = deps.config.publicUrl;
  const key = origin ? await workerKey(db) : null;
  const links = await Promise.all(
    rows.map(async (r) => (origin && key ? origin + (await releasePath(key, r.id)) : null)),
  );
  const message = composeDigest(rows, links, deps.config, {
    more: waiting - rows.length,
    purgedUnlisted,
  });
  const result = await deps.send(message, `spam-digest-${day}`);
  if (!result.ok) {
    console.error(`spam digest not sent (${result.status ?? "network"}:${result.name})`);
    return "failed";
  }
  // A lost mark lists them again tomorrow: twice is better than never. Beyond
  // the limit, the rest stay unmarked for a later digest, newest first.
  await markDigested(
    db,
    rows.map((r) => r.id),
    now,
  );
  await finishDigest(db, day, purgedUnlisted);
  return "sent";
}

/** What the digest says besides its list: how many more wait, how many a flood deleted unlisted. */
export interface DigestNotes {
  more: number;
  purgedUnlisted: number;
}

/** The digest mail, in the company's language (DEFAULT_LANG); every value escaped in HTML. */
export function composeDigest(
  rows: readonly QuarantinedRow[],
  links: readonly (string | null)[],
  config: Config,
  notes: DigestNotes = { more: 0, purgedUnlisted: 0 },
): MailMessage {
  const lang: Lang = config.defaultLang;
  const t = <K extends keyof typeof T>(k: K) => T[k][lang] as string;
  const excerpt = (m: string) => {
    const chars = [...m.replace(/\s+/g, " ").trim()];
    return chars.length > EXCERPT_CHARS
      ? chars.slice(0, EXCERPT_CHARS).join("") + "…"
      : chars.join("");
  };
  // Times on the staff's clock and services by their names, as in the inquiry mail.
  const when = (ms: number) => staffTime(ms, config.form.timezone);
  const items = rows.map((r, i) => ({
    fields: [
      [t("service"), serviceLabel(config.form, r.service, lang)],
      [t("name"), r.name],
      [t("email"), r.email],
      // In the staff's words, as a tagged mail names them.
      [
        t("reasons"),
        (r.spam_reasons ?? "")
          .split(",")
          .filter(Boolean)
          .map((code) => reasonText(code, lang))
          .join(", "),
      ],
      [t("received"), when(r.created_at)],
      [t("message"), excerpt(r.message)],
    ] as const,
    link: links[i] ?? null,
  }));
  const footer = `${t("footer")} ${config.spamRetentionDays} ${t("days")}.`;
  const extra = [
    notes.more > 0 ? T.more[lang](notes.more) : null,
    notes.purgedUnlisted > 0
      ? T.purgedUnlisted[lang](notes.purgedUnlisted, config.spamRetentionDays)
      : null,
  ].filter((x): x is string => x !== null);

  const text = [
    t("intro"),
    "",
    ...items.flatMap((it, i) => [
      `${i + 1}.`,
      ...it.fields.map(([k, v]) => `${k}: ${v}`),
      it.link ? `${t("release")}: ${it.link}` : t("noLink"),
      "",
    ]),
    ...extra.flatMap((x) => [x, ""]),
    footer,
  ].join("\n");

  const html = `<!doctype html><html lang="${lang}"><body style="font-family:sans-serif">
<p>${escapeHtml(t("intro"))}</p>
${items
  .map(
    (
      it,
    ) => `<table cellpadding="4" style="border-collapse:collapse;margin:1em 0;border-top:1px solid #ccc">
${it.fields.map(([k, v]) => `<tr><th align="left" valign="top">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join("\n")}
<tr><td colspan="2">${it.link ? `<a href="${escapeHtml(it.link)}">${escapeHtml(t("release"))}</a>` : escapeHtml(t("noLink"))}</td></tr>
</table>`,
  )
  .join("\n")}
${extra.map((x) => `<p><strong>${escapeHtml(x)}</strong></p>`).join("\n")}
<p style="color:#555;font-size:small">${escapeHtml(footer)}</p>
</body></html>`;

  return {
    from: config.mailFrom,
    to: config.mailTo,
    subject: headerSafe(T.subject[lang](rows.length)),
    text,
    html,
  };
}

/** Quarantined inquiries left after SPAM_RETENTION_DAYS days, as the purge counts them. */
export function spamCutoff(now: number, days: number): number {
  return now - days * DAY_MS;
}
