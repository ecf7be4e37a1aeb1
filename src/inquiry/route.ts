import { Hono } from "hono/tiny";
import { AppError } from "../http/errors.ts";
import type { AppEnv } from "../http/app.ts";
import { json } from "../http/respond.ts";
import { backLink } from "../http/origin.ts";
import type { Config } from "../config/config.ts";
import type { Claim, ClaimedInquiry } from "../domain/inquiry.ts";
import { rateLimitKey } from "../net/ip.ts";
import type { TypedValues } from "../pages/form.ts";
import { readSubmission, type RawSubmission } from "./read-body.ts";
import { submissionLang, submitInquiry } from "./submit.ts";

export interface InquiryRouteOptions {
  /** The lease to store a new inquiry under when this request will mail it itself. */
  claimFor: (config: Config, now: number) => Claim | null;
  /** Called with what was stored under that lease; the answer does not wait for it. */
  afterStore: (env: Env, stored: ClaimedInquiry) => Promise<void>;
  now: () => number;
}

/**
 * POST /inquiry after the origin check: rate limit, read, validate, store.
 * The rate limit is asked at once and answered before anything is stored.
 * Every refusal is thrown as an `AppError`; the app's error handler answers it.
 */
export function inquiryRoute(opts: InquiryRouteOptions) {
  const route = new Hono<AppEnv>();

  route.post("/", async (c) => {
    const request = c.req.raw;
    const config = c.get("config");
    const audience = c.get("audience");
    const now = opts.now();
    const ip = request.headers.get("cf-connecting-ip");
    // The limiter's round trip overlaps reading, checking and looking the
    // submission up; nothing is stored before it said yes, and its 429 comes
    // first whatever else went wrong.
    const beforeBody = { ...audience };
    const allowed = rateLimit(c.env.SUBMIT_LIMITER, rateLimitKey(ip)).catch((err: unknown) => {
      // A 429 is answered as one before the body is read: ?lang=, not _lang.
      Object.assign(audience, beforeBody);
      throw err;
    });
    allowed.catch(() => {}); // awaited on every path below
    const limitedFirst = async <T>(work: Promise<T>): Promise<T> => {
      work.catch(() => {}); // a refused request leaves its read unfinished
      try {
        return await Promise.race([work, allowed.then(() => work)]);
      } catch (err) {
        await allowed;
        throw err;
      }
    };

    const raw = await limitedFirst(readSubmission(request, config.maxAttachmentBytes));
    // Kept for this answer only: a refused post from the reference form shows it again.
    if (audience.html) c.set("typed", typedValues(raw, config));
    audience.lang = submissionLang(raw, c.req.query("lang") ?? null, request, config);
    const returnTo = raw.fields.get("_return");
    if (returnTo?.length === 1) audience.back = backLink(request, config, returnTo[0]);
    const claim = opts.claimFor(config, now);
    const result = await limitedFirst(
      submitInquiry(raw, audience.lang, config, {
        db: c.env.DB,
        bucket: c.env.ATTACHMENTS,
        now,
        clientIp: ip,
        requestUrl: request.url,
        fetch: (input, init) => fetch(input, init),
        claim,
        idempotencyKey: request.headers.get("idempotency-key"),
        allowed,
      }),
    );
    await allowed; // a honeypot or quarantine answer is refused as a stored one would be
    c.set("outcome", result.kind);
    if (result.kind === "stored" && claim) {
      const { inquiry, file } = result;
      c.executionCtx.waitUntil(opts.afterStore(c.env, { inquiry, file, claim }));
    }
    if (audience.html) {
      const location = config.redirectUrl ?? `/thanks?lang=${result.lang}`;
      return new Response(null, { status: 303, headers: { location } });
    }
    return json({ ok: true, id: result.id }, 201);
  });

  return route;
}

/**
 * Resolves when `key` may submit now; rejects with 429 `rate_limited` when
 * not. A limiter that cannot answer lets the submission through (logged): a
 * customer is never refused because a counter was unreachable.
 */
async function rateLimit(limiter: RateLimit, key: string): Promise<void> {
  let success = true;
  try {
    ({ success } = await limiter.limit({ key }));
  } catch (err) {
    console.error(`rate limiter unavailable: ${err instanceof Error ? err.name : "error"}`);
  }
  if (!success) throw new AppError("rate_limited");
}

/** The text fields as typed (the first of each, if sent twice); never the file itself. */
function typedValues(raw: RawSubmission, config: Config): TypedValues {
  const values: Partial<Record<string, string>> = {};
  for (const { name } of config.form.fields) {
    const first = raw.fields.get(name)?.[0];
    if (typeof first === "string") values[name] = first;
  }
  const files = raw.fields.get("attachment") ?? [];
  const fileSent = files.some((f) => f instanceof File && f.size > 0);
  return { values, fileSent };
}
