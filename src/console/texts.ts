import type { FieldDef } from "../domain/fields.ts";
import type { Lang } from "../i18n/lang.ts";

type Texts = Record<Lang, string>;

/**
 * How long D1 Time Travel can restore a database to an earlier minute, by
 * Workers plan (Cloudflare D1 "Limits": 7 days on Free, 30 days on Paid;
 * developers.cloudflare.com/d1/platform/limits/): an erased inquiry lives on
 * in that history until the window has passed.
 */
export const TIME_TRAVEL_DAYS = { free: 7, paid: 30 } as const;

/** The console's own words; `{name}` placeholders are filled by its script. */
export const CONSOLE_TEXTS = {
  title: { sl: "Konzola za upravljanje povpraševanj", en: "Inquiry operator console" },
  otherLang: { sl: "English", en: "Slovenščina" },
  signInTitle: { sl: "Prijava", en: "Sign in" },
  signInIntro: {
    sl: "Vnesite skrivni žeton ADMIN_TOKEN. Ostane le v tem zavihku in se izbriše, ko ga zaprete.",
    en: "Enter the secret ADMIN_TOKEN. It stays in this tab only and is forgotten when you close it.",
  },
  tokenLabel: { sl: "Žeton (ADMIN_TOKEN)", en: "Token (ADMIN_TOKEN)" },
  signIn: { sl: "Prijava", en: "Sign in" },
  signOut: { sl: "Odjava", en: "Sign out" },
  signedInAccess: {
    sl: "Prijavljeni ste prek Cloudflare Access.",
    en: "You are signed in through Cloudflare Access.",
  },
  signedIn: { sl: "Prijava uspela.", en: "Signed in." },
  wrongToken: {
    sl: "Žeton ni pravi. Neuspele prijave se štejejo; po desetih v minuti počakajte minuto.",
    en: "That token is not right. Failed sign-ins are counted; after ten in a minute, wait a minute.",
  },
  tooMany: {
    sl: "Preveč neuspelih prijav. Počakajte minuto in poskusite znova.",
    en: "Too many failed sign-ins. Wait a minute and try again.",
  },
  network: {
    sl: "Strežnik se ni odzval. Preverite povezavo in poskusite znova.",
    en: "The server did not answer. Check the connection and try again.",
  },
  loading: { sl: "Nalaganje …", en: "Loading …" },
  nav: { sl: "Razdelki", en: "Sections" },
  refresh: { sl: "Osveži", en: "Refresh" },

  healthTitle: { sl: "Stanje", en: "Health" },
  healthOk: {
    sl: "Vse deluje: povpraševanja se shranjujejo in pošiljajo.",
    en: "All is well: inquiries are stored and mailed.",
  },
  healthProblems: { sl: "Težave, ki jih je treba odpraviti", en: "Problems to fix" },
  healthWarnings: { sl: "Opozorila", en: "Warnings" },
  todo: { sl: "Kaj storiti", en: "What to do" },
  setting: { sl: "Nastavitev", en: "Setting" },
  todo_deliveries_failed: {
    sl: "Pošte ni bilo mogoče poslati. Spodaj pri pošiljanjih preberite razlog, odpravite vzrok (npr. ključ Resend, domena pošiljatelja) in izberite »Pošlji znova« ali »Opusti«.",
    en: "Mail could not be sent. Read the reason under Deliveries below, fix the cause (e.g. the Resend key, the sender's domain), then choose “Send again” or “Dismiss”.",
  },
  todo_deliveries_bounced: {
    sl: "Nabiralnik osebja je zavrnil pošto. Preverite naslov v MAIL_TO in nabiralnik, nato pri pošiljanjih izberite »Pošlji znova« ali »Opusti«.",
    en: "The staff mailbox refused a mail. Check the address in MAIL_TO and the mailbox, then under Deliveries choose “Send again” or “Dismiss”.",
  },
  todo_delivery_waiting: {
    sl: "Povpraševanje že več kot uro čaka na pošiljanje. Preverite, ali je RESEND_API_KEY nastavljen in ali Resend deluje; razlog je pri pošiljanjih s stanjem »Čaka«.",
    en: "An inquiry has waited more than an hour for its mail. Check that RESEND_API_KEY is set and Resend works; the reason is under Deliveries, “Waiting”.",
  },
  todo_storage_unavailable: {
    sl: "Baze povpraševanj ni mogoče brati, zato se nova ne shranjujejo. Preverite vezavo D1 »DB« v nadzorni plošči Cloudflare.",
    en: "The inquiries database cannot be read, so new ones are not stored. Check the D1 binding “DB” in the Cloudflare dashboard.",
  },
  todo_config: {
    sl: "Popravite nastavitev {name} v wrangler.toml ali kot skrivnost (npx wrangler secret put {name}) in znova namestite.",
    en: "Correct the setting {name} in wrangler.toml or as a secret (npx wrangler secret put {name}) and deploy again.",
  },
  counts: { sl: "Povpraševanja po stanju pošiljanja", en: "Inquiries by delivery state" },

  deliveriesTitle: { sl: "Pošiljanja", en: "Deliveries" },
  deliveriesIntro: {
    sl: "Pošta osebju, ki ni prišla ali čaka. Najnovejša najprej.",
    en: "Mail to the staff that did not get through or is waiting. Newest first.",
  },
  statusLabel: { sl: "Prikaži", en: "Show" },
  status_failed: { sl: "Neuspela", en: "Failed" },
  status_bounced: { sl: "Zavrnjena", en: "Bounced" },
  status_pending: { sl: "Čaka", en: "Waiting" },
  status_quarantined: { sl: "V karanteni (sum na nezaželeno)", en: "Quarantined (suspected spam)" },
  status_sent: { sl: "Poslano", en: "Sent" },
  status_delivered: { sl: "Dostavljeno", en: "Delivered" },
  status_dismissed: { sl: "Opuščeno", en: "Dismissed" },
  status_held: { sl: "Zadržano (omejena obdelava)", en: "Held (restricted)" },
  show: { sl: "Prikaži", en: "Show" },
  noDeliveries: { sl: "Ni takih pošiljanj.", en: "No such deliveries." },
  more: { sl: "Naslednja stran", en: "Next page" },
  shown: { sl: "Prikazanih: {n}", en: "Shown: {n}" },
  retry: { sl: "Pošlji znova", en: "Send again" },
  release: { sl: "Sprosti in pošlji", en: "Release and send" },
  dismiss: { sl: "Opusti", en: "Dismiss" },
  retried: {
    sl: "Povpraševanje {id} bo poslano ob naslednjem zagonu (v 5 minutah).",
    en: "Inquiry {id} will be sent at the next run (within 5 minutes).",
  },
  dismissed: {
    sl: "Povpraševanje {id} je opuščeno: ostane shranjeno, ne bo poslano.",
    en: "Inquiry {id} is dismissed: kept, not mailed.",
  },
  unchanged: {
    sl: "Povpraševanje {id} se ni spremenilo (morda ga je že kdo obdelal).",
    en: "Inquiry {id} did not change (someone may have handled it already).",
  },
  reason: { sl: "Razlog", en: "Reason" },
  nextAttempt: { sl: "Naslednji poskus", en: "Next attempt" },

  personTitle: { sl: "Zahteva posameznika", en: "A person's request" },
  personIntro: {
    sl: "Poiščite, kaj je shranjeno o osebi: po njenem e-poštnem naslovu ali po številki povpraševanja. Celotnega seznama povpraševanj tu ni.",
    en: "Find what is stored about a person: by their e-mail address or by an inquiry's id. There is no list of all inquiries here.",
  },
  emailLabel: { sl: "E-poštni naslov osebe", en: "The person's e-mail address" },
  idLabel: { sl: "ali številka povpraševanja", en: "or an inquiry id" },
  find: { sl: "Poišči", en: "Find" },
  needOne: {
    sl: "Vnesite e-poštni naslov ali številko povpraševanja.",
    en: "Enter an e-mail address or an inquiry id.",
  },
  found: { sl: "Najdenih povpraševanj: {n}", en: "Inquiries found: {n}" },
  notFound: { sl: "O tem ni shranjeno nič.", en: "Nothing is stored about this." },
  inquiryFrom: { sl: "Povpraševanje z dne {date}", en: "Inquiry of {date}" },
  exportJson: { sl: "Izvozi (JSON)", en: "Export (JSON)" },
  exported: { sl: "Izvoz je prenesen kot {file}.", en: "The export was downloaded as {file}." },
  rectify: { sl: "Popravi", en: "Rectify" },
  save: { sl: "Shrani popravek", en: "Save correction" },
  cancel: { sl: "Prekliči", en: "Cancel" },
  rectified: { sl: "Popravek je shranjen.", en: "The correction is saved." },
  holdReason: { sl: "Razlog omejitve", en: "Reason for the restriction" },
  hold: { sl: "Omeji obdelavo (zadrži)", en: "Restrict processing (hold)" },
  unhold: { sl: "Odpravi omejitev", en: "Lift the restriction" },
  heldNow: {
    sl: "Povpraševanje je zadržano: ne bo poslano ne izbrisano, dokler ga ne sprostite.",
    en: "The inquiry is held: neither mailed nor purged until you release it.",
  },
  releasedNow: {
    sl: "Omejitev je odpravljena: pošiljanje in rok hrambe veljata znova.",
    en: "The restriction is lifted: mailing and the retention period apply again.",
  },
  erase: { sl: "Izbriši …", en: "Erase …" },
  eraseTitle: { sl: "Izbris – potrdite", en: "Erasure – please confirm" },
  eraseWill: { sl: "Trajno bo izbrisano:", en: "This will be deleted for good:" },
  eraseItem: { sl: "povpraševanje {id} z dne {date}", en: "inquiry {id} of {date}" },
  eraseFile: { sl: "datoteka {file} ({size})", en: "file {file} ({size})" },
  eraseLater: {
    sl: "in vsako novo povpraševanje tega naslova, ki je prišlo po iskanju.",
    en: "and any new inquiry of this address that arrived after the search.",
  },
  eraseByHand: {
    sl: "Tega ta stran ne izbriše; storite sami:",
    en: "This page cannot delete these; do it yourself:",
  },
  byHandMail: {
    sl: "kopije v nabiralniku osebja (prejeta pošta povpraševanj in odgovori nanje), tudi v arhivih in na telefonih;",
    en: "the copies in the staff's mailbox (the inquiry mails and the replies to them), also in archives and on phones;",
  },
  byHandBackup: {
    sl: "varnostne kopije baze: D1 Time Travel hrani prejšnja stanja {free} dni (paket Workers Free) oz. {paid} dni (Workers Paid); izbrisano tam samo izgine po tem času – brez obnovitve baze na prejšnje stanje;",
    en: "database backups: D1 Time Travel keeps earlier states for {free} days (Workers Free) or {paid} days (Workers Paid); erased data ages out of it after that time – do not restore the database to an earlier point meanwhile;",
  },
  byHandOther: {
    sl: "kopije, ki jih je kdo shranil drugam (izvozi, dokumenti).",
    en: "any copies someone saved elsewhere (exports, documents).",
  },
  eraseConfirm: { sl: "Da, izbriši", en: "Yes, erase" },
  erased: { sl: "Izbrisano povpraševanj: {n}.", en: "Inquiries erased: {n}." },
  eraseCancelled: { sl: "Izbris je preklican.", en: "The erasure was cancelled." },
  yes: { sl: "da", en: "yes" },
  no: { sl: "ne", en: "no" },
  none: { sl: "(ni)", en: "(none)" },

  retentionTitle: { sl: "Hramba", en: "Retention" },
  retentionRule: {
    sl: "Povpraševanja se izbrišejo {months} mesecev po prejemu, tehnični dnevnik po {days} dneh. Zadržana povpraševanja ostanejo, dokler jih ne sprostite.",
    en: "Inquiries are deleted {months} months after they arrive, the technical log after {days} days. Held inquiries stay until you release them.",
  },
  retentionStored: { sl: "Shranjenih povpraševanj", en: "Inquiries stored" },
  retentionHeld: { sl: "Od tega zadržanih", en: "Of them held" },
  retentionDue: {
    sl: "Za izbris ob naslednjem zagonu (v 5 minutah)",
    en: "To be deleted at the next run (within 5 minutes)",
  },
  retentionOldest: { sl: "Najstarejše prejeto", en: "Oldest received" },
  retentionNext: { sl: "Najstarejše bo izbrisano", en: "The oldest will be deleted" },
} satisfies Record<string, Texts>;

/** Names of the stored fields and of the parts an inquiry's JSON has, for the console's lists. */
const KEY_LABELS: Record<string, Texts> = {
  attachment: { sl: "Priponka", en: "Attachment" },
  id: { sl: "Številka", en: "Id" },
  created_at: { sl: "Prejeto", en: "Received" },
  lang: { sl: "Jezik", en: "Language" },
  delivery: { sl: "Pošiljanje", en: "Delivery" },
  status: { sl: "Stanje", en: "State" },
  attempts: { sl: "Poskusi", en: "Attempts" },
  resend_id: { sl: "Oznaka pri Resend", en: "Resend id" },
  last_error: { sl: "Razlog", en: "Reason" },
  next_attempt_at: { sl: "Naslednji poskus", en: "Next attempt" },
  hold: { sl: "Omejena obdelava", en: "Restricted (held)" },
  hold_reason: { sl: "Razlog omejitve", en: "Reason for the restriction" },
  spam: { sl: "Ocena nezaželenosti", en: "Spam score" },
  score: { sl: "Točke", en: "Score" },
  reasons: { sl: "Razlogi", en: "Reasons" },
  filename: { sl: "Ime datoteke", en: "File name" },
  size: { sl: "Velikost", en: "Size" },
  type: { sl: "Vrsta", en: "Type" },
  sha256: { sl: "Kontrolna vsota SHA-256", en: "SHA-256 checksum" },
  stored: { sl: "Shranjena pri nas", en: "Stored here" },
};

export type ConsoleTexts = Record<keyof typeof CONSOLE_TEXTS, string> & {
  keys: Record<string, string>;
};

/**
 * Every text of the console in `lang`, as its script gets them; the stored
 * values are named by the form's own labels (`fields`, the company's fields too).
 */
export function consoleTexts(lang: Lang, fields: readonly FieldDef[]): ConsoleTexts {
  const texts = Object.fromEntries(
    Object.entries(CONSOLE_TEXTS).map(([k, t]) => [k, t[lang]]),
  ) as Record<keyof typeof CONSOLE_TEXTS, string>;
  const byHand = texts.byHandBackup
    .replace("{free}", String(TIME_TRAVEL_DAYS.free))
    .replace("{paid}", String(TIME_TRAVEL_DAYS.paid));
  return {
    ...texts,
    byHandBackup: byHand,
    keys: Object.fromEntries([
      ...Object.entries(KEY_LABELS).map(([k, t]) => [k, t[lang]]),
      ...fields.map((f) => [f.name, f.label[lang]]),
    ]),
  };
}
