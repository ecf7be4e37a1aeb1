import {
  createExecutionContext,
  createScheduledController,
  env,
  waitOnExecutionContext,
} from "cloudflare:test";
import { vi } from "vitest";
import worker from "../src/index.ts";
import { SITEVERIFY_URL } from "../src/inquiry/turnstile.ts";
import type { NewInquiry } from "../src/domain/inquiry.ts";
import type { InquiryRow } from "../src/store/inquiries.ts";
import { FakeResend } from "./fakes/resend.ts";

export const RESEND_URL = "https://resend.fake";
export const ADMIN_TOKEN = "test-admin-token-0123456789abcdef0123";

export interface Fakes {
  resend: FakeResend;
  /**
   * Turnstile's siteverify: answers `success` for the token "pass", or as told,
   * with `hostname` the host the challenge was served on (the tests' worker host unless told).
   */
  turnstile: { calls: FormData[]; answer: "by-token" | "down"; hostname: string };
}

/**
 * Replaces the network at its edge: Resend and Turnstile get fakes that speak
 * their HTTP APIs; anything else is refused, so no test can reach out.
 */
export function installFakes(): Fakes {
  // Resend fetches `path` attachments from the worker: here through its real fetch handler.
  const resend = new FakeResend({ fetch: (request) => call(request) });
  const fakes: Fakes = {
    resend,
    turnstile: { calls: [], answer: "by-token", hostname: "forms.example.com" },
  };
  vi.stubGlobal("fetch", async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    if (request.url.startsWith(RESEND_URL)) return fakes.resend.handle(request);
    if (request.url === SITEVERIFY_URL) {
      const form = await request.formData();
      fakes.turnstile.calls.push(form);
      if (fakes.turnstile.answer === "down") return new Response("unavailable", { status: 503 });
      if (form.get("response") !== "pass") {
        return Response.json({ success: false, "error-codes": ["invalid-input-response"] });
      }
      return Response.json({
        success: true,
        "error-codes": [],
        challenge_ts: new Date().toISOString(),
        hostname: fakes.turnstile.hostname,
      });
    }
    throw new TypeError(`tests have no network: ${request.url}`);
  });
  return fakes;
}

export type Vars = Partial<Record<keyof Env, unknown>>;

const envs = new Map<string, Env>();
/** A number per object given as a var (a wrapped binding), so two wrappers never share an env. */
const objectIds = new WeakMap<object, number>();
let nextObjectId = 0;
/** The test env with some vars replaced; cached so the worker's config cache behaves as deployed. */
export function envWith(vars: Vars = {}): Env {
  const key = JSON.stringify(vars, (name, value: unknown) => {
    if (name === "" || typeof value !== "object" || value === null) return value;
    if (!objectIds.has(value)) objectIds.set(value, nextObjectId++);
    return `object#${objectIds.get(value)}`;
  });
  let e = envs.get(key);
  if (!e) envs.set(key, (e = { ...env, ...vars } as Env));
  return e;
}

/** Calls the worker's real fetch handler and waits for its background work (the mail). */
export async function call(request: Request, vars: Vars = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await worker.fetch(request, envWith(vars), ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

/** Runs the real scheduled handler as if the cron fired at `at`. */
export async function runCron(at: Date | number, vars: Vars = {}): Promise<void> {
  const ctx = createExecutionContext();
  const controller = createScheduledController({
    scheduledTime: new Date(at),
    cron: "*/5 * * * *",
  });
  await worker.scheduled(controller, envWith(vars), ctx);
  await waitOnExecutionContext(ctx);
}

let seq = 0;
/**
 * A distinct address per call, so the rate limiter (keyed by IP) never joins
 * tests, each in a /24 of its own, so the technical log's bound per network does not either.
 */
export function testIp(): string {
  seq++;
  return `198.51.${seq & 255}.${(seq >> 8) & 255}`;
}

/** An inquiry as intake hands it to the store, for tests that seed D1 directly. */
export function newInquiry(overrides: Partial<NewInquiry> = {}): NewInquiry {
  const id = overrides.id ?? crypto.randomUUID();
  return {
    id,
    createdAt: Date.now(),
    lang: "sl",
    name: "Ana Novak",
    email: `${id}@primer.si`,
    phone: null,
    company: null,
    service: "CNC machining",
    message: "m",
    attachment: null,
    ...overrides,
  };
}

export function validFields(overrides: Record<string, string> = {}): Record<string, string> {
  seq++;
  return {
    name: "Ana Novak",
    email: `ana.novak.${seq}@Primer.SI`,
    phone: "+386 41 123 456",
    company: "Primer d.o.o.",
    service: "CNC machining",
    message: "Potrebujemo ponudbo za 200 kosov.\nRok: marec.",
    ...overrides,
  };
}

export type FieldValue = string | File | (string | File)[];

export interface SendOptions {
  encoding?: "multipart" | "urlencoded" | "json";
  accept?: string;
  headers?: Record<string, string>;
  path?: string;
}

/** Builds a POST /inquiry the way a browser form, fetch() or a server would send it. */
export function inquiryRequest(
  fields: Record<string, FieldValue>,
  opts: SendOptions = {},
): Request {
  const encoding = opts.encoding ?? "multipart";
  const headers = new Headers({
    accept: opts.accept ?? "application/json",
    "cf-connecting-ip": testIp(),
    ...opts.headers,
  });
  let body: BodyInit;
  if (encoding === "json") {
    headers.set("content-type", "application/json");
    body = JSON.stringify(fields);
  } else if (encoding === "urlencoded") {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) {
      for (const x of Array.isArray(v) ? v : [v]) params.append(k, String(x));
    }
    body = params;
  } else {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) {
      for (const x of Array.isArray(v) ? v : [v]) form.append(k, x);
    }
    body = form;
  }
  return new Request(`https://forms.example.com${opts.path ?? "/inquiry"}`, {
    method: "POST",
    headers,
    body,
  });
}

export async function submit(
  fields: Record<string, FieldValue>,
  opts: SendOptions = {},
  vars: Vars = {},
): Promise<Response> {
  return call(inquiryRequest(fields, opts), vars);
}

/** POST /inquiry with a body and content type exactly as given, for malformed and hostile input. */
export function postRaw(
  body: BodyInit | null,
  contentType: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return call(
    new Request("https://forms.example.com/inquiry", {
      method: "POST",
      headers: {
        "content-type": contentType,
        accept: "application/json",
        "accept-language": "en",
        "cf-connecting-ip": testIp(),
        ...headers,
      },
      body,
    }),
  );
}

/** A row of `inquiries` exactly as the store reads it. */
export type StoredRow = InquiryRow;

export async function storedRow(id: string): Promise<StoredRow | null> {
  return env.DB.prepare("SELECT * FROM inquiries WHERE id = ?").bind(id).first<StoredRow>();
}

export async function countInquiries(): Promise<number> {
  const r = await env.DB.prepare("SELECT count(*) AS n FROM inquiries").first<{ n: number }>();
  return r?.n ?? 0;
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const d = await crypto.subtle.digest("SHA-256", bytes);
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export function file(
  bytes: Uint8Array | string,
  name: string,
  type = "application/octet-stream",
): File {
  return new File([bytes], name, { type });
}

export { env };

/**
 * Waits, when needed, until at least 10 s of the current wall-clock minute remain.
 * Local rate limiters (SUBMIT_LIMITER, ADMIN_LIMITER) count in windows aligned to real
 * minutes, whatever clock a test fakes; a test that counts requests up to a limit must
 * not let a minute turn in the middle, or the limiter starts again and lets more through.
 */
export async function limiterWindowAhead(): Promise<void> {
  const intoMinute = vi.getRealSystemTime() % 60_000;
  if (intoMinute < 50_000) return;
  await scheduler.wait(60_000 - intoMinute + 250);
}
