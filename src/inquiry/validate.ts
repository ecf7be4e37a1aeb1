import * as z from "zod/mini";
import type { core } from "zod/mini";
import type { InquiryFields } from "../domain/inquiry.ts";
import { OWN_TEXT_MAX, type FieldDef, type Option, type OwnValue } from "../domain/fields.ts";
import type { FormDefinition } from "../domain/form.ts";
import type { FieldError, FieldErrorCode } from "../domain/errors.ts";
import { normalizeText, type TextShape } from "./normalize.ts";

// The field shapes belong to the domain: storage reads them from there too.
export type { InquiryFields };

// Single-line fields: no control characters, line separators, bidi overrides or
// U+FFFD (what an undecodable byte becomes). Multi-line: the same but \n and \t.
const SINGLE_LINE_BAD = /[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufffd]/;
const MULTI_LINE_BAD = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffd]/;
// What a browser's <input type=email> accepts (HTML standard), plus a dot in the domain.
const HTML_EMAIL =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)+$/;
const PHONE_CHARS = /^[0-9 +()\-./]*$/;

const coded = (code: FieldErrorCode, params?: Record<string, number>) => ({
  params: { code, ...(params ? { params } : {}) },
  abort: true,
});
const clean = (bad: RegExp) => z.refine<string>((s) => !bad.test(s), coded("invalid_characters"));
/**
 * Every rule starts here: see normalize.ts for what a pasted text needs. An
 * unpaired UTF-16 surrogate (JSON's "\ud800") is no character: stored or
 * mailed as UTF-8 it would become U+FFFD, which is refused when sent as such.
 */
const normalized = (shape: TextShape) => [
  z.overwrite<string>((s) => normalizeText(s, shape)),
  z.refine<string>((s) => s.isWellFormed(), coded("invalid_characters")),
];

const line = (min: number, max: number) =>
  z
    .string()
    .check(
      ...normalized("line"),
      z.trim(),
      clean(SINGLE_LINE_BAD),
      z.minLength(min),
      z.maxLength(max),
    );

/**
 * A local part mail systems accept as `reply_to`: at most 64 octets
 * (RFC 5321 §4.5.3.1.1) and a dot-atom, so no dot at either end and no two
 * in a row (RFC 5322 §3.4.1). The HTML e-mail pattern already limits it to ASCII.
 */
export function mailableLocalPart(address: string): boolean {
  const local = address.slice(0, address.lastIndexOf("@"));
  return (
    local.length <= 64 && !local.startsWith(".") && !local.endsWith(".") && !local.includes("..")
  );
}

function lowerCaseDomain(address: string): string {
  const at = address.lastIndexOf("@");
  return address.slice(0, at + 1) + address.slice(at + 1).toLowerCase();
}

function digitCount(s: string): number {
  return s.replace(/\D/g, "").length;
}

/** A `service` or `choice` value: its id or either label, matched normalised, stored as its id. */
function choiceOf(options: readonly Option[]) {
  const byText = new Map<string, string>();
  for (const o of options) {
    for (const t of [o.label.sl, o.label.en, o.id])
      byText.set(normalizeText(t, "line").trim(), o.id);
  }
  const ids = new Set(options.map((o) => o.id));
  return z.string().check(
    ...normalized("line"),
    z.trim(),
    z.minLength(1),
    // A configured name may hold what normalising changes ("CNC – obdelava"
    // with an en dash): the choice is matched normalised, stored as configured.
    z.overwrite((s) => byText.get(s) ?? s),
    z.refine((s) => ids.has(s), coded("invalid_choice")),
  );
}

/** A failed rule of a field that is no text: its code and the numbers its message states. */
type Refusal = { code: FieldErrorCode; params?: Record<string, string | number> };

/**
 * A rule over any JSON or form value (a number may come as `12` or "12,5"):
 * `check` returns the stored value or a refusal. `undefined` reaches it only
 * for a field the form requires or a checkbox (absent: not checked).
 */
const anyValue = <T>(check: (v: unknown) => T | Refusal) =>
  z.pipe(
    z.unknown(),
    z.transform((v, ctx) => {
      const r = check(v);
      if (typeof r === "object" && r !== null && "code" in r) {
        ctx.issues.push({ code: "custom", message: "", input: v, params: r });
        return z.NEVER;
      }
      return r as T;
    }),
  );

// A decimal number as people write one: optional sign, digits, one "." or "," and digits.
const DECIMAL = /^[-+]?\d{1,15}(?:[.,]\d{1,15})?$/;
/**
 * "1,000" and "1.000": a thousand in English or in Slovenian writing, one in
 * the other. Refused as ambiguous (the visitor rewrites it) rather than stored
 * as a number the visitor did not mean.
 */
const AMBIGUOUS_THOUSANDS = /^[-+]?[1-9]\d{0,2}[.,]\d{3}$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// What a browser sends for a checked box without a `value` ("on", HTML standard), and what clients send.
const CHECKED = new Set(["on", "true", "1", "yes", "da"]);
const UNCHECKED = new Set(["", "off", "false", "0", "no", "ne"]);

/** `min`–`max` as a message states it: "1–100", "≥ 1", "≤ 100". */
function rangeText(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return `${min}–${max}`;
  return min !== undefined ? `≥ ${min}` : `≤ ${max}`;
}

function numberRule(f: FieldDef) {
  return anyValue<number>((v) => {
    if (v === undefined) return { code: "required" };
    let n: number;
    if (typeof v === "number") n = v;
    else if (typeof v === "string") {
      const s = normalizeText(v, "line").trim();
      if (s === "") return { code: "required" };
      if (!DECIMAL.test(s) || AMBIGUOUS_THOUSANDS.test(s)) return { code: "invalid_number" };
      n = Number(s.replace(",", "."));
    } else return { code: "invalid_value" };
    if (!Number.isFinite(n)) return { code: "invalid_number" };
    if ((f.min !== undefined && n < f.min) || (f.max !== undefined && n > f.max))
      return { code: "out_of_range", params: { limit: rangeText(f.min, f.max) } };
    return n;
  });
}

function dateRule() {
  return anyValue<string>((v) => {
    if (v === undefined) return { code: "required" };
    if (typeof v !== "string") return { code: "invalid_value" };
    const s = normalizeText(v, "line").trim();
    if (s === "") return { code: "required" };
    const m = ISO_DATE.exec(s);
    if (!m) return { code: "invalid_date" };
    // A real day of the calendar: 2026-02-30 comes back from Date.UTC as March.
    const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
    return d.toISOString().slice(0, 10) === s ? s : { code: "invalid_date" };
  });
}

function checkboxRule(f: FieldDef) {
  return anyValue<boolean>((v) => {
    const checked =
      v === undefined || v === false
        ? false
        : v === true
          ? true
          : typeof v === "string" && CHECKED.has(v.trim().toLowerCase())
            ? true
            : typeof v === "string" && UNCHECKED.has(v.trim().toLowerCase())
              ? false
              : null;
    if (checked === null) return { code: "invalid_value" };
    if (f.required && !checked) return { code: "required" };
    return checked;
  });
}

/** One row's rule, from its type and limits. */
function ruleFor(f: FieldDef, form: FormDefinition) {
  const min = f.min ?? (f.required ? 1 : 0);
  switch (f.type) {
    case "text":
      return line(min, f.max ?? OWN_TEXT_MAX.text);
    case "textarea":
      return z.string().check(
        // Also turns CRLF (what browsers send), CR, VT, FF, NEL, U+2028/9 into \n.
        ...normalized("multiline"),
        z.trim(),
        clean(MULTI_LINE_BAD),
        z.minLength(min),
        z.maxLength(f.max ?? OWN_TEXT_MAX.textarea),
      );
    case "email":
      return z.string().check(
        ...normalized("line"),
        z.trim(),
        z.minLength(1),
        z.maxLength(f.max ?? 254),
        z.refine((s) => HTML_EMAIL.test(s) && mailableLocalPart(s), coded("invalid_email")),
        z.overwrite(lowerCaseDomain),
      );
    case "phone": {
      const digits = f.digits ?? { min: 1, max: 15 };
      return z.string().check(
        ...normalized("line"),
        z.trim(),
        z.maxLength(f.max ?? 32),
        z.refine(
          (s) => PHONE_CHARS.test(s) && digitCount(s) >= digits.min && digitCount(s) <= digits.max,
          coded("invalid_phone", digits),
        ),
      );
    }
    case "service":
      return choiceOf(form.services);
    case "choice":
      return choiceOf(f.options ?? []);
    case "number":
      return numberRule(f);
    case "date":
      return dateRule();
    case "checkbox":
      return checkboxRule(f);
    case "file":
      // The file is checked apart (src/inquiry/attachment.ts): it is bytes, not a value.
      return null;
  }
}

/** The rules of every field of `form` but the file, by name (POST /inquiry). */
export function inquirySchema(form: FormDefinition) {
  const shape: Record<string, z.ZodMiniType> = {};
  for (const f of form.fields) {
    const rule = ruleFor(f, form);
    if (rule === null) continue;
    shape[f.name] = f.required ? rule : z.optional(rule);
  }
  return { object: z.object(shape), fields: form.fields };
}

const schemas = new WeakMap<FormDefinition, ReturnType<typeof inquirySchema>>();

/** `inquirySchema(form)`, built once per form (one per isolate's configuration). */
export function schemaFor(form: FormDefinition): ReturnType<typeof inquirySchema> {
  let s = schemas.get(form);
  if (!s) schemas.set(form, (s = inquirySchema(form)));
  return s;
}

// Every issue becomes one of our codes with our own sl/en text (toFieldError),
// so zod's messages, which name JavaScript types, never reach anyone.
const NO_MESSAGE: core.$ZodErrorMap = () => "invalid";

/**
 * Validates the single values of a submission (form, JSON or an operator's
 * rectification) against the field table. `null` and, for optional fields, a
 * blank string count as absent. A value of the wrong kind (a number in a text
 * field, an object, a file sent in a text field) is `invalid_value`. Returns
 * the built-in values and the company's own (`extra`), or the first problem
 * of each field as a code with parameters (the answer puts them in words).
 */
export function validateFields(
  schema: ReturnType<typeof inquirySchema>,
  values: Readonly<Record<string, unknown>>,
): { ok: true; data: InquiryFields } | { ok: false; errors: FieldError[] } {
  const input: Record<string, unknown> = {};
  for (const f of schema.fields) {
    const v = values[f.name];
    if (v === null || v === undefined) continue;
    const blank = typeof v === "string" && normalizeText(v, "line").trim() === "";
    if (blank && !f.required) continue;
    input[f.name] = v;
  }
  const result = schema.object.safeParse(input, { error: NO_MESSAGE, reportInput: true });
  if (result.success) {
    const d = result.data as Record<string, unknown>;
    const text = (name: string) => (typeof d[name] === "string" ? (d[name] as string) : null);
    const extra: Record<string, OwnValue> = {};
    for (const f of schema.fields) {
      // A checkbox left unchecked is not sent at all (HTML standard): absent is an answer too.
      const v = d[f.name] ?? (f.type === "checkbox" ? false : undefined);
      if (!f.builtin && v !== undefined) extra[f.name] = v as OwnValue;
    }
    return {
      ok: true,
      data: {
        name: text("name") ?? "",
        email: text("email") ?? "",
        phone: text("phone"),
        company: text("company"),
        service: text("service") ?? "",
        message: text("message") ?? "",
        extra,
      },
    };
  }
  const errors: FieldError[] = [];
  for (const issue of result.error.issues) {
    const field = String(issue.path[0] ?? "");
    if (errors.some((e) => e.field === field)) continue;
    errors.push(toFieldError(field, issue));
  }
  return { ok: false, errors };
}

function toFieldError(field: string, issue: core.$ZodIssue): FieldError {
  switch (issue.code) {
    case "invalid_type":
      return issue.input === undefined
        ? { field, code: "required" }
        : { field, code: "invalid_value" };
    case "too_small":
      return issue.input === ""
        ? { field, code: "required" }
        : { field, code: "too_short", params: { min: Number(issue.minimum) } };
    case "too_big":
      return { field, code: "too_long", params: { max: Number(issue.maximum) } };
    case "custom": {
      const refusal = issue.params as Refusal | undefined;
      if (refusal?.code) return { field, ...refusal };
      break;
    }
  }
  return { field, code: "invalid_value" };
}
