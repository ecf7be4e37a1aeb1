// One address with a dot in the domain: the same shape as the form's e-mail rule.
const ADDRESS = /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)+$/;
// `Display name <address>`: no angle bracket in the name, exactly one pair around the address.
const NAME_ADDR = /^([^<>]*)<([^<>]*)>$/;
// RFC 5322 §3.2.3 "specials": a display name holding one of them must be a quoted-string.
const SPECIALS = /[()<>[\]:;@\\,."]/;
// RFC 5322 §3.2.4 quoted-string: `"`, then text where `"` and `\` appear only escaped, then `"`.
const QUOTED_STRING = /^"(?:[^"\\]|\\.)*"$/;
const CONTROL = /[\x00-\x1f\x7f]/;

/**
 * Reads one mailbox as Resend's `from`/`to` take it: `addr@domain` or
 * `Display Name <addr@domain>` (RFC 5322 §3.4 name-addr). A display name with
 * RFC 5322 specials (a comma, a dot, quotes, …) is returned quoted, with `"` and
 * `\` escaped (§3.2.4), because Resend, like every mail system, reads an
 * unquoted comma as the end of one address: `Novak, Sales <a@b.si>` becomes
 * `"Novak, Sales" <a@b.si>`. A name already written as a quoted-string is kept.
 *
 * Returns the mailbox to send with, or null when it cannot be one (no address,
 * an address the form's rule would refuse, an angle bracket or a control
 * character in the name).
 */
export function normaliseMailbox(value: string): string | null {
  const input = value.trim();
  if (CONTROL.test(input)) return null;
  if (!input.includes("<")) return ADDRESS.test(input) ? input : null;
  const m = NAME_ADDR.exec(input);
  if (!m) return null;
  const name = m[1]!.trim();
  const address = m[2]!.trim();
  if (!ADDRESS.test(address)) return null;
  if (name === "") return address;
  if (QUOTED_STRING.test(name)) return `${name} <${address}>`;
  if (!SPECIALS.test(name)) return `${name} <${address}>`;
  return `"${name.replace(/["\\]/g, (c) => `\\${c}`)}" <${address}>`;
}

/**
 * Splits a comma-separated list of mailboxes, leaving commas inside a quoted
 * display name alone: `"Novak, Sales" <a@b.si>, c@d.si` is two mailboxes.
 * One pass over the characters, so no input can make it slow.
 */
export function splitMailboxes(value: string): string[] {
  const parts: string[] = [];
  let current = "";
  let quoted = false;
  let escaped = false;
  for (const ch of value) {
    if (escaped) escaped = false;
    else if (quoted && ch === "\\") escaped = true;
    else if (ch === '"') quoted = !quoted;
    else if (ch === "," && !quoted) {
      parts.push(current);
      current = "";
      continue;
    }
    current += ch;
  }
  parts.push(current);
  return parts.map((s) => s.trim()).filter(Boolean);
}

/**
 * `mailbox` (as `normaliseMailbox` returned it) with its display name
 * replaced by `name`, quoted where RFC 5322 §3.2.3 specials require it:
 * `Firma d.o.o.` and `forms@firma.si` give `"Firma d.o.o." <forms@firma.si>`.
 * Control characters and angle brackets in `name` become spaces.
 */
export function displayNameMailbox(name: string, mailbox: string): string {
  const m = NAME_ADDR.exec(mailbox);
  const address = m ? m[2]!.trim() : mailbox;
  const clean = name.replace(/[\x00-\x1f\x7f<>]/g, " ").trim();
  if (clean === "") return address;
  if (!SPECIALS.test(clean)) return `${clean} <${address}>`;
  return `"${clean.replace(/["\\]/g, (c) => `\\${c}`)}" <${address}>`;
}
