import {
  BUILTIN_FIELDS,
  BUILTIN_NAMES,
  OWN_FIELD_TYPES,
  OWN_TEXT_MAX,
  type FieldDef,
  type Option,
  type OwnFieldType,
  type Texts,
} from "../domain/fields.ts";
import {
  DEFAULT_TIMEZONE,
  plainService,
  type FormDefinition,
  type Service,
} from "../domain/form.ts";
import { normaliseMailbox, splitMailboxes } from "./mailbox.ts";

/** A problem of the form definition or `SERVICES`: `name` is the member at fault, never its value. */
export interface FormProblem {
  code: "missing" | "invalid_form" | "invalid_service" | "invalid_mailbox" | "invalid_url";
  name: string;
  problem: string;
}

const MEMBERS = new Set(["company", "services", "fields", "privacy_url", "timezone"]);
const FIELD_MEMBERS = new Set(["name", "type", "label", "required", "max", "min", "options"]);
// A field's name: lower-case letters, digits and `_`, not starting with `_` (which marks the worker's own controls).
const FIELD_NAME = /^[a-z0-9][a-z0-9_]{0,39}$/;
// An id travels as a form value and in the store: short, printable, no spaces.
const OPTION_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const CONTROL = /[\x00-\x1f\x7f]/;
// The export's other keys: an own field stands beside them under its name (src/admin/routes.ts).
const EXPORT_KEYS = new Set([
  "id",
  "created_at",
  "lang",
  "hold",
  "hold_reason",
  "delivery",
  "spam",
]);
/** At most this many fields of the company's own: a form, not a database. */
export const MAX_OWN_FIELDS = 30;
/** A text field's `max` may not pass what the built-in message allows. */
const TEXT_MAX_LIMIT = 5000;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const goodText = (v: unknown, max = 120): v is string =>
  typeof v === "string" && v.trim() !== "" && v.length <= max && !CONTROL.test(v);

/**
 * Reads the form definition (`FORM`: a JSON object, given as a `wrangler.toml`
 * table, which reaches the worker as an object, or as a JSON string through
 * `--var FORM:'{…}'`) and `SERVICES` (comma-separated) into the form the
 * worker runs. Without `FORM` the form is the built-in one with `SERVICES`.
 * Every problem names the member at fault (`FORM.fields[2].type`), never its
 * value. Each service's `to` is read with the rules of `MAIL_TO`
 * (src/config/mailbox.ts).
 */
export function parseForm(
  rawForm: unknown,
  servicesVar: string,
): { form: FormDefinition; problems: FormProblem[] } {
  const problems: FormProblem[] = [];
  const bad = (code: FormProblem["code"], name: string, problem: string) =>
    problems.push({ code, name, problem });

  let def: Record<string, unknown> = {};
  if (typeof rawForm === "string" && rawForm.trim() !== "") {
    try {
      const parsed: unknown = JSON.parse(rawForm);
      if (isObject(parsed)) def = parsed;
      else bad("invalid_form", "FORM", "must be a JSON object");
    } catch {
      bad("invalid_form", "FORM", "is not valid JSON");
    }
  } else if (isObject(rawForm)) def = rawForm;
  else if (rawForm !== undefined && rawForm !== null && rawForm !== "")
    bad("invalid_form", "FORM", "must be a JSON object");

  for (const key of Object.keys(def)) {
    if (!MEMBERS.has(key))
      bad(
        "invalid_form",
        `FORM.${key}`,
        "is not a member the form definition has (company, services, fields, privacy_url, timezone)",
      );
  }

  let company: string | null = null;
  if (def.company !== undefined) {
    if (goodText(def.company)) company = def.company.trim();
    else
      bad("invalid_form", "FORM.company", "must be the company's name: 1–120 characters, one line");
  }

  const services =
    def.services !== undefined
      ? readServices(def.services, bad)
      : readServicesVar(servicesVar, bad);

  const own: FieldDef[] = [];
  if (def.fields !== undefined) {
    if (!Array.isArray(def.fields))
      bad("invalid_form", "FORM.fields", "must be a list of field definitions");
    else if (def.fields.length > MAX_OWN_FIELDS)
      bad("invalid_form", "FORM.fields", `may hold at most ${MAX_OWN_FIELDS} fields`);
    else
      def.fields.forEach((f: unknown, i) => {
        const field = readField(f, `FORM.fields[${i}]`, bad);
        if (!field) return;
        if (own.some((o) => o.name === field.name))
          bad("invalid_form", `FORM.fields[${i}].name`, "is the name of an earlier field");
        else own.push(field);
      });
  }

  let privacyUrl: string | null = null;
  if (def.privacy_url !== undefined) {
    if (typeof def.privacy_url === "string" && isWebUrl(def.privacy_url))
      privacyUrl = def.privacy_url;
    else
      bad(
        "invalid_url",
        "FORM.privacy_url",
        "must be the privacy notice's address, like https://www.example.com/privacy",
      );
  }

  let timezone = DEFAULT_TIMEZONE;
  if (def.timezone !== undefined) {
    if (typeof def.timezone === "string" && isTimeZone(def.timezone)) timezone = def.timezone;
    else bad("invalid_form", "FORM.timezone", "must be an IANA time zone, like Europe/Ljubljana");
  }

  return {
    form: { company, services, fields: [...BUILTIN_FIELDS, ...own], privacyUrl, timezone },
    problems,
  };
}

type Bad = (code: FormProblem["code"], name: string, problem: string) => void;

function readServicesVar(value: string, bad: Bad): Service[] {
  const names = [
    ...new Set(
      value
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
  if (names.length === 0)
    bad("missing", "SERVICES", "is not set: list the services, separated by commas");
  else if (names.some((s) => !goodText(s)))
    bad(
      "invalid_service",
      "SERVICES",
      "each service must be at most 120 characters without control characters",
    );
  return names.map(plainService);
}

function readServices(value: unknown, bad: Bad): Service[] {
  if (!Array.isArray(value) || value.length === 0) {
    bad("invalid_form", "FORM.services", "must be a list of at least one service");
    return [];
  }
  const out: Service[] = [];
  value.forEach((s: unknown, i) => {
    const at = `FORM.services[${i}]`;
    let service: Service | null = null;
    if (typeof s === "string") {
      if (goodText(s)) service = plainService(s.trim());
      else bad("invalid_service", at, "must be 1–120 characters without control characters");
    } else if (isObject(s)) {
      const option = readOption(s, at, bad);
      let to: string[] | null = null;
      if (s.to !== undefined) {
        const raw = typeof s.to === "string" ? splitMailboxes(s.to) : [];
        const boxes = raw.map(normaliseMailbox);
        if (raw.length === 0 || boxes.some((b) => b === null))
          bad(
            "invalid_mailbox",
            `${at}.to`,
            'must be e-mail addresses ("address@domain" or "Name <address@domain>") separated by commas',
          );
        else to = boxes as string[];
      }
      for (const key of Object.keys(s))
        if (key !== "id" && key !== "label" && key !== "to")
          bad("invalid_form", `${at}.${key}`, "is not a member of a service (id, label, to)");
      if (option) service = { ...option, to };
    } else bad("invalid_service", at, 'must be a name or {"id","label":{"sl","en"},"to"}');
    if (!service) return;
    if (out.some((o) => answersAlike(o, service)))
      bad("invalid_service", at, "has the id or a label of an earlier service");
    else out.push(service);
  });
  return out;
}

/** `{"id","label":{"sl","en"}}` of a service or a choice's option. */
function readOption(o: Record<string, unknown>, at: string, bad: Bad): Option | null {
  const label = readLabel(o.label, `${at}.label`, bad);
  if (typeof o.id !== "string" || !OPTION_ID.test(o.id)) {
    bad(
      "invalid_form",
      `${at}.id`,
      "must be 1–64 letters, digits, '_', '.' or '-', starting with a letter or digit",
    );
    return null;
  }
  return label ? { id: o.id, label } : null;
}

function readLabel(value: unknown, at: string, bad: Bad): Texts | null {
  if (isObject(value) && goodText(value.sl) && goodText(value.en))
    return { sl: value.sl.trim(), en: value.en.trim() };
  bad("invalid_form", at, 'must be {"sl":"…","en":"…"}: a label in both languages');
  return null;
}

function readField(f: unknown, at: string, bad: Bad): FieldDef | null {
  if (!isObject(f)) {
    bad("invalid_form", at, 'must be {"name","type","label":{"sl","en"},…}');
    return null;
  }
  let ok = true;
  const fail: Bad = (...p) => {
    ok = false;
    bad(...p);
  };
  for (const key of Object.keys(f))
    if (!FIELD_MEMBERS.has(key))
      fail(
        "invalid_form",
        `${at}.${key}`,
        "is not a member of a field (name, type, label, required, max, min, options)",
      );
  const name = f.name;
  if (typeof name !== "string" || !FIELD_NAME.test(name))
    fail(
      "invalid_form",
      `${at}.name`,
      "must be 1–40 lower-case letters, digits and '_', not starting with '_'",
    );
  else if (BUILTIN_NAMES.has(name))
    fail("invalid_form", `${at}.name`, "is the name of a built-in field: choose another");
  else if (EXPORT_KEYS.has(name))
    fail("invalid_form", `${at}.name`, "is a name the export uses for itself: choose another");
  const type = f.type;
  if (typeof type !== "string" || !(OWN_FIELD_TYPES as readonly string[]).includes(type))
    fail("invalid_form", `${at}.type`, `must be one of ${OWN_FIELD_TYPES.join(", ")}`);
  const label = readLabel(f.label, `${at}.label`, fail);
  if (f.required !== undefined && typeof f.required !== "boolean")
    fail("invalid_form", `${at}.required`, "must be true or false");

  const t = type as OwnFieldType;
  const limit = (key: "min" | "max"): number | undefined => {
    const v = f[key];
    if (v === undefined) return undefined;
    const text = t === "text" || t === "textarea";
    if (t !== "number" && !text) {
      fail("invalid_form", `${at}.${key}`, `is only for number, text and textarea fields`);
      return undefined;
    }
    if (
      typeof v !== "number" ||
      !Number.isFinite(v) ||
      (text && (!Number.isInteger(v) || v < 0 || v > TEXT_MAX_LIMIT))
    ) {
      fail(
        "invalid_form",
        `${at}.${key}`,
        text ? `must be a whole number of characters up to ${TEXT_MAX_LIMIT}` : "must be a number",
      );
      return undefined;
    }
    return v;
  };
  const min = limit("min");
  const max = limit("max");
  if (min !== undefined && max !== undefined && min > max)
    fail("invalid_form", `${at}.min`, "is greater than max");

  let options: Option[] | undefined;
  if (t === "choice") {
    if (!Array.isArray(f.options) || f.options.length === 0)
      fail("invalid_form", `${at}.options`, "must list at least one option");
    else {
      options = [];
      f.options.forEach((o: unknown, i) => {
        const oat = `${at}.options[${i}]`;
        const option =
          typeof o === "string" && goodText(o)
            ? { id: o.trim(), label: { sl: o.trim(), en: o.trim() } }
            : isObject(o)
              ? readOption(o, oat, fail)
              : null;
        if (!option) {
          if (typeof o === "string" || !isObject(o))
            fail("invalid_form", oat, 'must be a name or {"id","label":{"sl","en"}}');
        } else if (options!.some((x) => answersAlike(x, option)))
          fail("invalid_form", oat, "has the id or a label of an earlier option");
        else options!.push(option);
      });
    }
  } else if (f.options !== undefined)
    fail("invalid_form", `${at}.options`, "is only for choice fields");

  if (!ok || !label) return null;
  const text = t === "text" || t === "textarea";
  return {
    name: name as string,
    type: t,
    label,
    required: f.required === true,
    ...(min !== undefined ? { min } : {}),
    ...(max !== undefined ? { max } : text ? { max: OWN_TEXT_MAX[t] } : {}),
    ...(options ? { options } : {}),
    builtin: false,
    staff: true,
    rectifiable: true,
  };
}

/** `https:` (plain `http:` only for localhost and 127.0.0.1), as every link the worker prints. */
function isWebUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const u = new URL(value);
  if (u.username || u.password) return false;
  if (u.protocol === "https:") return true;
  return u.protocol === "http:" && (u.hostname === "localhost" || u.hostname === "127.0.0.1");
}

/** A zone `Intl` knows (ECMA-402 reads the IANA database's names). */
function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return zone.trim() !== "";
  } catch {
    return false;
  }
}

/**
 * Whether two choices would answer to one posted value: a post may send the id
 * or either label, so an id or label shared by two would store one of them
 * where the visitor picked the other.
 */
function answersAlike(a: Option, b: Option): boolean {
  const names = (o: Option) => [o.id, o.label.sl, o.label.en];
  const taken = new Set(names(a));
  return names(b).some((n) => taken.has(n));
}
