import { Hono } from "hono";
import { AppError } from "../http/errors.ts";
import type { AppEnv } from "../http/app.ts";
import { corsHeaders, originAllowed, preflight } from "../http/origin.ts";
import { errorResponse, json, toAppError } from "../http/respond.ts";
import type { Config } from "../config/config.ts";
import { logEntryFor, logStatement } from "../log/technical-log.ts";
import { deferWrite } from "../store/deferred-writes.ts";
import type { Claim, ClaimedInquiry } from "../store/inquiries.ts";
import { readSubmission } from "./read-body.ts";
import { submissionLang, submitInquiry } from "./submit.ts";

export interface InquiryRouteOptions {
  /** The lease to store a new inquiry under when this request will mail it itself. */
  claimFor: (config: Config, now: number) => Claim | null;
  /** Called with what was stored under that lease; the answer does not wait for it. */
  afterStore: (env: Env, stored: ClaimedInquiry) => Promise<void>;
  now: () => number;
}

export function inquiryRoute(opts: InquiryRouteOptions) {
  const route = new Hono<AppEnv>();

  route.options("/", (c) => preflight(c.req.raw, c.get("config")));

  route.post("/", async (c) => {
    const request = c.req.raw;
    const config = c.get("config");
    const audience = c.get("audience");
    const now = opts.now();
    const ip = request.headers.get("cf-connecting-ip");
    let outcome = "stored";
    let response: Response;
    try {
      if (!originAllowed(request, config)) throw new AppError("origin_not_allowed");
      const { success } = await c.env.SUBMIT_LIMITER.limit({ key: ip ?? "unknown" });
      if (!success) throw new AppError("rate_limited", { retryAfter: 60 });

      const raw = await readSubmission(request, config.maxAttachmentBytes);
      audience.lang = submissionLang(raw, request, config);
      const claim = opts.claimFor(config, now);
      const result = await submitInquiry(raw, audience.lang, config, {
        db: c.env.DB,
        bucket: c.env.ATTACHMENTS,
        now,
        clientIp: ip,
        requestUrl: request.url,
        fetch: (input, init) => fetch(input, init),
        claim,
      });
      outcome = result.kind;
      if (result.kind === "stored" && claim) {
        const { inquiry, file } = result;
        c.executionCtx.waitUntil(opts.afterStore(c.env, { inquiry, file, claim }));
      }
      response = audience.html
        ? new Response(null, {
            status: 303,
            headers: { location: config.redirectUrl ?? `/thanks?lang=${result.lang}` },
          })
        : json({ ok: true, id: result.id }, 201);
    } catch (err) {
      const appError = toAppError(err);
      outcome = appError.code;
      response = errorResponse(appError, audience);
    }
    for (const [k, v] of Object.entries(corsHeaders(request, config))) response.headers.set(k, v);
    // The technical log never blocks or breaks the answer: its line is written
    // after it, with the next inquiry's insert or on its own a moment later.
    c.executionCtx.waitUntil(
      deferWrite(
        c.env.DB,
        logStatement(c.env.DB, logEntryFor(request, now, outcome, config.logIp)),
      ).then((written) => {
        if (!written) console.error("technical log write failed");
      }),
    );
    return response;
  });

  return route;
}
