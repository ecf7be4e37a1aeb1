import type { Lang } from "./lang.ts";

/**
 * The field table: every field of the form, once. Validation
 * (src/inquiry/validate.ts), the reference form and its no-JavaScript
 * re-render, `/embed.js`'s error labels, the staff mail, the operator API's
 * export and rectification and the store all read a field's facts from its
 * row here. The built-in seven are the rows of `BUILTIN_FIELDS`; a form
 * definition (`FORM.fields`, parsed in src/config/form.ts) adds the company's
 * own rows after them, so adding a field is a change to `FORM` alone.
 */

/** A text in every language the worker speaks. */
export type Texts = Readonly<Record<Lang, string>>;

/** The types a form definition may give a field of its own (`FORM.fields[].type`). */
export const OWN_FIELD_TYPES = [
  "text",
  "textarea",
  "number",
  "date",
  "choice",
  "checkbox",
] as const;
export type OwnFieldType = (typeof OWN_FIELD_TYPES)[number];

/**
 * How a field's value is read, normalised and checked:
 * - `text`: one line; `textarea`: line breaks kept (the normalisation of
 *   src/inquiry/normalize.ts, its `line` or `multiline` shape);
 * - `email`: one address (HTML's `type=email` and RFC 5321/5322 limits);
 * - `phone`: digits, spaces and `+ ( ) - . /` with `digits` digits (ITU-T E.164: at most 15);
 * - `service`: one of the configured services, by id or label;
 * - `number`: a decimal number (`.` or `,`), `min`/`max` its range;
 * - `date`: a calendar date written `YYYY-MM-DD` (RFC 3339 full-date);
 * - `choice`: one of `options`, by id or label;
 * - `checkbox`: checked or not (a browser sends a checked box as `on`);
 * - `file`: the attachment (src/inquiry/attachment.ts).
 */
export type FieldType = OwnFieldType | "email" | "phone" | "service" | "file";

/** One option of a `choice` field or one service: what is stored (`id`) and what is shown. */
export interface Option {
  id: string;
  label: Texts;
}

export interface FieldDef {
  /** The form control's `name` and the key in JSON, the export and rectification. */
  name: string;
  type: FieldType;
  label: Texts;
  required: boolean;
  /** `text`/`textarea`: least characters (UTF-16 code units, as HTML `minlength`); `number`: least value. */
  min?: number;
  /** `text`/`textarea`: most characters (as HTML `maxlength`); `number`: greatest value. */
  max?: number;
  /** `phone`: how many digits a number has. */
  digits?: { min: number; max: number };
  /** `choice`: the options, in the order shown. */
  options?: readonly Option[];
  /** The HTML `autocomplete` token that lets a browser fill it (WCAG 2.2 SC 1.3.5). */
  autocomplete?: string;
  /** One of the seven every form has (stored in columns of their own). */
  builtin: boolean;
  /** Listed in the staff mail's table of values (the message and the file have parts of their own). */
  staff: boolean;
  /** An operator's rectification (GDPR Art. 16) may change it. */
  rectifiable: boolean;
}

/** The value of a field of the company's own once validated: text, a number or a box's state. */
export type OwnValue = string | number | boolean;

/** The company's own fields' values of one inquiry, by field name; an empty optional field is absent. */
export type OwnValues = Readonly<Record<string, OwnValue>>;

const row = (
  name: string,
  type: FieldType,
  label: Texts,
  rest: Partial<FieldDef> = {},
): FieldDef => ({
  name,
  type,
  label,
  required: false,
  builtin: true,
  staff: true,
  rectifiable: true,
  ...rest,
});

/**
 * The seven fields every form has. Lengths count UTF-16 code units, as zod's
 * `maxLength` and the HTML `maxlength` attribute do.
 */
export const BUILTIN_FIELDS: readonly FieldDef[] = [
  row(
    "name",
    "text",
    { sl: "Ime in priimek", en: "Full name" },
    { required: true, min: 2, max: 120, autocomplete: "name" },
  ),
  // RFC 5321 §4.5.3.1.3: a path is at most 256 octets, 254 of them the address.
  row(
    "email",
    "email",
    { sl: "E-pošta", en: "E-mail" },
    { required: true, max: 254, autocomplete: "email" },
  ),
  row(
    "phone",
    "phone",
    { sl: "Telefon", en: "Phone" },
    { max: 32, digits: { min: 6, max: 15 }, autocomplete: "tel" },
  ),
  row(
    "company",
    "text",
    { sl: "Podjetje", en: "Company" },
    { max: 160, autocomplete: "organization" },
  ),
  // The service an inquiry was made for decides who answers it: not the visitor's data to correct.
  row(
    "service",
    "service",
    { sl: "Storitev", en: "Service" },
    { required: true, rectifiable: false },
  ),
  row(
    "message",
    "textarea",
    { sl: "Sporočilo", en: "Message" },
    { required: true, min: 1, max: 5000 },
  ),
  row("attachment", "file", { sl: "Priponka", en: "Attachment" }, { rectifiable: false }),
];

/** Names no field of a form definition may take: the built-ins', and what the worker reads itself. */
export const BUILTIN_NAMES: ReadonlySet<string> = new Set(BUILTIN_FIELDS.map((f) => f.name));

/** A built-in row by name; throws for a name that is not one (a programming error). */
export function builtinField(name: string): FieldDef {
  const found = BUILTIN_FIELDS.find((f) => f.name === name);
  if (!found) throw new Error(`no built-in field ${name}`);
  return found;
}

/** The built-ins' length limits by name, as the reference form states them (`maxlength`). */
export const FIELD_LIMITS: Readonly<Record<string, { min?: number; max: number }>> =
  Object.fromEntries(
    BUILTIN_FIELDS.filter((f) => f.max !== undefined).map((f) => [
      f.name,
      { ...(f.min !== undefined ? { min: f.min } : {}), max: f.max! },
    ]),
  );

/** Default `max` of a form definition's `text` and `textarea` fields, in characters. */
export const OWN_TEXT_MAX = { text: 200, textarea: 2000 } as const;

/** Controls the worker reads that are no field of the table, named in errors all the same. */
const OTHER_LABELS: Readonly<Record<string, Texts>> = {
  "cf-turnstile-response": { sl: "Preverjanje", en: "Verification" },
};

/**
 * How a field is named to a person in `lang`: its row's label, else the
 * label of another control the worker reads, else the name itself.
 */
export function labelOf(fields: readonly FieldDef[], name: string, lang: Lang): string {
  return (fields.find((f) => f.name === name)?.label ?? OTHER_LABELS[name])?.[lang] ?? name;
}

/** Every label by name in `lang`, for a script that names fields the page lacks. */
export function labelsIn(fields: readonly FieldDef[], lang: Lang): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fields) out[f.name] = f.label[lang];
  for (const [name, t] of Object.entries(OTHER_LABELS)) out[name] = t[lang];
  return out;
}
