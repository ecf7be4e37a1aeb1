import type { Lang } from "./lang.ts";

/** The reference pages' own words, in every language the worker speaks. */
export const PAGE_TEXTS = {
  title: { sl: "Povpraševanje", en: "Inquiry" },
  intro: {
    sl: "Opišite, kaj potrebujete, in odgovorili vam bomo čim prej. Polja z * so obvezna.",
    en: "Tell us what you need and we will answer as soon as we can. Fields marked * are required.",
  },
  choose: { sl: "Izberite storitev", en: "Choose a service" },
  chooseOption: { sl: "Izberite", en: "Choose" },
  privacyLink: { sl: "Obvestilo o varstvu osebnih podatkov", en: "Privacy notice" },
  attachmentHint: {
    sl: "Neobvezno, ena datoteka do {max}: {types}.",
    en: "Optional, one file up to {max}: {types}.",
  },
  send: { sl: "Pošlji povpraševanje", en: "Send inquiry" },
  sending: { sl: "Pošiljanje …", en: "Sending …" },
  honeypot: { sl: "Tega polja ne izpolnjujte", en: "Leave this field empty" },
  thanksTitle: { sl: "Hvala za povpraševanje", en: "Thank you for your inquiry" },
  thanksBody: {
    sl: "Vaše povpraševanje smo prejeli in shranili. Odgovorili vam bomo na navedeni e-poštni naslov.",
    en: "We have received and stored your inquiry. We will answer to the e-mail address you gave.",
  },
  back: { sl: "Nazaj na obrazec", en: "Back to the form" },
  backToSite: { sl: "Nazaj na spletno stran", en: "Back to the website" },
  backHint: {
    sl: "Vnosi v obrazcu so ohranjeni, če se vrnete z gumbom Nazaj v brskalniku.",
    en: "Your entries are kept if you return with your browser's Back button.",
  },
  errorTitle: {
    sl: "Povpraševanja ni bilo mogoče sprejeti",
    en: "The inquiry could not be accepted",
  },
  unconfirmed: {
    sl: "Ne moremo potrditi, da je povpraševanje prispelo: povezava se je prekinila. Vneseni podatki so ohranjeni; ponovno pošiljanje je varno, ne bo prispelo dvakrat.",
    en: "We could not confirm that your inquiry arrived: the connection broke off. What you typed is kept; sending again is safe, it will not arrive twice.",
  },
  networkError: {
    sl: "Povezava ni uspela. Vneseni podatki so ohranjeni: preverite internetno povezavo in poskusite znova.",
    en: "The connection failed. What you typed is kept: please check your internet connection and try again.",
  },
  other: { sl: "English", en: "Slovenščina" },
  errorPrefix: { sl: "Napaka", en: "Error" },
  chooseFileAgain: {
    sl: "Datoteko izberite znova: brskalnik je ob pošiljanju ne more ohraniti.",
    en: "Please choose the file again: the browser cannot keep it after sending.",
  },
} as const;

/**
 * The form's promise about keeping data, with the configured RETENTION_MONTHS,
 * so the page never says a different period than the purge keeps.
 */
export function privacyNotice(lang: Lang, months: number): string {
  if (lang === "sl") {
    // Slovenian locative: "po 1 mesecu", "po 21 mesecih", "po 101 mesecu".
    const unit = months % 100 === 1 ? "mesecu" : "mesecih";
    return `Vaše podatke uporabimo le za odgovor na povpraševanje in jih izbrišemo po ${months} ${unit}, če ne pride do sodelovanja.`;
  }
  const unit = months === 1 ? "month" : "months";
  return `We use your data only to answer your inquiry and delete them after ${months} ${unit} if no business follows.`;
}
