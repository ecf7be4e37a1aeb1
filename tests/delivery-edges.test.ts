import { env } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { nextAttemptAt, RETRY_WINDOW_MS } from "../src/mail/deliver.ts";
import { deliveryKey, parseDeliveryKey } from "../src/mail/delivery-key.ts";
import { CLAIM_DUE_SQL, GIVE_UP_EXPIRED_SQL } from "../src/store/deliveries.ts";
import { FILES_NO_LONGER_NEEDED_SQL, insertInquiry } from "../src/store/inquiries.ts";
import { samples } from "./file-samples.ts";
import {
  ADMIN_TOKEN,
  call,
  file,
  installFakes,
  newInquiry,
  runCron,
  storedRow,
  submit,
  validFields,
  type Fakes,
  type Vars,
} from "./helpers.ts";

// The figures docs/delivery.md promises, written out rather than imported from the code under test.
const MIN = 60_000;
const HOUR = 60 * MIN;
const LEASE_MS = 5 * MIN;
const SEND_TIMEOUT_MS = 15_000;
const MAX_ATTEMPTS = 12;
const NO_KEY = { RESEND_API_KEY: "" };

let fakes: Fakes;
/** Resend requests that never get an answer; answered at the end so nothing is left hanging. */
let hung: ((r: Response) => void)[] = [];
beforeEach(() => {
  fakes = installFakes();
  hung = [];
});
afterEach(() => {
  for (const answer of hung) answer(new Response("{}", { status: 503 }));
  vi.useRealTimers();
  vi.restoreAllMocks();
});

/** Runs `hook` on each request to the fake Resend before the fake answers it. */
function beforeResend(hook: (request: Request) => Promise<void> | void): void {
  const handle = fakes.resend.handle.bind(fakes.resend);
  fakes.resend.handle = async (request: Request) => {
    await hook(request);
    return handle(request);
  };
}

/** From now on every request to Resend hangs, as a send that kills its isolate never returns. */
function resendNeverAnswers(): { count: () => number } {
  let n = 0;
  fakes.resend.handle = () =>
    new Promise<Response>((resolve) => {
      n++;
      hung.push(resolve);
    });
  return { count: () => n };
}

async function until(check: () => Promise<boolean> | boolean, ms = 3000): Promise<void> {
  const end = performance.now() + ms;
  while (!(await check())) {
    if (performance.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Stores an inquiry through POST /inquiry; without an API key it waits for the scheduled run. */
async function storeOne(fields: Record<string, unknown> = validFields(), vars: Vars = NO_KEY) {
  const res = await submit(fields as never, {}, vars);
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

function requestsFor(id: string) {
  return fakes.resend.requests.filter((r) =>
    (r.headers.get("idempotency-key") ?? "").startsWith(`inquiry-${id}`),
  );
}

function emailsFor(id: string) {
  return fakes.resend.emails.filter((e) => (e.idempotencyKey ?? "").startsWith(`inquiry-${id}`));
}

function admin(method: string, path: string, body?: unknown): Promise<Response> {
  return call(
    new Request(`https://forms.example.com/admin${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  );
}

/** Moves the wall clock (Date) only; timers stay real. */
function fakeWallClock(at: number): void {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(at);
}

describe("a run ends its work before its lease ends (wall clock)", () => {
  it("starts no send after its lease could run out, and hands the rest back", async () => {
    const start = Date.now();
    fakeWallClock(start);
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const i_ = newInquiry({ createdAt: start - 10 * MIN + i });
      await insertInquiry(env.DB, i_);
      ids.push(i_.id);
    }
    // Each send takes a minute of wall time (a slow Resend, a large file).
    const sentAt: number[] = [];
    beforeResend(() => {
      sentAt.push(Date.now());
      vi.setSystemTime(Date.now() + MIN);
    });
    await runCron(start);
    expect(sentAt.length).toBeGreaterThan(0);
    for (const t of sentAt) expect(t + SEND_TIMEOUT_MS).toBeLessThanOrEqual(start + LEASE_MS);
    const rows = await Promise.all(ids.map((id) => storedRow(id)));
    const waiting = rows.filter((r) => r!.delivery_status === "pending");
    expect(waiting.length).toBe(ids.length - sentAt.length);
    // Handed back, not left leased: the next run takes them at once.
    for (const r of waiting) expect(r).toMatchObject({ claim_token: null, delivery_attempts: 0 });
    const firstRun = sentAt.length;
    await runCron(Date.now());
    expect(fakes.resend.emails.length).toBeGreaterThan(firstRun);
  });

  it("a send whose claim was taken over meanwhile leaves the file for the new holder", async () => {
    const bytes = samples.pdf();
    const id = await storeOne({ ...validFields(), attachment: file(bytes, "a.pdf") });
    beforeResend(async () => {
      // Another run took the row over while this send was under way.
      await env.DB.prepare("UPDATE inquiries SET claim_token = 'other-run' WHERE id = ?")
        .bind(id)
        .run();
    });
    await runCron(Date.now() + MIN);
    expect(emailsFor(id)).toHaveLength(1);
    expect(await env.ATTACHMENTS.head(`attachments/${id}`)).not.toBeNull();
    expect((await storedRow(id))!.attachment_key).toBe(`attachments/${id}`);
  });
});

describe("every automatic retry stays within 23 hours of the first attempt", () => {
  it(
    "a 24-hour Resend outage ends in `failed`, not in a duplicate",
    { timeout: 60_000 },
    async () => {
      const t0 = Date.now();
      fakeWallClock(t0);
      // Resend accepts the first send but its answer is lost; then it is down for a day,
      // asking each time to come back in six hours.
      fakes.resend.failNext({ kind: "lost_response" });
      const attemptsAt: number[] = [];
      beforeResend(() => {
        attemptsAt.push(Date.now());
      });
      const id = await storeOne(validFields(), {});
      fakes.resend.failRandomly(1, [{ kind: "status", status: 503, retryAfter: 6 * 3600 }]);
      const errors = vi.spyOn(console, "error");
      // Cron every 30 minutes (the widest spacing the retry window allows for) for
      // 25 hours; Resend is back after 24.
      for (let t = t0 + 30 * MIN; t <= t0 + 25 * HOUR; t += 30 * MIN) {
        if (t >= t0 + 24 * HOUR) fakes.resend.stopFailing();
        vi.setSystemTime(t);
        await runCron(t);
      }
      expect(attemptsAt.length).toBeGreaterThan(1);
      for (const t of attemptsAt) expect(t - attemptsAt[0]!).toBeLessThanOrEqual(23 * HOUR);
      expect(emailsFor(id)).toHaveLength(1);
      expect(await storedRow(id)).toMatchObject({ delivery_status: "failed" });
      const line = errors.mock.calls.map((c) => String(c[0])).find((l) => l.includes(id));
      expect(line).toMatch(
        new RegExp(`^delivery_failed_permanently id=${id} code=503:internal_server_error$`),
      );
    },
  );
});

describe("a stored inquiry never loses its file to a lost answer", () => {
  it("keeps the file when the insert committed but its answer was lost", async () => {
    const lossy = insertAnswerLost(env.DB);
    const bytes = samples.pdf();
    // A message of its own: a repeated one is not written by the first batch (its
    // spam look-ups found something), so there would be no commit to lose.
    const message = "Prosimo za ponudbo za rezkanje ohišja po priloženem načrtu.";
    const res = await submit(
      { ...validFields({ message }), attachment: file(bytes, "plan.pdf") } as never,
      {},
      { DB: lossy },
    );
    const rows = await env.DB.prepare("SELECT id FROM inquiries WHERE attachment_name = 'plan.pdf'")
      .all<{ id: string }>()
      .then((r) => r.results);
    const id = rows.at(-1)!.id;
    // Stored is stored: the visitor is told so, and is not asked to send it twice.
    expect(res.status).toBe(201);
    expect(((await res.json()) as { id: string }).id).toBe(id);
    expect(await env.ATTACHMENTS.head(`attachments/${id}`)).not.toBeNull();
    const [mail] = emailsFor(id);
    expect(mail!.body.attachments?.[0]?.filename).toBe("plan.pdf");
  });
});

/** The real D1, except that an insert into inquiries loses its answer after committing. */
function insertAnswerLost(db: D1Database): D1Database {
  const real = new WeakMap<object, D1PreparedStatement>();
  const lost = () => new Error("D1_ERROR: Network connection lost.");
  const wrap = (s: D1PreparedStatement): D1PreparedStatement => {
    const proxy = new Proxy(s, {
      get(target, prop) {
        if (prop === "bind") return (...args: unknown[]) => wrap(target.bind(...args));
        if (prop === "run" || prop === "all" || prop === "first") {
          return async () => {
            await target.run();
            throw lost();
          };
        }
        const v = Reflect.get(target, prop, target) as unknown;
        return typeof v === "function" ? v.bind(target) : v;
      },
    });
    real.set(proxy, s);
    return proxy;
  };
  return proxyDb(db, "insert-answer-lost", {
    prepare: (target) => (sql: string) => {
      const s = target.prepare(sql);
      return sql.trimStart().startsWith("INSERT INTO inquiries") ? wrap(s) : s;
    },
    batch: (target) => async (statements: D1PreparedStatement[]) => {
      const answer = await target.batch(statements.map((s) => real.get(s) ?? s));
      if (statements.some((s) => real.has(s))) throw lost();
      return answer;
    },
  });
}

/** The real D1 with some methods replaced; `name` keeps the test env cache apart. */
function proxyDb(
  db: D1Database,
  name: string,
  replace: Partial<Record<keyof D1Database, (target: D1Database) => unknown>>,
): D1Database {
  return new Proxy(db, {
    get(target, prop) {
      if (prop === "toJSON") return () => name;
      const r = replace[prop as keyof D1Database];
      if (r) return r(target);
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

describe("erasure and restriction while a run holds the row", () => {
  it("an inquiry erased after the run claimed it is not mailed", async () => {
    const first = await storeOne();
    const second = await storeOne();
    beforeResend(async (request) => {
      if (request.headers.get("idempotency-key") === `inquiry-${first}`) {
        expect((await admin("DELETE", `/inquiries/${second}`)).status).toBe(200);
      }
    });
    await runCron(Date.now() + MIN);
    expect(emailsFor(first)).toHaveLength(1);
    expect(requestsFor(second)).toHaveLength(0);
    expect(await storedRow(second)).toBeNull();
  });

  it("a held inquiry is neither mailed nor purged while held; on release both resume", async () => {
    const id = await storeOne();
    const hold = await admin("PUT", `/inquiries/${id}/hold`, { hold: true, reason: "Art. 18" });
    expect(hold.status).toBe(200);
    await runCron(Date.now() + MIN);
    await runCron(Date.now() + 30 * 24 * HOUR);
    expect(requestsFor(id)).toHaveLength(0);
    expect(await storedRow(id)).toMatchObject({ delivery_status: "pending", hold: 1 });
    // Past retention, still kept while held.
    await runCron(Date.now() + 3 * 365 * 24 * HOUR);
    expect(await storedRow(id)).not.toBeNull();

    expect((await admin("PUT", `/inquiries/${id}/hold`, { hold: false })).status).toBe(200);
    await runCron(Date.now() + 2 * MIN);
    expect(emailsFor(id)).toHaveLength(1);
    expect(await storedRow(id)).toMatchObject({ delivery_status: "sent", hold: 0 });
    await runCron(Date.now() + 3 * 365 * 24 * HOUR);
    expect(await storedRow(id)).toBeNull();
  });

  it("a hold placed while the run is under way stops that run's send", async () => {
    const first = await storeOne();
    const second = await storeOne();
    beforeResend(async (request) => {
      if (request.headers.get("idempotency-key") === `inquiry-${first}`) {
        await admin("PUT", `/inquiries/${second}/hold`, { hold: true });
      }
    });
    await runCron(Date.now() + MIN);
    expect(requestsFor(second)).toHaveLength(0);
    // Not an attempt, and not left leased: released, it goes at the next run.
    expect(await storedRow(second)).toMatchObject({
      delivery_status: "pending",
      hold: 1,
      delivery_attempts: 0,
      claim_token: null,
    });
    expect((await admin("PUT", `/inquiries/${second}/hold`, { hold: false })).status).toBe(200);
    await runCron(Date.now() + 2 * MIN);
    expect(emailsFor(second)).toHaveLength(1);
  });
});

describe("a hold released after the retry window", () => {
  it("mails the inquiry under a new key instead of failing it unsent", async () => {
    const t0 = Date.now();
    fakes.resend.failNext({ kind: "status", status: 500 });
    const id = await storeOne(validFields(), {});
    expect(requestsFor(id)).toHaveLength(1);
    expect(await storedRow(id)).toMatchObject({ delivery_status: "pending" });
    expect((await admin("PUT", `/inquiries/${id}/hold`, { hold: true })).status).toBe(200);
    await runCron(t0 + 7 * 24 * HOUR);
    expect(requestsFor(id)).toHaveLength(1);

    fakeWallClock(t0 + 7 * 24 * HOUR + MIN);
    expect((await admin("PUT", `/inquiries/${id}/hold`, { hold: false })).status).toBe(200);
    await runCron(t0 + 7 * 24 * HOUR + 2 * MIN);
    expect(emailsFor(id).map((e) => e.idempotencyKey)).toEqual([`inquiry-${id}-r1`]);
    expect(await storedRow(id)).toMatchObject({ delivery_status: "sent", operator_retries: 1 });
    const health = await call(new Request("https://forms.example.com/health"));
    expect(health.status).toBe(200);
  });

  it("keeps the key when released inside the window", async () => {
    const t0 = Date.now();
    fakes.resend.failNext({ kind: "status", status: 500 });
    const id = await storeOne(validFields(), {});
    expect((await admin("PUT", `/inquiries/${id}/hold`, { hold: true })).status).toBe(200);
    fakeWallClock(t0 + 2 * HOUR);
    expect((await admin("PUT", `/inquiries/${id}/hold`, { hold: false })).status).toBe(200);
    await runCron(t0 + 2 * HOUR + MIN);
    expect(emailsFor(id).map((e) => e.idempotencyKey)).toEqual([`inquiry-${id}`]);
  });

  it("leaves a failed inquiry failed: the operator retries it", async () => {
    const t0 = Date.now();
    fakes.resend.failNext({ kind: "status", status: 403 });
    const id = await storeOne(validFields(), {});
    expect(await storedRow(id)).toMatchObject({ delivery_status: "failed" });
    expect((await admin("PUT", `/inquiries/${id}/hold`, { hold: true })).status).toBe(200);
    fakeWallClock(t0 + 7 * 24 * HOUR);
    expect((await admin("PUT", `/inquiries/${id}/hold`, { hold: false })).status).toBe(200);
    await runCron(t0 + 7 * 24 * HOUR + MIN);
    expect(requestsFor(id)).toHaveLength(1);
    expect(await storedRow(id)).toMatchObject({ delivery_status: "failed", operator_retries: 0 });
  });
});

describe("delivery trouble never stops the purge", () => {
  async function expiredInquiry(): Promise<string> {
    const old = newInquiry({ createdAt: Date.parse("2020-01-01T00:00:00Z") });
    await insertInquiry(env.DB, old);
    await env.DB.prepare("UPDATE inquiries SET delivery_status = 'sent' WHERE id = ?")
      .bind(old.id)
      .run();
    return old.id;
  }

  it("a send that never returns does not stop that run's purge", async () => {
    const expired = await expiredInquiry();
    await storeOne();
    const resend = resendNeverAnswers();
    void runCron(Date.now() + MIN); // never finishes, as a run whose send hangs
    await until(async () => (await storedRow(expired)) === null);
    // The purge did not wait for the delivery, whichever came first.
    await until(() => resend.count() > 0);
  });

  it("a delivery that throws does not stop that run's purge", async () => {
    const expired = await expiredInquiry();
    await storeOne();
    const broken = proxyDb(env.DB, "claim-breaks", {
      prepare: (target) => (sql: string) => {
        if (sql.includes("claim_token = ?2")) throw new Error("D1_ERROR: broken");
        return target.prepare(sql);
      },
    });
    await runCron(Date.now() + MIN, { DB: broken });
    expect(await storedRow(expired)).toBeNull();
  });

  it("a send that kills its run every time still ends in `failed` after the attempt limit", async () => {
    const t0 = Date.now();
    fakeWallClock(t0);
    const id = await storeOne();
    const resend = resendNeverAnswers();
    const errors = vi.spyOn(console, "error");
    // Each run hangs in its send, as an isolate that dies mid-send; the next comes
    // after the lease ran out.
    for (let run = 1; run <= MAX_ATTEMPTS + 1; run++) {
      const t = t0 + run * (LEASE_MS + MIN);
      vi.setSystemTime(t);
      void runCron(t);
      await until(
        async () => resend.count() >= run || (await storedRow(id))?.delivery_status === "failed",
      );
      if ((await storedRow(id))?.delivery_status === "failed") break;
    }
    expect(await storedRow(id)).toMatchObject({
      delivery_status: "failed",
      delivery_attempts: MAX_ATTEMPTS,
      last_error: "attempts_exhausted",
    });
    expect(resend.count()).toBe(MAX_ATTEMPTS);
    expect(errors.mock.calls.map((c) => String(c[0]))).toContain(
      `delivery_failed_permanently id=${id} code=attempts_exhausted`,
    );
  });
});

describe("Resend's answers at the edges", () => {
  it("a 409 for a reused key after a lost answer and an edit means sent, not failed", async () => {
    fakes.resend.failNext({ kind: "lost_response" });
    const id = await storeOne(validFields(), {});
    expect(emailsFor(id)).toHaveLength(1); // the staff have it; the worker does not know
    const edit = await admin("PATCH", `/inquiries/${id}`, { message: "Corrected message." });
    expect(edit.status).toBe(200);
    const row = await storedRow(id);
    await runCron(row!.next_attempt_at! + 1);
    const last = requestsFor(id).at(-1)!;
    expect(last.status).toBe(409);
    expect(await storedRow(id)).toMatchObject({ delivery_status: "sent", last_error: null });
    expect(emailsFor(id)).toHaveLength(1);
  });

  it("a refused reply_to is sent once more without it, the address kept in the body", async () => {
    const id = await storeOne();
    // An address the form let through but Resend refuses as reply_to.
    await env.DB.prepare("UPDATE inquiries SET email = 'ana@localhost' WHERE id = ?")
      .bind(id)
      .run();
    await runCron(Date.now() + MIN);
    const [refused, resent, ...more] = requestsFor(id);
    expect(more).toHaveLength(0);
    expect(refused!.status).toBe(422);
    expect(refused!.headers.get("idempotency-key")).toBe(`inquiry-${id}`);
    expect(resent!.status).toBe(200);
    expect(resent!.headers.get("idempotency-key")).toBe(`inquiry-${id}-noreply`);
    const [mail] = emailsFor(id);
    expect(mail!.body.reply_to).toBeUndefined();
    expect(mail!.body.text).toContain("ana@localhost");
    // Replying would reach MAIL_FROM: the footer says to write to the address instead.
    for (const part of [mail!.body.text, mail!.body.html]) {
      expect(part).not.toContain("Odgovorite na to sporočilo");
      expect(part).toContain("Naslova obiskovalca ni bilo mogoče nastaviti za odgovor");
      expect(part).toContain("»E-pošta«");
    }
    expect(await storedRow(id)).toMatchObject({ delivery_status: "sent", reply_to_refused: 1 });
  });

  it("says so in English too when the company's language is English", async () => {
    const id = await storeOne();
    await env.DB.prepare("UPDATE inquiries SET email = 'ana@localhost' WHERE id = ?")
      .bind(id)
      .run();
    await runCron(Date.now() + MIN, { DEFAULT_LANG: "en" });
    const [mail] = emailsFor(id);
    expect(mail!.body.reply_to).toBeUndefined();
    for (const part of [mail!.body.text, mail!.body.html]) {
      expect(part).not.toContain("Reply to this message");
      expect(part).toContain("could not be set as the reply address");
    }
  });

  it("a retry after a refused reply_to keeps leaving it out, under its own key", async () => {
    const id = await storeOne();
    await env.DB.prepare("UPDATE inquiries SET email = 'ana@localhost' WHERE id = ?")
      .bind(id)
      .run();
    // First run: the reply_to refusal, then a 503 on the send without it.
    let n = 0;
    beforeResend(() => {
      n++;
      if (n === 2) fakes.resend.failNext({ kind: "status", status: 503 });
    });
    await runCron(Date.now() + MIN);
    const row = await storedRow(id);
    expect(row).toMatchObject({ delivery_status: "pending", reply_to_refused: 1 });
    await runCron(row!.next_attempt_at! + 1);
    const keys = requestsFor(id).map((r) => r.headers.get("idempotency-key"));
    expect(keys).toEqual([`inquiry-${id}`, `inquiry-${id}-noreply`, `inquiry-${id}-noreply`]);
    expect(emailsFor(id)).toHaveLength(1);
    expect(emailsFor(id)[0]!.body.reply_to).toBeUndefined();
  });
});

describe("an attachment is kept while a send may still need it", () => {
  async function withFile(vars: Vars = NO_KEY): Promise<string> {
    return storeOne({ ...validFields(), attachment: file(samples.pdf(), "a.pdf") }, vars);
  }
  const kept = async (id: string) => (await env.ATTACHMENTS.head(`attachments/${id}`)) !== null;

  it("is deleted 24 hours after the mail was sent, not before", async () => {
    const id = await withFile({});
    const row = await storedRow(id);
    expect(row).toMatchObject({ delivery_status: "sent" });
    expect(await kept(id)).toBe(true);
    await runCron(row!.sent_at! + 23 * HOUR);
    expect(await kept(id)).toBe(true);
    await runCron(row!.sent_at! + 24 * HOUR + MIN);
    expect(await kept(id)).toBe(false);
    expect(await storedRow(id)).toMatchObject({ attachment_key: null, attachment_name: "a.pdf" });
  });

  it("is deleted once the mail is delivered or dismissed", async () => {
    const delivered = await withFile({});
    const dismissed = await withFile();
    for (const [id, status] of [
      [delivered, "delivered"],
      [dismissed, "dismissed"],
    ] as const) {
      await env.DB.prepare("UPDATE inquiries SET delivery_status = ? WHERE id = ?")
        .bind(status, id)
        .run();
    }
    await runCron(Date.now() + MIN, NO_KEY);
    expect(await kept(delivered)).toBe(false);
    expect(await kept(dismissed)).toBe(false);
  });

  it("stays with a failed inquiry, so an operator's retry still carries it", async () => {
    fakes.resend.failNext({ kind: "status", status: 403, name: "invalid_api_key" });
    const id = await withFile({});
    expect(await storedRow(id)).toMatchObject({ delivery_status: "failed" });
    await runCron(Date.now() + 7 * 24 * HOUR);
    expect(await kept(id)).toBe(true);
  });

  it("an operator's retry of a failed inquiry sends it under a new key, file and all", async () => {
    fakes.resend.failNext({ kind: "status", status: 403, name: "validation_error" });
    const bytes = samples.pdf();
    const id = await storeOne({ ...validFields(), attachment: file(bytes, "a.pdf") }, {});
    expect(await storedRow(id)).toMatchObject({ delivery_status: "failed" });
    const retry = await admin("POST", "/deliveries/retry", { ids: [id, crypto.randomUUID()] });
    expect(await retry.json()).toMatchObject({ ok: true, requeued: 1 });
    expect(await storedRow(id)).toMatchObject({
      delivery_status: "pending",
      delivery_attempts: 0,
      first_attempt_at: null,
      operator_retries: 1,
    });
    await runCron(Date.now() + MIN);
    const [mail, ...more] = emailsFor(id);
    expect(more).toHaveLength(0);
    expect(mail!.idempotencyKey).toBe(`inquiry-${id}-r1`);
    expect(mail!.body.attachments?.[0]?.filename).toBe("a.pdf");
    expect(await storedRow(id)).toMatchObject({ delivery_status: "sent", delivery_attempts: 1 });
  });

  it("a dismissed inquiry loses its file and is not mailed", async () => {
    fakes.resend.failNext({ kind: "status", status: 403, name: "validation_error" });
    const id = await withFile({});
    const dismiss = await admin("POST", "/deliveries/dismiss", { ids: [id] });
    expect(await dismiss.json()).toMatchObject({ ok: true, dismissed: 1 });
    await runCron(Date.now() + MIN);
    expect(await kept(id)).toBe(false);
    expect(emailsFor(id)).toHaveLength(0);
    expect(await storedRow(id)).toMatchObject({ delivery_status: "dismissed" });
  });
});

describe("the retry schedule (pure)", () => {
  it("never schedules an attempt 23 hours or more after the first", () => {
    const first = Date.UTC(2026, 0, 1);
    for (let attempts = 1; attempts < MAX_ATTEMPTS; attempts++) {
      for (const random of [0, 0.5, 0.999]) {
        for (const now of [first, first + 10 * HOUR, first + 22 * HOUR, first + 22.4 * HOUR]) {
          const next = nextAttemptAt(now, first, attempts, null, random);
          if (next !== null) {
            expect(next).toBeGreaterThan(now);
            expect(next - first).toBeLessThan(RETRY_WINDOW_MS);
          }
        }
      }
    }
    expect(nextAttemptAt(first + 22.5 * HOUR, first, 3, null, 0.5)).toBeNull();
  });

  it("honours a Retry-After, and gives up when it reaches past the window", () => {
    const first = Date.UTC(2026, 0, 1);
    expect(nextAttemptAt(first, first, 1, 3600, 0.5)).toBe(first + HOUR);
    expect(nextAttemptAt(first + 20 * HOUR, first, 5, 3 * 3600, 0.5)).toBeNull();
  });

  it("keys: one per inquiry, per operator retry, and without reply_to", () => {
    const id = crypto.randomUUID();
    expect(deliveryKey(id, 0)).toBe(`inquiry-${id}`);
    expect(deliveryKey(id, 2)).toBe(`inquiry-${id}-r2`);
    expect(deliveryKey(id, 0, true)).toBe(`inquiry-${id}-noreply`);
    expect(deliveryKey(id, 2, true)).toBe(`inquiry-${id}-r2-noreply`);
    // A webhook event of the send without reply_to names the same inquiry and retry.
    expect(parseDeliveryKey(deliveryKey(id, 2, true))).toEqual({
      inquiryId: id,
      operatorRetries: 2,
    });
    expect(parseDeliveryKey(deliveryKey(id, 0, true))).toEqual({
      inquiryId: id,
      operatorRetries: 0,
    });
  });
});

describe("what a scheduled run reads costs what is due, not what is kept", () => {
  async function plan(sql: string, ...params: unknown[]): Promise<string[]> {
    const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
      .bind(...params)
      .all<{ detail: string }>();
    return results.map((r) => r.detail);
  }

  it("claims due rows, and gives up expired ones, on the pending-only index", async () => {
    const claim = await plan(CLAIM_DUE_SQL, 1, "t", 1, 1, 40);
    expect(claim).toContain("SEARCH inquiries USING INDEX inquiries_due (next_attempt_at<?)");
    const giveUp = await plan(GIVE_UP_EXPIRED_SQL, 1, 1, 12, 1);
    expect(giveUp).toEqual(["SEARCH inquiries USING INDEX inquiries_due (next_attempt_at<?)"]);
    for (const d of [...claim, ...giveUp]) {
      expect(d).not.toMatch(/^SCAN inquiries|TEMP B-TREE|inquiries_status/);
    }
  });

  it("finds files to delete on the index of rows that still have one", async () => {
    const p = await plan(FILES_NO_LONGER_NEEDED_SQL, 1, 100);
    expect(p).toEqual(["SCAN inquiries USING INDEX inquiries_files"]);
  });
});
