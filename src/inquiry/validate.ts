import * as z from "zod/mini";
import type { core } from "zod/mini";
import type { InquiryFields } from "../domain/inquiry.ts";
import type { FieldError, FieldErrorCode } from "../http/errors.ts";
import { FIELD_LIMITS as L } from "./limits.ts";
import { normalizeText, type TextShape } from "./normalize.ts";

// The field shapes belong to the domain: storage reads them from there too.
export type { InquiryFields };

export const TEXT_FIELDS = ["name", "email", "phone", "company", "service", "message"] as const;
export type TextField = (typeof TEXT_FIELDS)[number];

// Single-line fields: no control characters, line separators, bidi overrides or
// U+FFFD (what an undecodable byte becomes). Multi-line: the same but \n and \t.
const SINGLE_LINE_BAD = /[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufffd]/;
const MULTI_LINE_BAD = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffd]/;
// What a browser's <input type=email> accepts (HTML standard), plus a dot in the domain.
const HTML_EMAIL =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)+$/;
const PHONE_CHARS = /^[0-9 +()\-./]*$/;

const coded = (code: FieldErrorCode) => ({ params: { code }, abort: true });
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

/** The field rules of POST /inquiry; built per configuration because services vary. */
export function inquirySchema(services: readonly string[]) {
  const configured = new Map(services.map((s) => [normalizeText(s, "line").trim(), s]));
  return z.object({
    name: line(L.name.min, L.name.max),
    email: z.string().check(
      ...normalized("line"),
      z.trim(),
      z.minLength(1),
      z.maxLength(L.email.max),
      z.refine((s) => HTML_EMAIL.test(s) && mailableLocalPart(s), coded("invalid_email")),
      z.overwrite(lowerCaseDomain),
    ),
    phone: z.optional(
      z.string().check(
        ...normalized("line"),
        z.trim(),
        z.maxLength(L.phone.max),
        z.refine(
          (s) =>
            PHONE_CHARS.test(s) &&
            digitCount(s) >= L.phone.minDigits &&
            digitCount(s) <= L.phone.maxDigits,
          coded("invalid_phone"),
        ),
      ),
    ),
    company: z.optional(line(0, L.company.max)),
    service: z.string().check(
      ...normalized("line"),
      z.trim(),
      z.minLength(1),
      // A configured name may hold what normalising changes ("CNC – obdelava"
      // with an en dash): the choice is matched normalised, stored as configured.
      z.overwrite((s) => configured.get(s) ?? s),
      z.refine((s) => services.includes(s), coded("invalid_choice")),
    ),
    message: z.string().check(
      // Also turns CRLF (what browsers send), CR, VT, FF, NEL, U+2028/9 into \n.
      ...normalized("multiline"),
      z.trim(),
      clean(MULTI_LINE_BAD),
      z.minLength(L.message.min),
      z.maxLength(L.message.max),
    ),
  });
}

// Every issue becomes one of our codes with our own sl/en text (toFieldError),
// so zod's messages, which name JavaScript types, never reach anyone.
const NO_MESSAGE: core.$ZodErrorMap = () => "invalid";

/**
 * Validates the single text values of a submission (form, JSON or an
 * operator's rectification). `null` and, for optional fields, a blank string
 * count as absent. A value that is not a string (a number, an object, a file
 * sent in a text field) is `invalid_value`. Returns the first problem of each
 * field, each as a code with parameters (the answer puts them in words).
 */
export function validateFields(
  schema: ReturnType<typeof inquirySchema>,
  values: Partial<Record<TextField, unknown>>,
): { ok: true; data: InquiryFields } | { ok: false; errors: FieldError[] } {
  const input: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) if (v !== null && v !== undefined) input[k] = v;
  for (const optional of ["phone", "company"] as const) {
    const v = input[optional];
    if (typeof v === "string" && normalizeText(v, "line").trim() === "") delete input[optional];
  }
  const result = schema.safeParse(input, { error: NO_MESSAGE, reportInput: true });
  if (result.success) {
    const d = result.data;
    return { ok: true, data: { ...d, phone: d.phone ?? null, company: d.company ?? null } };
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
      const code = (issue.params as { code?: FieldErrorCode } | undefined)?.code;
      if (code) return { field, code };
      break;
    }
  }
  return { field, code: "invalid_value" };
}
