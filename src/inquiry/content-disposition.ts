/**
 * A multipart/form-data part's `Content-Disposition`, read the way real
 * clients write it. The multipart library frames the parts; its own header
 * parser unescapes every backslash (so an old browser's `C:\Users\a.pdf`
 * loses its separators) and knows neither the HTML escapes nor RFC 2047, so
 * the parameters are read here. Every loop is a single forward scan.
 */
export interface PartDisposition {
  /** The disposition type, lower-cased; RFC 7578 §4.2 requires `form-data`. */
  type: string;
  /** The field name, or undefined when the part has none. */
  name: string | undefined;
  /**
   * The file's own name (last path segment only), or undefined for a text
   * field: `filename*` first (RFC 6266 §4.3, RFC 8187), else `filename`
   * (RFC 2047 encoded-words decoded, HTML's %22/%0D/%0A escapes undone).
   */
  filename: string | undefined;
  /**
   * The part had a second `Content-Disposition` header, which RFC 7578 §4.2
   * does not allow (each part has exactly one): the multipart library joins
   * repeated headers into one value with ", " (RFC 9110 §5.3).
   */
  repeated: boolean;
}

// RFC 9110 §5.6.2 token.
const TOKEN_ALONE = /^[ \t]*[!#$%&'*+.^_`|~0-9A-Za-z-]+[ \t]*$/;
const TYPES = new Set(["form-data", "attachment", "inline"]);

/**
 * Whether the text between a parameter's value and the next ";" (or the
 * end) is ", " and a disposition type, i.e. a second header joined on. A
 * comma is no part of a token (RFC 6266 §4.1), so one outside a quoted
 * string followed by a token and ";" starts another disposition; at the very
 * end only a known disposition type counts, so an unquoted file name with a
 * comma ("a, b.pdf") is not taken for one.
 */
function joinedOn(rest: string, endedBySemicolon: boolean): boolean {
  const comma = rest.lastIndexOf(",");
  if (comma < 0) return false;
  const tail = rest.slice(comma + 1);
  if (!TOKEN_ALONE.test(tail)) return false;
  return endedBySemicolon || TYPES.has(tail.trim().toLowerCase());
}

/** Parses one header value; parameters named twice keep their first value. Linear. */
export function parseDisposition(value: string): PartDisposition {
  const params = new Map<string, string>();
  const n = value.length;
  let repeated = false;
  let i = value.indexOf(";");
  if (i < 0) i = n;
  const type = value.slice(0, i).trim().toLowerCase();
  while (i < n) {
    i++; // past ";"
    let start = i;
    while (i < n && value[i] !== "=" && value[i] !== ";") i++;
    const key = value.slice(start, i).trim().toLowerCase();
    if (value[i] !== "=") continue; // a parameter without a value means nothing here
    i++;
    while (value[i] === " " || value[i] === "\t") i++;
    let v: string;
    if (value[i] === '"') {
      // RFC 9110 §5.6.4 quoted-string. A backslash escapes only `"` and `\`:
      // older browsers sent Windows paths unescaped (as Go's mime package
      // also allows), and browsers today percent-escape `"` instead.
      const chars: string[] = [];
      i++;
      while (i < n && value[i] !== '"') {
        if (value[i] === "\\" && (value[i + 1] === '"' || value[i + 1] === "\\")) i++;
        chars.push(value[i]!);
        i++;
      }
      v = chars.join("");
      start = i + 1;
      while (i < n && value[i] !== ";") i++;
      if (joinedOn(value.slice(start, i), i < n)) repeated = true;
    } else {
      start = i;
      while (i < n && value[i] !== ";") i++;
      v = value.slice(start, i).trim();
      if (joinedOn(v, i < n)) repeated = true;
    }
    if (key !== "" && !params.has(key)) params.set(key, v);
  }

  const name = params.get("name");
  const star = params.get("filename*");
  const plain = params.get("filename");
  let filename: string | undefined;
  if (star !== undefined) filename = decodeExtValue(star) ?? undefined;
  if (filename === undefined && plain !== undefined) {
    filename = decodeEncodedWords(plain) ?? undoHtmlEscapes(plain);
  }
  if (filename === undefined && star !== undefined) filename = "";
  return {
    type,
    name: name === undefined ? undefined : undoHtmlEscapes(name),
    filename: filename === undefined ? undefined : lastPathSegment(filename),
    repeated,
  };
}

/**
 * The HTML standard's multipart/form-data encoding escapes LF, CR and `"` in
 * names and file names as %0A, %0D and %22, and nothing else (so a literal
 * "%41" in a file name stays "%41"); the Fetch standard's parser undoes these three.
 */
function undoHtmlEscapes(s: string): string {
  if (!s.includes("%")) return s;
  return s.replace(/%(?:0a|0d|22)/gi, (m) => String.fromCharCode(parseInt(m.slice(1), 16)));
}

/** RFC 7578 §4.2: a path in a file name is not part of the name. */
function lastPathSegment(s: string): string {
  return s.slice(Math.max(s.lastIndexOf("/"), s.lastIndexOf("\\")) + 1);
}

/** Text in `charset` from bytes, or null when the charset is unknown or the bytes are not valid in it. */
function decodeBytes(bytes: Uint8Array, charset: string): string | null {
  try {
    return new TextDecoder(charset.trim(), { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return null;
  }
}

/**
 * RFC 8187 §3.2 ext-value: `charset'language'pct-encoded`, e.g.
 * `UTF-8''ponudba_%C4%8D.pdf`. Raw non-ASCII characters, which some clients
 * leave unencoded, are taken as their UTF-8 bytes. Null when undecodable.
 */
function decodeExtValue(value: string): string | null {
  const q1 = value.indexOf("'");
  const q2 = q1 < 0 ? -1 : value.indexOf("'", q1 + 1);
  if (q2 < 0) return null;
  const charset = value.slice(0, q1);
  const encoded = value.slice(q2 + 1);
  const bytes: number[] = [];
  const utf8 = new TextEncoder();
  for (let i = 0; i < encoded.length; i++) {
    const c = encoded[i]!;
    const hex = encoded.slice(i + 1, i + 3);
    if (c === "%" && /^[0-9a-f]{2}$/i.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      const cp = encoded.codePointAt(i)!;
      if (cp > 0xffff) i++;
      bytes.push(...utf8.encode(String.fromCodePoint(cp)));
    }
  }
  return decodeBytes(new Uint8Array(bytes), charset);
}

/**
 * A file name sent as RFC 2047 encoded-words (`=?UTF-8?B?…?=`), as .NET's
 * HttpClient and some mail-minded clients write non-ASCII names. Only when
 * the whole value is encoded-words separated by white space (RFC 2047 §6.2:
 * that white space is dropped); otherwise null and the value is taken as is.
 */
export function decodeEncodedWords(value: string): string | null {
  const words = value.trim().split(/[ \t]+/);
  if (words.length === 0 || words[0] === "") return null;
  let out = "";
  for (const word of words) {
    if (!word.startsWith("=?") || !word.endsWith("?=")) return null;
    const inner = word.slice(2, -2).split("?");
    if (inner.length !== 3) return null;
    // RFC 2231 §5 allows a language after the charset: "UTF-8*sl".
    const charset = inner[0]!.split("*", 1)[0]!;
    const encoding = inner[1]!.toUpperCase();
    const text = inner[2]!;
    let bytes: Uint8Array;
    if (encoding === "B") {
      try {
        bytes = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
      } catch {
        return null;
      }
    } else if (encoding === "Q") {
      const b: number[] = [];
      for (let i = 0; i < text.length; i++) {
        const c = text[i]!;
        const hex = text.slice(i + 1, i + 3);
        if (c === "_") b.push(0x20);
        else if (c === "=" && /^[0-9a-f]{2}$/i.test(hex)) {
          b.push(parseInt(hex, 16));
          i += 2;
        } else b.push(c.charCodeAt(0) & 0xff);
      }
      bytes = new Uint8Array(b);
    } else return null;
    const decoded = decodeBytes(bytes, charset);
    if (decoded === null) return null;
    out += decoded;
  }
  return out;
}
