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
    const { success } = await c.env.SUBMIT_LIMITER.limit({ key: rateLimitKey(ip) });
    if (!success) throw new AppError("rate_limited");

    const raw = await readSubmission(request, config.maxAttachmentBytes);
    // Kept for this answer only: a refused post from the reference form shows it again.
    if (audience.html) c.set("typed", typedValues(raw, config));
    audience.lang = submissionLang(raw, request, config);
    const returnTo = raw.fields.get("_return");
    if (returnTo?.length === 1) audience.back = backLink(request, config, returnTo[0]);
    const claim = opts.claimFor(config, now);
    const result = await submitInquiry(raw, audience.lang, config, {
      db: c.env.DB,
      bucket: c.env.ATTACHMENTS,
      now,
      clientIp: ip,
      requestUrl: request.url,
      fetch: (input, init) => fetch(input, init),
      claim,
      idempotencyKey: request.headers.get("idempotency-key"),
    });
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
