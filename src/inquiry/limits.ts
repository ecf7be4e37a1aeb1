/**
 * Field lengths, written once: the validator enforces them
 * and the reference form states them as `minlength`/`maxlength`, so the two
 * cannot drift. Lengths count UTF-16 code units, as both zod's `maxLength`
 * and the HTML `maxlength` attribute do.
 */
export const FIELD_LIMITS = {
  name: { min: 2, max: 120 },
  /** RFC 5321 §4.5.3.1.3: a path is at most 256 octets, 254 of them the address. */
  email: { max: 254 },
  /** Characters, and separately digits (ITU-T E.164 numbers have at most 15). */
  phone: { max: 32, minDigits: 6, maxDigits: 15 },
  company: { max: 160 },
  message: { min: 1, max: 5000 },
} as const;
