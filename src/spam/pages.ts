import type { Lang } from "../i18n/lang.ts";
import { html, type SafeHtml } from "../pages/html.ts";
import { layout } from "../pages/layout.ts";
import type { QuarantinedRow } from "../store/spam.ts";

/** The release pages, for the company's staff, in DEFAULT_LANG. */
const T = {
  confirmTitle: { sl: "Sprostim to povpraševanje?", en: "Release this inquiry?" },
  confirmBody: {
    sl: "Povpraševanje je bilo zadržano kot sum na neželeno pošto. Če ga sprostite, bo v nekaj minutah poslano kot vsako drugo.",
    en: "This inquiry was held as suspected spam. If you release it, it is mailed like any other within minutes.",
  },
  service: { sl: "Storitev", en: "Service" },
  received: { sl: "Prejeto", en: "Received" },
  reasons: { sl: "Razlogi", en: "Reasons" },
  button: { sl: "Sprosti in pošlji", en: "Release and mail" },
  doneTitle: { sl: "Sproščeno", en: "Released" },
  doneBody: {
    sl: "Povpraševanje bo poslano ob naslednjem rednem zagonu (v nekaj minutah).",
    en: "The inquiry will be mailed on the next scheduled run (within minutes).",
  },
  deadTitle: { sl: "Povezava ne velja več", en: "This link no longer works" },
  deadBody: {
    sl: "Povpraševanje je bilo že sproščeno, zavrnjeno ali izbrisano, ali pa povezava ni prava.",
    en: "The inquiry was already released, dismissed or deleted, or the link is not right.",
  },
} as const;

export function releaseConfirmPage(lang: Lang, row: QuarantinedRow, action: string): SafeHtml {
  const received = new Date(row.created_at).toISOString().replace("T", " ").slice(0, 16) + " UTC";
  return layout(
    lang,
    T.confirmTitle[lang],
    html`<h1>${T.confirmTitle[lang]}</h1>
      <p>${T.confirmBody[lang]}</p>
      <dl>
        <dt>${T.service[lang]}</dt>
        <dd>${row.service}</dd>
        <dt>${T.received[lang]}</dt>
        <dd>${received}</dd>
        <dt>${T.reasons[lang]}</dt>
        <dd>${(row.spam_reasons ?? "").split(",").join(", ")}</dd>
      </dl>
      <form method="post" action="${action}">
        <button type="submit">${T.button[lang]}</button>
      </form>`,
  );
}

export function releasedPage(lang: Lang): SafeHtml {
  return layout(
    lang,
    T.doneTitle[lang],
    html`<h1>${T.doneTitle[lang]}</h1>
      <p>${T.doneBody[lang]}</p>`,
  );
}

export function releaseDeadPage(lang: Lang): SafeHtml {
  return layout(
    lang,
    T.deadTitle[lang],
    html`<h1>${T.deadTitle[lang]}</h1>
      <p>${T.deadBody[lang]}</p>`,
  );
}
