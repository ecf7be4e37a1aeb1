import type { Lang } from "./lang.ts";
import { BUILTIN_FIELDS, type FieldDef, type Option } from "./fields.ts";

/**
 * The company's form as the worker runs it: what `FORM` (src/config/form.ts)
 * and `SERVICES` say, or the project's defaults. Every page, the validation,
 * the mail and the operator API read the form from here.
 */

/** One service: stored by `id`, shown by its label, mailed to `to` (else `MAIL_TO`). */
export interface Service extends Option {
  /** Mailboxes as Resend takes them; null: the inquiry goes to `MAIL_TO`. */
  to: string[] | null;
}

export interface FormDefinition {
  /** The company's name on every page, in the mail's subject and From display name; null: none. */
  company: string | null;
  services: readonly Service[];
  /** The field table: the built-in seven first, then the company's own in their given order. */
  fields: readonly FieldDef[];
  /** The company's privacy notice (GDPR Art. 13), linked at the send button; null: none. */
  privacyUrl: string | null;
  /** IANA time zone the staff mail states times in. */
  timezone: string;
}

export const DEFAULT_TIMEZONE = "Europe/Ljubljana";

/** The form without a definition: the built-in fields and these services. */
export function defaultForm(services: readonly Service[]): FormDefinition {
  return {
    company: null,
    services,
    fields: BUILTIN_FIELDS,
    privacyUrl: null,
    timezone: DEFAULT_TIMEZONE,
  };
}

/** A `SERVICES` entry or a plain string of `FORM.services`: the same label in both languages. */
export function plainService(label: string): Service {
  return { id: label, label: { sl: label, en: label }, to: null };
}

/** The stored service's entry, or null when the configuration no longer lists it. */
export function serviceOf(form: FormDefinition, id: string): Service | null {
  return form.services.find((s) => s.id === id) ?? null;
}

/** How a stored service is named in `lang`: its label, or the stored id when no longer configured. */
export function serviceLabel(form: FormDefinition, id: string, lang: Lang): string {
  return serviceOf(form, id)?.label[lang] ?? id;
}

/** The company's own fields: the rows after the built-in ones. */
export function ownFields(form: FormDefinition): readonly FieldDef[] {
  return form.fields.filter((f) => !f.builtin);
}
