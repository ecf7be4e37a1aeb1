/**
 * The one fake of Resend's `POST /emails`. It checks requests the way the real
 * API does (auth, required fields, address formats, attachment encoding and
 * size, idempotency), fetches `path` attachments as Resend does, and can be
 * told to fail. Plain web APIs only, so the same class serves the workerd
 * tests, the browser and load tests, and the mail catcher of `npm run dev`
 * (both wrapped in a Node server by scripts/lib/mail-catcher.ts).
 *
 * Error bodies have Resend's shape, `{ statusCode, name, message }`, with the
 * names and statuses of https://resend.com/docs/api-reference/errors; the
 * idempotency rules are those of
 * https://resend.com/docs/dashboard/emails/idempotency-keys; the address
 * message is the one Resend answers for a bad `from`/`to`/`reply_to`.
 *
 * Rate limit (`rateLimit`): as https://resend.com/docs/api-reference/introduction
 * "Rate limit" and the changelog "API Rate Limit" describe it: N requests per
 * second per team (default 2), every answer carrying the IETF draft headers
 * `ratelimit-limit`, `ratelimit-remaining`, `ratelimit-reset`, and a request
 * over it answered 429 `rate_limit_exceeded` with `retry-after` (seconds).
 * Link fetches (`blockLinkFetches`): a WAF or bot rule in front of the worker
 * answers Resend's fetcher 403, so Resend refuses the mail with a 422 naming
 * the attachment.
 */

export type Failure =
  | { kind: "network" }
  | { kind: "timeout"; ms: number }
  /** Resend accepts and sends the e-mail, but the answer never reaches the worker. */
  | { kind: "lost_response" }
  | { kind: "status"; status: number; name?: string; retryAfter?: number };

/** What the failure switch can make every send answer (the dev catcher exposes it). */
export type RefuseStatus = 403 | 422 | 500;
/** The failure switch: a status every send is refused with, or "hang": no answer at all. */
export type RefuseMode = RefuseStatus | "hang";
/**
 * Sends held at once in "hang" mode; more are dropped at once (a lost connection),
 * so a flood of retries cannot pile up open sockets in the catcher.
 */
export const MAX_HELD = 16;

export interface AcceptedAttachment {
  filename: string;
  contentType: string | null;
  /** The decoded content, or the bytes fetched from `path`. */
  bytes: Uint8Array;
  /** The URL the bytes were fetched from, for a `path` attachment. */
  path: string | null;
}

export interface AcceptedEmail {
  id: string;
  idempotencyKey: string | null;
  body: EmailBody;
  attachments: AcceptedAttachment[];
  /** Milliseconds since the epoch, by the fake's clock. */
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

export interface RecordedRequest {
  headers: Headers;
  /** The parsed JSON body, or null. */
  body: unknown;
  /** The status answered; 0 when no answer reached the caller. */
  status: number;
  /** Resend's error name when refused, e.g. `validation_error`. */
  error: string | null;
  /** When it arrived, by the fake's clock (milliseconds). */
  at: number;
}

export interface FakeResendOptions {
  apiKey?: string;
  /** Fetches `path` attachments; workerd tests route it to the worker's own fetch. */
  fetch?: (request: Request) => Promise<Response>;
  /** The clock for the 24-hour idempotency window, in milliseconds. */
  now?: () => number;
}

/** Resend: at most 40 MB per e-mail, attachments counted after base64 encoding. */
export const MAX_EMAIL_BYTES = 40 * 1000 * 1000;
/** Resend's default rate limit: requests per second per team. */
export const DEFAULT_RATE_LIMIT = 2;
/** Resend keeps an idempotency key for 24 hours. */
export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;
const MAX_RECIPIENTS = 50;
const PATH_FETCH_TIMEOUT_MS = 30_000;

type Problem = { status: number; name: string; message: string };

const addressProblem = (field: string): Problem => ({
  status: 422,
  name: "validation_error",
  message: `Invalid \`${field}\` field. The email address needs to follow the \`email@example.com\` or \`Name <email@example.com>\` format.`,
});
const missing = (field: string): Problem => ({
  status: 422,
  name: "missing_required_field",
  message: `Missing \`${field}\` field.`,
});
const invalid = (message: string): Problem => ({ status: 422, name: "validation_error", message });
const badAttachment = (message: string): Problem => ({
  status: 422,
  name: "invalid_attachment",
  message,
});

const REFUSALS: Record<RefuseStatus, Omit<Problem, "status">> = {
  403: {
    name: "validation_error",
    message: "The example.com domain is not verified. Please, add and verify your domain.",
  },
  422: { name: "validation_error", message: "Refused by the fake's failure switch." },
  500: { name: "internal_server_error", message: "An unexpected error occurred." },
};

function errorResponse(p: Problem, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ statusCode: p.status, name: p.name, message: p.message }), {
    status: p.status,
    headers: { "content-type": "application/json", ...headers },
  });
}

// RFC 5322 section 3.2.3 atext; each test is a single character class, linear.
const ATEXT = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+$/;
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
// RFC 5322 section 3.2.3 specials that an unquoted display name may not hold ("." is
// allowed, as obs-phrase does and Resend accepts `Acme Inc. <a@b.com>`).
const DISPLAY_SPECIALS = new Set([...'()<>[]:;@\\,"', "\r", "\n"]);

/**
 * An addr-spec as Resend takes it: a dot-atom local part of at most 64
 * characters (RFC 5321 section 4.5.3.1.1; no dot at either end, none doubled)
 * and a domain of two or more DNS labels.
 */
export function addrSpecOk(value: string): boolean {
  const at = value.lastIndexOf("@");
  if (at <= 0) return false;
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (local.length > 64 || !local.split(".").every((atom) => ATEXT.test(atom))) return false;
  const labels = domain.split(".");
  return (
    domain.length <= 253 &&
    labels.length >= 2 &&
    labels.every((l) => LABEL.test(l)) &&
    !/^[0-9]+$/.test(labels[labels.length - 1]!)
  );
}

/** A quoted display name (RFC 5322 section 3.2.4): no bare `"` or `\` inside, no line break. */
function quotedOk(s: string): boolean {
  if (s.length < 2 || !s.startsWith('"') || !s.endsWith('"')) return false;
  for (let i = 1; i < s.length - 1; i++) {
    const c = s[i]!;
    if (c === "\r" || c === "\n") return false;
    if (c === "\\") i++;
    else if (c === '"') return false;
  }
  return true;
}

/** `email@example.com`, `Name <email@example.com>` or `"Name, Specials" <email@example.com>`. */
export function addressOk(raw: string): boolean {
  const value = raw.trim();
  if (!value.endsWith(">")) return addrSpecOk(value);
  const lt = value.lastIndexOf("<");
  if (lt < 0) return false;
  const display = value.slice(0, lt).trim();
  const spec = value.slice(lt + 1, -1);
  if (!addrSpecOk(spec)) return false;
  if (display === "" || display.startsWith('"')) return display === "" || quotedOk(display);
  for (const c of display) if (DISPLAY_SPECIALS.has(c) || c < " ") return false;
  return true;
}

/** Bytes a base64 string decodes to, or null when it is not base64. */
function base64Bytes(content: string): number | null {
  if (content.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(content)) return null;
  return (content.length / 4) * 3 - (content.endsWith("==") ? 2 : content.endsWith("=") ? 1 : 0);
}

function decodeBase64(content: string): Uint8Array {
  return Uint8Array.from(atob(content), (c) => c.charCodeAt(0));
}

/** JSON with sorted keys, so a repeat is recognised whatever order its fields come in. */
function canonical(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v === null || typeof v !== "object") return v;
    const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const k of Object.keys(v).sort()) out[k] = sort((v as Record<string, unknown>)[k]);
    return out;
  };
  return JSON.stringify(sort(value));
}

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);

export class FakeResend {
  readonly apiKey: string;
  /** Every request that reached the fake, in order, with its parsed body. */
  readonly requests: RecordedRequest[] = [];
  /** Each e-mail Resend would have sent: repeats with the same key are not here twice. */
  readonly emails: AcceptedEmail[] = [];
  /** How many failures of each kind the fake has injected (`status:429`, `timeout`, …). */
  readonly injected = new Map<string, number>();
  private readonly failures: Failure[] = [];
  private readonly byKey = new Map<string, { payload: string; id: string; at: number }>();
  private readonly inFlight = new Set<string>();
  private readonly fetchPath: (request: Request) => Promise<Response>;
  private readonly now: () => number;
  private refusal: RefuseMode | null = null;
  /** Releases of the sends "hang" mode holds. */
  private readonly held = new Set<() => void>();
  private failRate = 0;
  private failWith: Failure[] = [];
  private random: () => number = Math.random;
  private decide: ((at: number) => Failure | undefined) | null = null;
  /** Requests per second, or null: no limit. */
  private limit: number | null = null;
  private window = { second: -1, used: 0 };
  private secondMs = 1000;
  private linkBlockRate = 0;
  private linkRandom: () => number = Math.random;
  /** Link fetches a WAF in front of the worker refused (`blockLinkFetches`). */
  linkFetchesBlocked = 0;

  constructor(options: FakeResendOptions | string = {}) {
    const o = typeof options === "string" ? { apiKey: options } : options;
    this.apiKey = o.apiKey ?? "re_test_0123456789";
    this.fetchPath = o.fetch ?? ((request) => fetch(request));
    this.now = o.now ?? Date.now;
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

  /**
   * From now on each request asks `decide` (given the fake's clock, ms) whether
   * it fails and how: a rate, a burst or an outage window by that clock
   * (testing/bindings.ts builds such deciders). Null: none.
   */
  failWhen(decide: ((at: number) => Failure | undefined) | null): this {
    this.decide = decide;
    return this;
  }

  /**
   * Enforces Resend's rate limit: at most `perSecond` requests in each second of
   * the fake's clock; more are answered 429 `rate_limit_exceeded`, nothing sent.
   * `secondMs` shortens the fake's second (a load test's time, scaled).
   */
  rateLimit(perSecond: number | null = DEFAULT_RATE_LIMIT, secondMs = 1000): this {
    this.limit = perSecond;
    this.secondMs = secondMs;
    return this;
  }

  /**
   * A share `rate` (1: all) of the fetches of `path` attachments is answered 403
   * before it reaches the worker, as Cloudflare's Bot Fight Mode or a WAF rule
   * answers Resend's fetcher; Resend then refuses the mail (422, naming the attachment).
   */
  blockLinkFetches(rate = 1, random: () => number = Math.random): this {
    this.linkBlockRate = rate;
    this.linkRandom = random;
    return this;
  }

  /** The rate-limit headers for one request, and whether it is over the limit. */
  private rateWindow(): { headers: Record<string, string>; over: boolean } {
    if (this.limit === null) return { headers: {}, over: false };
    const at = this.now();
    const second = Math.floor(at / this.secondMs);
    if (second !== this.window.second) this.window = { second, used: 0 };
    const over = this.window.used >= this.limit;
    if (!over) this.window.used++;
    // Whole seconds, as Resend gives them (never 0: "retry now" would be hammered).
    const reset = Math.max(1, Math.ceil(((second + 1) * this.secondMs - at) / 1000));
    const headers: Record<string, string> = {
      "ratelimit-limit": String(this.limit),
      "ratelimit-remaining": String(Math.max(0, this.limit - this.window.used)),
      "ratelimit-reset": String(reset),
    };
    if (over) headers["retry-after"] = String(reset);
    return { headers, over };
  }

  /** The failure switch: every send from now on is refused with `status`, until `stopFailing`. */
  refuseAll(status: RefuseMode): this {
    this.releaseHeld();
    this.refusal = status;
    return this;
  }

  /** What the failure switch is set to: a status every send is refused with, "hang", or null. */
  get refusing(): RefuseMode | null {
    return this.refusal;
  }

  /** Sends "hang" mode holds right now (at most MAX_HELD). */
  get holding(): number {
    return this.held.size;
  }

  /** Ends every held send as a lost connection: on a change of mode, and when the catcher closes. */
  releaseHeld(): void {
    for (const release of [...this.held]) release();
  }

  /**
   * "hang": no answer until the caller gives up (its `signal` aborts, as the
   * worker's send timeout does) or the hold is released; then, as fetch
   * would, a lost connection. Recorded with status 0, like a network failure.
   */
  private async hang(request: Request, lost: () => TypeError): Promise<never> {
    const error = lost();
    if (this.held.size >= MAX_HELD || request.signal.aborted) throw error;
    await new Promise<void>((resolve) => {
      const release = () => {
        this.held.delete(release);
        request.signal.removeEventListener("abort", release);
        resolve();
      };
      this.held.add(release);
      request.signal.addEventListener("abort", release);
    });
    throw error;
  }

  /** Accepts sends again: clears the failure switch and every injected failure. */
  stopFailing(): this {
    this.failures.length = 0;
    this.failRate = 0;
    this.refusal = null;
    this.decide = null;
    this.limit = null;
    this.linkBlockRate = 0;
    this.releaseHeld();
    return this;
  }

  /** Handles one HTTP request; throws (like fetch) for a simulated network error. */
  async handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const text = await request.text();
    let parsed: unknown = null;
    try {
      parsed = JSON.parse(text);
    } catch {
      // kept as null; answered below
    }
    const record = (res: Response, error: string | null = null) => {
      const at = this.now();
      this.requests.push({ headers: request.headers, body: parsed, status: res.status, error, at });
      return res;
    };
    const fail = (p: Problem, headers: Record<string, string> = {}) =>
      record(errorResponse(p, headers), p.name);
    const lost = () => {
      const at = this.now();
      this.requests.push({ headers: request.headers, body: parsed, status: 0, error: null, at });
      return new TypeError("Network connection lost.");
    };

    const failure = this.failures.shift() ?? this.decide?.(this.now()) ?? this.randomFailure();
    if (failure) {
      const kind = failure.kind === "status" ? `status:${failure.status}` : failure.kind;
      this.injected.set(kind, (this.injected.get(kind) ?? 0) + 1);
    }
    if (failure?.kind === "network") throw lost();
    if (failure?.kind === "timeout") {
      lost();
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
      const message = "Injected failure.";
      return fail({ status: failure.status, name, message }, headers);
    }

    if (url.pathname !== "/emails") {
      return fail({
        status: 404,
        name: "not_found",
        message: "The requested endpoint does not exist.",
      });
    }
    if (request.method !== "POST") {
      return fail({
        status: 405,
        name: "method_not_allowed",
        message: "Method is not allowed for the requested path.",
      });
    }
    const auth = request.headers.get("authorization");
    if (!auth) {
      return fail({
        status: 401,
        name: "missing_api_key",
        message: "Missing API key in the authorization header.",
      });
    }
    if (auth !== `Bearer ${this.apiKey}`) {
      return fail({ status: 403, name: "invalid_api_key", message: "API key is invalid." });
    }
    const rate = this.rateWindow();
    if (rate.over) {
      return fail(
        {
          status: 429,
          name: "rate_limit_exceeded",
          message: `Too many requests. You can only make ${this.limit} requests per second. See rate limit response headers for more information. Or contact support to increase rate limit.`,
        },
        rate.headers,
      );
    }
    if (this.refusal === "hang") return this.hang(request, lost);
    if (this.refusal !== null) {
      return fail({ status: this.refusal, ...REFUSALS[this.refusal] });
    }
    const isJson = (request.headers.get("content-type") ?? "").startsWith("application/json");
    if (!isJson || parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
      return fail({
        status: 400,
        name: "validation_error",
        message: "We found an error with one or more fields in the request.",
      });
    }
    const body = parsed as EmailBody;
    const problem = this.validate(body);
    if (problem) return fail(problem);

    const key = request.headers.get("idempotency-key");
    if (key !== null && (key.length < 1 || [...key].length > 256)) {
      return fail({
        status: 400,
        name: "invalid_idempotency_key",
        message: "The key must be between 1-256 chars.",
      });
    }
    const payload = canonical(body);
    if (key !== null) {
      const known = this.byKey.get(key);
      if (known && this.now() - known.at >= IDEMPOTENCY_WINDOW_MS) this.byKey.delete(key);
      else if (known) {
        if (known.payload !== payload) {
          return fail({
            status: 409,
            name: "invalid_idempotent_request",
            message: "Same idempotency key used with a different request payload.",
          });
        }
        return record(Response.json({ id: known.id }));
      }
      if (this.inFlight.has(key)) {
        return fail({
          status: 409,
          name: "concurrent_idempotent_requests",
          message: "Same idempotency key used while original request is still in progress.",
        });
      }
      this.inFlight.add(key);
    }
    try {
      const attachments = await this.resolveAttachments(body);
      if (!Array.isArray(attachments)) return fail(attachments);
      const id = crypto.randomUUID();
      const receivedAt = this.now();
      this.emails.push({ id, idempotencyKey: key, body, attachments, receivedAt });
      if (key !== null) this.byKey.set(key, { payload, id, at: receivedAt });
      if (failure?.kind === "lost_response") throw lost();
      return record(Response.json({ id }, { headers: rate.headers }));
    } finally {
      if (key !== null) this.inFlight.delete(key);
    }
  }

  private randomFailure(): Failure | undefined {
    if (this.failRate <= 0 || this.failWith.length === 0) return undefined;
    if (this.random() >= this.failRate) return undefined;
    return this.failWith[Math.floor(this.random() * this.failWith.length)];
  }

  /** The first rule the body breaks, in Resend's words, or null. */
  private validate(b: EmailBody): Problem | null {
    if (b.from === undefined || b.from === "") return missing("from");
    if (typeof b.from !== "string" || !addressOk(b.from)) return addressProblem("from");
    if (b.to === undefined || (Array.isArray(b.to) && b.to.length === 0)) return missing("to");
    const to = asList(b.to);
    if (to.length > MAX_RECIPIENTS || !to.every((a) => typeof a === "string" && addressOk(a))) {
      return addressProblem("to");
    }
    for (const field of ["cc", "bcc", "reply_to"] as const) {
      if (b[field] === undefined) continue;
      if (!asList(b[field]).every((a) => typeof a === "string" && addressOk(a))) {
        return addressProblem(field);
      }
    }
    if (typeof b.subject !== "string" || b.subject === "") return missing("subject");
    if (/[\r\n]/.test(b.subject)) return invalid("Invalid `subject` field.");
    if (typeof b.html !== "string" && typeof b.text !== "string") {
      return missing("html` or `text");
    }
    if (b.headers !== undefined) {
      const ok =
        typeof b.headers === "object" &&
        b.headers !== null &&
        Object.entries(b.headers).every(
          ([k, v]) =>
            /^[\x21-\x39\x3b-\x7e]+$/.test(k) && typeof v === "string" && !/[\r\n]/.test(v),
        );
      if (!ok) return invalid("Invalid `headers` field.");
    }
    if (b.tags !== undefined) {
      // Resend: each tag's name and value hold only ASCII letters, digits, `_` and `-` (≤ 256).
      const tag = /^[A-Za-z0-9_-]{1,256}$/;
      const ok =
        Array.isArray(b.tags) &&
        b.tags.every(
          (t: unknown) =>
            typeof t === "object" &&
            t !== null &&
            tag.test(String((t as { name?: unknown }).name)) &&
            tag.test(String((t as { value?: unknown }).value)),
        );
      if (!ok) return invalid("Invalid `tags` field.");
    }
    if (b.attachments !== undefined && !Array.isArray(b.attachments)) {
      return invalid("Invalid `attachments` field.");
    }
    let base64Total = 0;
    for (const a of b.attachments ?? []) {
      if (typeof a !== "object" || a === null) return invalid("Invalid `attachments` field.");
      if (typeof a.content !== "string" && typeof a.path !== "string") {
        return badAttachment("Attachment must have either a `content` or `path`.");
      }
      if (typeof a.filename !== "string" || a.filename === "") {
        if (typeof a.content === "string") return invalid("Attachment needs a `filename`.");
      } else if (/[\r\n"\\/]/.test(a.filename)) {
        return invalid("Invalid attachment `filename`.");
      }
      if (typeof a.content === "string") {
        if (base64Bytes(a.content) === null) {
          return badAttachment("Attachment `content` must be base64 encoded.");
        }
        base64Total += a.content.length;
      } else if (!/^https?:\/\//i.test(a.path!) || !URL.canParse(a.path!)) {
        return badAttachment("Attachment `path` must be an http(s) URL.");
      }
    }
    if (base64Total > MAX_EMAIL_BYTES) return invalid("The email exceeds the 40MB size limit.");
    return null;
  }

  /** Decodes `content` and fetches `path`, as Resend does before it accepts the mail. */
  private async resolveAttachments(b: EmailBody): Promise<AcceptedAttachment[] | Problem> {
    const out: AcceptedAttachment[] = [];
    let base64Total = 0;
    for (const a of b.attachments ?? []) {
      const contentType = typeof a.content_type === "string" ? a.content_type : null;
      if (typeof a.content === "string") {
        base64Total += a.content.length;
        out.push({
          filename: a.filename!,
          contentType,
          bytes: decodeBase64(a.content),
          path: null,
        });
        continue;
      }
      const path = a.path!;
      let bytes: Uint8Array;
      let fetchedType: string | null = null;
      try {
        const blocked = this.linkBlockRate > 0 && this.linkRandom() < this.linkBlockRate;
        if (blocked) this.linkFetchesBlocked++;
        const res = blocked
          ? new Response("Forbidden", { status: 403 })
          : await this.fetchPath(
              new Request(path, { signal: AbortSignal.timeout(PATH_FETCH_TIMEOUT_MS) }),
            );
        if (!res.ok) {
          await res.body?.cancel();
          return badAttachment(
            `Failed to fetch the attachment from \`path\` (HTTP ${res.status}).`,
          );
        }
        fetchedType = res.headers.get("content-type");
        bytes = new Uint8Array(await res.arrayBuffer());
      } catch {
        return badAttachment("Failed to fetch the attachment from `path`.");
      }
      base64Total += Math.ceil(bytes.byteLength / 3) * 4;
      if (base64Total > MAX_EMAIL_BYTES) return invalid("The email exceeds the 40MB size limit.");
      const filename =
        typeof a.filename === "string" && a.filename !== ""
          ? a.filename
          : new URL(path).pathname.split("/").pop() || "attachment";
      out.push({ filename, contentType: contentType ?? fetchedType, bytes, path });
    }
    return out;
  }

  /** An accepted e-mail's attachment bytes (decoded content, or fetched from `path`). */
  static attachmentBytes(email: AcceptedEmail, index = 0): Uint8Array {
    const file = email.attachments[index];
    if (!file) throw new Error(`the e-mail has no attachment ${index}`);
    return file.bytes;
  }
}
