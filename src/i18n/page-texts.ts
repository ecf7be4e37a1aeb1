/** The reference pages' own words, in every language the worker speaks. */
export const PAGE_TEXTS = {
  title: { sl: "Povpraševanje", en: "Inquiry" },
  intro: {
    sl: "Opišite, kaj potrebujete, in odgovorili vam bomo čim prej. Polja z * so obvezna.",
    en: "Tell us what you need and we will answer as soon as we can. Fields marked * are required.",
  },
  choose: { sl: "Izberite storitev", en: "Choose a service" },
  attachmentHint: {
    sl: "Neobvezno, ena datoteka do {max}: {types}.",
    en: "Optional, one file up to {max}: {types}.",
  },
  send: { sl: "Pošlji povpraševanje", en: "Send inquiry" },
  sending: { sl: "Pošiljanje …", en: "Sending …" },
  privacy: {
    sl: "Vaše podatke uporabimo le za odgovor na povpraševanje in jih izbrišemo po 24 mesecih, če ne pride do sodelovanja.",
    en: "We use your data only to answer your inquiry and delete them after 24 months if no business follows.",
  },
  honeypot: { sl: "Tega polja ne izpolnjujte", en: "Leave this field empty" },
  thanksTitle: { sl: "Hvala za povpraševanje", en: "Thank you for your inquiry" },
  thanksBody: {
    sl: "Vaše povpraševanje smo prejeli in shranili. Odgovorili vam bomo na navedeni e-poštni naslov.",
    en: "We have received and stored your inquiry. We will answer to the e-mail address you gave.",
  },
  back: { sl: "Nazaj na obrazec", en: "Back to the form" },
  backHint: {
    sl: "Vnosi v obrazcu so ohranjeni, če se vrnete z gumbom Nazaj v brskalniku.",
    en: "Your entries are kept if you return with your browser's Back button.",
  },
  errorTitle: {
    sl: "Povpraševanja ni bilo mogoče sprejeti",
    en: "The inquiry could not be accepted",
  },
  networkError: {
    sl: "Povezava ni uspela. Preverite internetno povezavo in poskusite znova.",
    en: "The connection failed. Please check your internet connection and try again.",
  },
  other: { sl: "English", en: "Slovenščina" },
} as const;
