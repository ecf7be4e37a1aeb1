import type { ErrorCode, FieldError, FieldErrorCode } from "../domain/errors.ts";
import type { Lang } from "./lang.ts";
import { countOf, isNoun } from "./plural.ts";

type Texts = Record<Lang, string>;

export const ERROR_MESSAGES: Record<ErrorCode, Texts> = {
  validation_failed: {
    sl: "Nekatera polja niso pravilno izpolnjena. Popravite jih in pošljite znova.",
    en: "Some fields are not filled in correctly. Please correct them and send again.",
  },
  idempotency_key_reused: {
    sl: "To povpraševanje je bilo že poslano, z drugačno vsebino. Osvežite stran in ga pošljite kot novo povpraševanje.",
    en: "This inquiry was already sent, with different content. Please reload the page and send it as a new inquiry.",
  },
  payload_too_large: {
    sl: "Poslani podatki so preveliki. Zmanjšajte priponko ali besedilo in poskusite znova.",
    en: "The submitted data is too large. Please use a smaller attachment or shorter text and try again.",
  },
  malformed_body: {
    sl: "Poslanih podatkov ni bilo mogoče prebrati. Osvežite obrazec in poskusite znova.",
    en: "The submitted data could not be read. Please reload the form and try again.",
  },
  unsupported_media_type: {
    sl: "Ta oblika pošiljanja ni podprta. Uporabite obrazec na spletni strani.",
    en: "This kind of submission is not supported. Please use the form on the website.",
  },
  origin_not_allowed: {
    sl: "Obrazec na tej strani še ni povezan s sprejemom povpraševanj, zato sporočilo ni bilo poslano. Pišite nam po e-pošti ali nas pokličite.",
    en: "The form on this page is not yet connected to our inquiry service, so your message was not sent. Please write to us by e-mail or call us.",
  },
  captcha_failed: {
    sl: "Preverjanje, da niste robot, ni uspelo. Poskusite znova.",
    en: "The check that you are not a robot failed. Please try again.",
  },
  rate_limited: {
    sl: "Poslali ste preveč povpraševanj v kratkem času. Počakajte malo in poskusite znova.",
    en: "Too many inquiries in a short time. Please wait a moment and try again.",
  },
  unavailable: {
    sl: "Povpraševanja trenutno ne moremo shraniti. Poskusite znova čez nekaj minut ali nam pišite na e-pošto.",
    en: "We cannot store your inquiry right now. Please try again in a few minutes or write to us by e-mail.",
  },
  switched_off: {
    sl: "Ta del je izklopljen, dokler ni popravljena nastavitev, ki jo potrebuje: katera, pove /health.",
    en: "This part is switched off until the setting it needs is fixed: /health names it.",
  },
  not_found: { sl: "Ne obstaja.", en: "Not found." },
  unauthorized: { sl: "Dostop ni dovoljen.", en: "Not authorized." },
  too_many_attempts: {
    sl: "Preveč neuspelih prijav. Počakajte minuto in poskusite znova.",
    en: "Too many failed sign-in attempts. Please wait a minute and try again.",
  },
  email_in_url: {
    sl: "E-poštnega naslova ne pošiljajte v naslovu URL; pošljite ga v telesu zahteve (JSON).",
    en: "Do not put an e-mail address in the URL; send it in the request body (JSON).",
  },
  method_not_allowed: {
    sl: "Ta naslov te metode ne sprejema; katere sprejema, pove glava Allow.",
    en: "This address does not take this method; the Allow header lists the ones it takes.",
  },
};

/**
 * `{min}`, `{max}` and `{limit}` are filled from the issue; `{min|characters}`
 * is the number with the noun in its plural form (`countOf`, src/i18n/plural.ts).
 */
export const FIELD_MESSAGES: Record<FieldErrorCode, Texts> = {
  required: { sl: "To polje je obvezno.", en: "This field is required." },
  too_short: {
    sl: "Vnesite vsaj {min|characters}.",
    en: "Please enter at least {min|characters}.",
  },
  too_long: {
    sl: "Vnesite največ {max|characters}.",
    en: "Please enter at most {max|characters}.",
  },
  invalid_email: {
    sl: "Vnesite veljaven e-poštni naslov, npr. ime@podjetje.si.",
    en: "Please enter a valid e-mail address, e.g. name@company.com.",
  },
  invalid_phone: {
    sl: "Vnesite telefonsko številko s {min} do {max|digitsWith} (dovoljeni so tudi presledki in znaki + ( ) - . /).",
    en: "Please enter a phone number with {min} to {max|digitsWith} (spaces and + ( ) - . / are allowed).",
  },
  invalid_choice: {
    sl: "Izberite eno od ponujenih možnosti.",
    en: "Please choose one of the offered options.",
  },
  invalid_characters: {
    sl: "Polje vsebuje nedovoljene znake.",
    en: "This field contains characters that are not allowed.",
  },
  invalid_value: {
    sl: "Vrednost tega polja ni veljavna.",
    en: "The value of this field is not valid.",
  },
  duplicate_field: {
    sl: "To polje je bilo poslano večkrat.",
    en: "This field was sent more than once.",
  },
  file_too_large: {
    sl: "Priponka je prevelika (največ {limit}).",
    en: "The attachment is too large (at most {limit}).",
  },
  file_type_not_allowed: {
    sl: "Te vrste datoteke ne sprejemamo. Dovoljene vrste: {limit}.",
    en: "This type of file is not accepted. Allowed types: {limit}.",
  },
  file_text_encoding: {
    sl: "Besedilo ni shranjeno v kodiranju UTF-8. Shranite ga kot UTF-8 (v Beležnici: Shrani kot → Kodiranje: UTF-8) in ga pošljite znova.",
    en: "The text is not saved as UTF-8. Save it as UTF-8 (in Notepad: Save as → Encoding: UTF-8) and send it again.",
  },
  file_hidden_content: {
    sl: "V datoteki je skrita še druga datoteka (npr. arhiv, pripet k sliki). Datoteko odprite, jo znova shranite ali izvozite in pošljite novo.",
    en: "The file has another file hidden in it (for example an archive appended to an image). Open it, save or export it again and send the new file.",
  },
  file_has_macros: {
    sl: "Dokument vsebuje makre, zato ga ne moremo sprejeti. Shranite ga brez makrov (npr. kot .docx, .xlsx ali PDF) in ga pošljite znova.",
    en: "The document contains macros, so we cannot accept it. Save it without macros (for example as .docx, .xlsx or PDF) and send it again.",
  },
  file_archive_program: {
    sl: "Arhiv vsebuje program, skripto, bližnjico, spletno stran, dokument z makri ali drug arhiv. Priložite arhiv samo z dokumenti in risbami.",
    en: "The archive contains a program, script, shortcut, web page, document with macros or another archive. Attach an archive with documents and drawings only.",
  },
  file_archive_unreadable: {
    sl: "Vsebine arhiva ne moremo preveriti (zaščiten je z geslom, je poškodovan ali pa bi se ob razširjanju mnogokrat povečal). Pošljite ga brez gesla ali priložite glavno datoteko samo.",
    en: "We cannot check what the archive contains (it is password-protected, damaged or unpacks to far more than its size). Send it without a password, or attach the main file on its own.",
  },
  file_empty: { sl: "Priponka je prazna.", en: "The attachment is empty." },
  too_many_files: {
    sl: "Priložite lahko le eno datoteko.",
    en: "Only one file can be attached.",
  },
  // The operator API's: a list longer than it takes, a parameter outside its values.
  too_many_values: {
    sl: "Pošljite največ {max|values} naenkrat.",
    en: "Send at most {max|values} at a time.",
  },
  invalid_option: {
    sl: "Izberite eno od vrednosti: {limit}.",
    en: "Choose one of: {limit}.",
  },
  invalid_number: {
    sl: "Vnesite število, npr. 12 ali 12,5.",
    en: "Please enter a number, e.g. 12 or 12.5.",
  },
  out_of_range: {
    sl: "Vnesite število v obsegu {limit}.",
    en: "Please enter a number in the range {limit}.",
  },
  invalid_date: {
    sl: "Vnesite datum v obliki LLLL-MM-DD, npr. 2026-03-31.",
    en: "Please enter a date as YYYY-MM-DD, e.g. 2026-03-31.",
  },
};

export function fieldMessage(
  code: FieldErrorCode,
  lang: Lang,
  params: Record<string, string | number> = {},
): string {
  return FIELD_MESSAGES[code][lang].replace(
    /\{(\w+)(?:\|(\w+))?\}/g,
    (m, key: string, noun?: string) => {
      if (!(key in params)) return m;
      const value = params[key]!;
      return noun && isNoun(noun) && typeof value === "number"
        ? countOf(value, noun, lang)
        : String(value);
    },
  );
}

/** A field error in the visitor's language: always one of our own texts, never a library's. */
export function fieldErrorMessage(f: FieldError, lang: Lang): string {
  return fieldMessage(f.code, lang, f.params);
}
