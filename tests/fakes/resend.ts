/**
 * A fake of Resend's POST /emails that checks requests the way the real API
 * does (auth, required fields, address formats, attachment encoding and size,
 * idempotency) and can be told to fail. Plain web APIs only, so the same class
 * serves the workerd tests and, wrapped in a Node server, the browser and load tests.
 */

export type Failure =
  | { kind: "network" }
  | { kind: "timeout"; ms: number }
  /** Resend accepts and sends the e-mail, but the answer never reaches the worker. */
  | { kind: "lost_response" }
  | { kind: "status"; status: number; name?: string; retryAfter?: number };

export interface AcceptedEmail {
  id: string;
  idempotencyKey: string | null;
  body: EmailBody;
  receivedAt: number;
}

export interface EmailBody {
  from: string;
  to: string | string[];
  subject: string;
  reply_to?: string | string[];
  html?: string;
  text?: string;
  headers?: Record<string, string>;
  attachments?: { filename?: string; content?: string; path?: string; content_type?: string }[];
  [key: string]: unknown;
}

const EMAIL = /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)+$/;
const NAMED = /^([^<>\r\n]*)<([^<>\r\n]+)>$/;
// RFC 5322 §3.2.3 specials: a display name holding one must be a quoted-string, or the
// address list is misread (`Novak, Sales <a@b.si>` is two "addresses") and the send refused.
const SPECIALS = /[()<>[\]:;@\\,."]/;
const QUOTED = /^"(?:[^"\\]|\\.)*"$/;
const MAX_EMAIL_BYTES = 40 * 1024 * 1024;

function addressOk(value: string): boolean {
  const m = NAMED.exec(value.trim());
  if (!m) return EMAIL.test(value.trim());
  const name = m[1]!.trim();
  if (name !== "" && !QUOTED.test(name) && SPECIALS.test(name)) return false;
  return EMAIL.test(m[2]!);
}

function error(status: number, name: string, message: string, headers: HeadersInit = {}) {
  return new Response(JSON.stringify({ statusCode: status, name, message }), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

function base64Bytes(content: string): number | null {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(content) || content.length % 4 !== 0) return null;
  return (content.length / 4) * 3 - (content.endsWith("==") ? 2 : content.endsWith("=") ? 1 : 0);
}

export class FakeResend {
  readonly apiKey: string;
  /** Every request that reached the fake, in order, with its parsed body. */
  readonly requests: { headers: Headers; body: unknown; status: number }[] = [];
  /** Each e-mail Resend would have sent: repeats with the same key are not here twice. */
  readonly emails: AcceptedEmail[] = [];
  /** How many failures of each kind the fake has injected (`status:429`, `timeout`, …). */
  readonly injected = new Map<string, number>();
  private readonly failures: Failure[] = [];
  private readonly byKey = new Map<string, { payload: string; id: string }>();
  private readonly inFlight = new Set<string>();
  private failRate = 0;
  private failWith: Failure[] = [];
  private random: () => number = Math.random;
  private counter = 0;

  constructor(apiKey = "re_test_0123456789") {
    this.apiKey = apiKey;
  }

  /** The next `n` requests fail with `failure`, in order. */
  failNext(failure: Failure, n = 1): this {
    for (let i = 0; i < n; i++) this.failures.push(failure);
    return this;
  }

  /** From now on a share `rate` of requests fails with one of `kinds`. */
  failRandomly(rate: number, kinds: Failure[], random: () => number = Math.random): this {
    this.failRate = rate;
    this.failWith = kinds;
    this.random = random;
    return this;
  }

  stopFailing(): this {
    this.failures.length = 0;
    this.failRate = 0;
    return this;
  }

  /** Handles one HTTP request; throws (like fetch) for a simulated network error. */
  async handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    let parsed: unknown = null;
    const text = await request.text();
    try {
      parsed = JSON.parse(text);
    } catch {
      // kept as null; answered below
    }
    const record = (res: Response) => {
      this.requests.push({ headers: request.headers, body: parsed, status: res.status });
      return res;
    };

    const failure = this.failures.shift() ?? this.randomFailure();
    if (failure) {
      const kind = failure.kind === "status" ? `status:${failure.status}` : failure.kind;
      this.injected.set(kind, (this.injected.get(kind) ?? 0) + 1);
    }
    if (failure?.kind === "network") {
      this.requests.push({ headers: request.headers, body: parsed, status: 0 });
      throw new TypeError("Network connection lost.");
    }
    if (failure?.kind === "timeout") {
      this.requests.push({ headers: request.headers, body: parsed, status: 0 });
      await new Promise((r) => setTimeout(r, failure.ms));
      throw new DOMException("The operation timed out.", "TimeoutError");
    }
    if (failure?.kind === "status") {
      const headers: Record<string, string> =
        failure.retryAfter !== undefined ? { "retry-after": String(failure.retryAfter) } : {};
      const name =
        failure.name ??
        (failure.status === 429
          ? "rate_limit_exceeded"
          : failure.status >= 500
            ? "internal_server_error"
            : "validation_error");
      return record(error(failure.status, name, "Injected failure.", headers));
    }

    if (request.method !== "POST" || url.pathname !== "/emails") {
      return record(error(405, "method_not_allowed", "Method or path not allowed."));
    }
    const auth = request.headers.get("authorization");
    if (!auth)
      return record(error(401, "missing_api_key", "Missing API key in the authorization header."));
    if (auth !== `Bearer ${this.apiKey}`)
      return record(error(403, "invalid_api_key", "API key is invalid."));
    if (!(request.headers.get("content-type") ?? "").startsWith("application/json")) {
      return record(error(400, "invalid_request", "Content-Type must be application/json."));
    }
    if (parsed === null || typeof parsed !== "object") {
      return record(error(422, "validation_error", "Body must be a JSON object."));
    }
    const problem = this.validate(parsed as EmailBody, text.length);
    if (problem) return record(error(422, "validation_error", problem));

    const key = request.headers.get("idempotency-key");
    const body = parsed as EmailBody;
    if (key !== null) {
      if (key.length < 1 || key.length > 256) {
        return record(
          error(422, "invalid_idempotency_key", "Idempotency key must be 1-256 characters."),
        );
      }
      const known = this.byKey.get(key);
      if (known) {
        if (known.payload !== text) {
          return record(
            error(
              409,
              "invalid_idempotent_request",
              "Same idempotency key used with a different payload.",
            ),
          );
        }
        return record(Response.json({ id: known.id }));
      }
      if (this.inFlight.has(key)) {
        return record(
          error(409, "concurrent_idempotent_requests", "Same key is already being processed."),
        );
      }
      this.inFlight.add(key);
    }
    const id = `fake-${++this.counter}-${crypto.randomUUID()}`;
    this.emails.push({ id, idempotencyKey: key, body, receivedAt: Date.now() });
    if (key !== null) {
      this.byKey.set(key, { payload: text, id });
      this.inFlight.delete(key);
    }
    if (failure?.kind === "lost_response") {
      this.requests.push({ headers: request.headers, body: parsed, status: 0 });
      throw new TypeError("Network connection lost.");
    }
    return record(Response.json({ id }));
  }

  private randomFailure(): Failure | undefined {
    if (this.failRate <= 0 || this.failWith.length === 0) return undefined;
    if (this.random() >= this.failRate) return undefined;
    return this.failWith[Math.floor(this.random() * this.failWith.length)];
  }

  private validate(b: EmailBody, rawLength: number): string | null {
    if (rawLength > MAX_EMAIL_BYTES) return "The email exceeds the 40MB size limit.";
    if (typeof b.from !== "string" || !addressOk(b.from)) {
      return "Invalid `from` field. The email address needs to follow the `email@example.com` or `Name <email@example.com>` format.";
    }
    const to = Array.isArray(b.to) ? b.to : [b.to];
    if (
      to.length === 0 ||
      to.length > 50 ||
      !to.every((a) => typeof a === "string" && addressOk(a))
    ) {
      return "Invalid `to` field.";
    }
    if (b.reply_to !== undefined) {
      const rt = Array.isArray(b.reply_to) ? b.reply_to : [b.reply_to];
      if (!rt.every((a) => typeof a === "string" && addressOk(a)))
        return "Invalid `reply_to` field.";
    }
    if (typeof b.subject !== "string" || b.subject.length === 0) return "Missing `subject` field.";
    if (/[\r\n]/.test(b.subject)) return "Invalid `subject` field.";
    if (typeof b.html !== "string" && typeof b.text !== "string") {
      return "Missing `html` or `text` field.";
    }
    for (const a of b.attachments ?? []) {
      if (typeof a.filename !== "string" || a.filename.length === 0)
        return "Attachment needs a filename.";
      if (/[\r\n"\\/]/.test(a.filename)) return "Invalid attachment filename.";
      if (typeof a.content !== "string" && typeof a.path !== "string") {
        return "Attachment needs `content` or `path`.";
      }
      if (typeof a.content === "string" && base64Bytes(a.content) === null) {
        return "Attachment content must be base64 encoded.";
      }
    }
    return null;
  }

  /** An accepted e-mail's attachment bytes, decoded. */
  static attachmentBytes(email: AcceptedEmail, index = 0): Uint8Array {
    const content = email.body.attachments?.[index]?.content ?? "";
    return Uint8Array.from(atob(content), (c) => c.charCodeAt(0));
  }
}
