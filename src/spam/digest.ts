import type { Config } from "../config/config.ts";
import type { Lang } from "../i18n/lang.ts";
import type { MailMessage } from "../mail/compose.ts";
import { headerSafe } from "../mail/compose.ts";
import type { Sender } from "../mail/send.ts";
import { escapeHtml } from "../pages/html.ts";
import {
  getState,
  listUndigested,
  markDigested,
  setState,
  type QuarantinedRow,
} from "../store/spam.ts";
import { workerKey } from "./key.ts";
import { releasePath } from "./release.ts";

/** At most this many inquiries per digest; the rest wait for the next day's. */
export const DIGEST_LIMIT = 100;
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
    sl: "(povezave ni: sprostite ga z `npm run admin` ali POST /admin/deliveries/retry)",
    en: "(no link: release it with `npm run admin` or POST /admin/deliveries/retry)",
  },
  footer: {
    sl: "Nesproščena se izbrišejo po",
    en: "Those not released are deleted after",
  },
  days: { sl: "dneh", en: "days" },
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
}

export type DigestOutcome = "sent" | "not_due" | "nothing_new" | "failed";

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
  const day = dayOf(now);
  if ((await getState(db, "digest_day")) === day) return "not_due";
  const dayStart = Date.parse(`${day}T00:00:00Z`);
  const rows = await listUndigested(db, dayStart, DIGEST_LIMIT);
  if (rows.length === 0) {
    await setState(db, "digest_day", day);
    return "nothing_new";
  }
  const key = await workerKey(db);
  // Each release link points where that inquiry reached the worker (no request here to ask).
  const links = await Promise.all(
    rows.map(async (r) =>
      r.worker_origin ? r.worker_origin + (await releasePath(key, r.id)) : null,
    ),
  );
  const message = composeDigest(rows, links, deps.config);
  const result = await deps.send(message, `spam-digest-${day}`);
  if (!result.ok) {
    console.error(`spam digest not sent (${result.status ?? "network"}:${result.name})`);
    return "failed";
  }
  // A lost mark lists them again tomorrow: twice is better than never. Beyond
  // the limit, the rest stay unmarked for the next day's digest.
  await markDigested(
    db,
    rows.map((r) => r.id),
    now,
  );
  await setState(db, "digest_day", day);
  return "sent";
}

/** The digest mail, in the company's language (DEFAULT_LANG); every value escaped in HTML. */
export function composeDigest(
  rows: readonly QuarantinedRow[],
  links: readonly (string | null)[],
  config: Config,
): MailMessage {
  const lang: Lang = config.defaultLang;
  const t = <K extends keyof typeof T>(k: K) => T[k][lang] as string;
  const excerpt = (m: string) => {
    const chars = [...m.replace(/\s+/g, " ").trim()];
    return chars.length > EXCERPT_CHARS
      ? chars.slice(0, EXCERPT_CHARS).join("") + "…"
      : chars.join("");
  };
  const when = (ms: number) => new Date(ms).toISOString().replace("T", " ").slice(0, 16) + " UTC";
  const items = rows.map((r, i) => ({
    fields: [
      [t("service"), r.service],
      [t("name"), r.name],
      [t("email"), r.email],
      [t("reasons"), (r.spam_reasons ?? "").split(",").join(", ")],
      [t("received"), when(r.created_at)],
      [t("message"), excerpt(r.message)],
    ] as const,
    link: links[i] ?? null,
  }));
  const footer = `${t("footer")} ${config.spamRetentionDays} ${t("days")}.`;

  const text = [
    t("intro"),
    "",
    ...items.flatMap((it, i) => [
      `${i + 1}.`,
      ...it.fields.map(([k, v]) => `${k}: ${v}`),
      it.link ? `${t("release")}: ${it.link}` : t("noLink"),
      "",
    ]),
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
