import * as z from "zod/mini";
import en from "zod/v4/locales/en.js";
import sl from "zod/v4/locales/sl.js";
import type { core } from "zod/mini";
import type { InquiryFields } from "../domain/inquiry.ts";
import type { FieldError, FieldErrorCode } from "../http/errors.ts";
import type { Lang } from "../i18n/lang.ts";
import { FIELD_LIMITS as L } from "./limits.ts";

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

const line = (min: number, max: number) =>
  z.string().check(z.trim(), clean(SINGLE_LINE_BAD), z.minLength(min), z.maxLength(max));

function lowerCaseDomain(address: string): string {
  const at = address.lastIndexOf("@");
  return address.slice(0, at + 1) + address.slice(at + 1).toLowerCase();
}

function digitCount(s: string): number {
  return s.replace(/\D/g, "").length;
}

/** Field rules of the README's "POST /inquiry"; built per configuration because services vary. */
export function inquirySchema(services: readonly string[]) {
  return z.object({
    name: line(L.name.min, L.name.max),
    email: z.string().check(
      z.trim(),
      z.minLength(1),
      z.maxLength(L.email.max),
      z.refine((s) => HTML_EMAIL.test(s), coded("invalid_email")),
      z.overwrite(lowerCaseDomain),
    ),
    phone: z.optional(
      z.string().check(
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
      z.trim(),
      z.minLength(1),
      z.refine((s) => services.includes(s), coded("invalid_choice")),
    ),
    message: z.string().check(
      // Browsers send CRLF; store one kind of line break.
      z.overwrite((s) => s.replace(/\r\n?/g, "\n")),
      z.trim(),
      clean(MULTI_LINE_BAD),
      z.minLength(L.message.min),
      z.maxLength(L.message.max),
    ),
  });
}

const LOCALES: Record<Lang, { localeError: core.$ZodErrorMap }> = { sl: sl(), en: en() };

/**
 * Validates the single text values of a submission. Optional fields sent
 * empty count as absent. Returns the first problem of each field.
 */
export function validateFields(
  schema: ReturnType<typeof inquirySchema>,
  values: Partial<Record<TextField, unknown>>,
  lang: Lang,
): { ok: true; data: InquiryFields } | { ok: false; errors: FieldError[] } {
  const input: Record<string, unknown> = { ...values };
  for (const optional of ["phone", "company"] as const) {
    const v = input[optional];
    if (typeof v === "string" && v.trim() === "") delete input[optional];
  }
  const result = schema.safeParse(input, { error: LOCALES[lang].localeError, reportInput: true });
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
        : { field, code: "invalid_value", detail: issue.message };
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
  return { field, code: "invalid_value", detail: issue.message };
}
