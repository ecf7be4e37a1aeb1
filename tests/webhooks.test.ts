import { env } from "cloudflare:test";
import { Webhook } from "standardwebhooks";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { parseDeliveryKey } from "../src/mail/delivery-key.ts";
import { verifyResendEvent } from "../src/webhooks/resend-event.ts";
import type { AcceptedEmail } from "./fakes/resend.ts";
import {
  call,
  installFakes,
  runCron,
  storedRow,
  submit,
  validFields,
  type Fakes,
} from "./helpers.ts";

// A secret of the shape Resend shows (`whsec_` + base64 of the key bytes).
const SECRET = "whsec_dGVzdC13ZWJob29rLXNlY3JldC0wMTIzNDU2Nzg5YWJjZGVm";
const HOOKS = { RESEND_WEBHOOK_SECRET: SECRET };
const MIN = 60_000;

let fakes: Fakes;
beforeEach(() => {
  fakes = installFakes();
});
afterEach(() => {
  vi.useRealTimers();
});

interface Signed {
  body: string;
  headers: Record<string, string>;
}

/** An event signed the way Resend (Svix) signs it, with the Standard Webhooks library. */
function signed(event: unknown, opts: { at?: number; id?: string; secret?: string } = {}): Signed {
  const body = JSON.stringify(event);
  const id = opts.id ?? `msg_${crypto.randomUUID()}`;
  const at = new Date(opts.at ?? Date.now());
  const signature = new Webhook(opts.secret ?? SECRET).sign(id, at, body);
  return {
    body,
    headers: {
      "svix-id": id,
      "svix-timestamp": String(Math.floor(at.getTime() / 1000)),
      "svix-signature": signature,
    },
  };
}

/** The event Resend would send about an e-mail the fake accepted: its id and tags echoed. */
function eventFor(mail: AcceptedEmail, type: string) {
  const tags = (mail.body.tags as { name: string; value: string }[] | undefined) ?? [];
  return {
    type,
    created_at: new Date().toISOString(),
    data: {
      email_id: mail.id,
      created_at: new Date(mail.receivedAt).toISOString(),
      from: mail.body.from,
      to: mail.body.to,
      subject: mail.body.subject,
      tags: Object.fromEntries(tags.map((t) => [t.name, t.value])),
      ...(type === "email.bounced"
        ? { bounce: { message: "Mailbox full", subType: "General", type: "Permanent" } }
        : {}),
    },
  };
}

function post(s: Signed, vars: Record<string, unknown> = HOOKS) {
  return call(
    new Request("https://forms.example.com/webhooks/resend", {
      method: "POST",
      headers: { "content-type": "application/json", ...s.headers },
      body: s.body,
    }),
    vars,
  );
}

async function storeAndMail(): Promise<{ id: string; mail: AcceptedEmail }> {
  const res = await submit(validFields(), {}, HOOKS);
  expect(res.status).toBe(201);
  const { id } = (await res.json()) as { id: string };
  const mail = fakes.resend.emails.find((e) => e.idempotencyKey === `inquiry-${id}`);
  expect(mail).toBeDefined();
  return { id, mail: mail! };
}

describe("POST /webhooks/resend", () => {
  it("does not exist without RESEND_WEBHOOK_SECRET", async () => {
    const res = await post(signed({ type: "email.delivered", data: {} }), {});
    expect(res.status).toBe(404);
  });

  it("verifies the Standard Webhooks spec's own example vector", () => {
    // From the Standard Webhooks specification's example; the signature was
    // recomputed by hand: base64(HMAC-SHA256(base64decode(secret without whsec_),
    // "msg_p5jXN8AQM9LWM0D4loKWxJek.1614265330.{\"test\": 2432232314}")).
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(1614265330_000 + 30_000);
    const headers = new Headers({
      "svix-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
      "svix-timestamp": "1614265330",
      "svix-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    });
    const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    expect(verifyResendEvent(secret, '{"test": 2432232314}', headers)).toMatchObject({
      eventId: "msg_p5jXN8AQM9LWM0D4loKWxJek",
      outcome: null,
    });
    // One byte of the body changed, or a signature of another scheme version: refused.
    expect(verifyResendEvent(secret, '{"test": 2432232315}', headers)).toBeNull();
    headers.set("svix-signature", "v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    expect(verifyResendEvent(secret, '{"test": 2432232314}', headers)).toBeNull();
  });

  it("moves an inquiry to delivered on a hand-signed event (fixed vector)", async () => {
    // Computed outside the library: printf '%s' "$id.$ts.$body" | openssl dgst -sha256
    //   -mac HMAC -macopt hexkey:<hex of the secret's base64 part> -binary | base64
    const id = "0f5c2a1e-6b7d-4c3e-9a8b-1d2e3f405162";
    await env.DB.prepare(
      `INSERT INTO inquiries (id, created_at, name, email, email_key, service, message, lang,
         delivery_status, delivery_attempts, sent_at, resend_id)
       VALUES (?1, 1735689600000, 'Ana Novak', 'ana@primer.si', 'ana@primer.si', 'Welding', 'm',
         'sl', 'sent', 1, 1735689600000, 're_fixed_4ef9a417')`,
    )
      .bind(id)
      .run();
    const body =
      '{"type":"email.delivered","created_at":"2025-01-01T00:00:05.000Z","data":{"email_id":"re_fixed_4ef9a417","tags":{"delivery":"inquiry-0f5c2a1e-6b7d-4c3e-9a8b-1d2e3f405162"}}}';
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(1735689610_000);
    const res = await post({
      body,
      headers: {
        "svix-id": "msg_2fixedvector0000000000",
        "svix-timestamp": "1735689605",
        "svix-signature": "v1,jkgrQOWZXlaiqF9WCj4ZstyRwQY19rOWGEi5pp5J+Sw=",
      },
    });
    expect(res.status).toBe(200);
    expect(await storedRow(id)).toMatchObject({ delivery_status: "delivered" });
  });

  it("moves a sent inquiry to delivered, and to bounced on a bounce", async () => {
    const a = await storeAndMail();
    const b = await storeAndMail();
    expect(a.mail.body.tags).toEqual([{ name: "delivery", value: `inquiry-${a.id}` }]);
    const ok = await post(signed(eventFor(a.mail, "email.delivered")));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ ok: true });
    expect(await storedRow(a.id)).toMatchObject({ delivery_status: "delivered" });
    expect((await post(signed(eventFor(b.mail, "email.bounced")))).status).toBe(200);
    expect(await storedRow(b.id)).toMatchObject({
      delivery_status: "bounced",
      last_error: "email.bounced",
    });
  });

  it.each(["email.failed", "email.suppressed", "email.complained"])(
    "reads %s as bounced",
    async (type) => {
      const a = await storeAndMail();
      expect((await post(signed(eventFor(a.mail, type)))).status).toBe(200);
      expect(await storedRow(a.id)).toMatchObject({ delivery_status: "bounced", last_error: type });
    },
  );

  it("answers 200 and changes nothing for other e-mails and other event types", async () => {
    const a = await storeAndMail();
    const before = await storedRow(a.id);
    const stranger = {
      type: "email.bounced",
      created_at: new Date().toISOString(),
      data: { email_id: "someone-elses-mail", tags: { delivery: "inquiry-not-ours" } },
    };
    expect((await post(signed(stranger))).status).toBe(200);
    for (const type of [
      "email.sent",
      "email.opened",
      "email.delivery_delayed",
      "contact.created",
    ]) {
      expect((await post(signed(eventFor(a.mail, type)))).status).toBe(200);
    }
    expect(await storedRow(a.id)).toEqual(before);
  });

  it("refuses a bad, missing or foreign signature with 401 and changes nothing", async () => {
    const a = await storeAndMail();
    const good = signed(eventFor(a.mail, "email.bounced"));
    const tampered = { ...good, body: good.body.replace("email.bounced", "email.delivered") };
    const foreign = signed(eventFor(a.mail, "email.bounced"), {
      secret: "whsec_b3RoZXItc2VjcmV0LW9mLWFub3RoZXItYWNjb3VudA==",
    });
    const cases: Signed[] = [
      tampered,
      foreign,
      { ...good, headers: { ...good.headers, "svix-signature": "" } },
      { ...good, headers: { ...good.headers, "svix-id": "msg_other" } },
      { body: good.body, headers: {} },
    ];
    for (const s of cases) {
      const res = await post(s);
      expect(res.status).toBe(401);
      // Not a bearer-token route: no challenge the sender could answer.
      expect(res.headers.get("www-authenticate")).toBeNull();
      expect(((await res.json()) as { code: string }).code).toBe("unauthorized");
    }
    expect(await storedRow(a.id)).toMatchObject({ delivery_status: "sent" });
  });

  it("answers a correctly signed body that is not JSON with 400 malformed_body", async () => {
    const at = new Date();
    const id = `msg_${crypto.randomUUID()}`;
    for (const body of ["not json {", ""]) {
      const res = await post({
        body,
        headers: {
          "svix-id": id,
          "svix-timestamp": String(Math.floor(at.getTime() / 1000)),
          "svix-signature": new Webhook(SECRET).sign(id, at, body),
        },
      });
      expect(res.status, body).toBe(400);
      expect(((await res.json()) as { code: string }).code).toBe("malformed_body");
    }
  });

  it("refuses a timestamp more than 5 minutes old or ahead with 401", async () => {
    const a = await storeAndMail();
    for (const at of [Date.now() - 5 * MIN - 10_000, Date.now() + 5 * MIN + 10_000]) {
      const res = await post(signed(eventFor(a.mail, "email.bounced"), { at }));
      expect(res.status).toBe(401);
    }
    expect(await storedRow(a.id)).toMatchObject({ delivery_status: "sent" });
    const recent = await post(
      signed(eventFor(a.mail, "email.bounced"), { at: Date.now() - 4 * MIN }),
    );
    expect(recent.status).toBe(200);
  });

  it("refuses a body far larger than any event with 413", async () => {
    const big = signed({ type: "email.delivered", data: { pad: "x".repeat(300_000) } });
    expect((await post(big)).status).toBe(413);
  });

  it("a replayed event changes nothing more", async () => {
    const a = await storeAndMail();
    const delivered = signed(eventFor(a.mail, "email.delivered"));
    expect((await post(delivered)).status).toBe(200);
    const after = await storedRow(a.id);
    expect((await post(delivered)).status).toBe(200);
    expect(await storedRow(a.id)).toEqual(after);
  });

  it("a delivered after a bounced keeps bounced; a bounce after delivered wins", async () => {
    const a = await storeAndMail();
    await post(signed(eventFor(a.mail, "email.bounced")));
    await post(signed(eventFor(a.mail, "email.delivered")));
    expect(await storedRow(a.id)).toMatchObject({ delivery_status: "bounced" });

    const b = await storeAndMail();
    await post(signed(eventFor(b.mail, "email.delivered")));
    await post(signed(eventFor(b.mail, "email.complained")));
    expect(await storedRow(b.id)).toMatchObject({
      delivery_status: "bounced",
      last_error: "email.complained",
    });
  });

  it("an event before the worker marked the mail sent is kept, and nothing is mailed twice", async () => {
    // Resend accepts the mail but its answer is lost: the row stays pending, no resend_id.
    fakes.resend.failNext({ kind: "lost_response" });
    const res = await submit(validFields(), {}, HOOKS);
    const { id } = (await res.json()) as { id: string };
    expect(await storedRow(id)).toMatchObject({ delivery_status: "pending" });
    const [mail] = fakes.resend.emails;
    expect((await post(signed(eventFor(mail!, "email.delivered")))).status).toBe(200);
    expect(await storedRow(id)).toMatchObject({ delivery_status: "delivered" });
    // Later scheduled runs find nothing due: the staff got it once.
    await runCron(Date.now() + 60 * MIN, HOOKS);
    await runCron(Date.now() + 24 * 60 * MIN, HOOKS);
    expect(fakes.resend.emails.filter((e) => e.idempotencyKey === `inquiry-${id}`)).toHaveLength(1);
    expect(await storedRow(id)).toMatchObject({ delivery_status: "delivered" });
  });
});

describe("the delivery tag", () => {
  it("reads back the inquiry and operator retry of every key form, and nothing else", () => {
    const id = "0f5c2a1e-6b7d-4c3e-9a8b-1d2e3f405162";
    expect(parseDeliveryKey(`inquiry-${id}`)).toEqual({ inquiryId: id, operatorRetries: 0 });
    expect(parseDeliveryKey(`inquiry-${id}-r3`)).toEqual({ inquiryId: id, operatorRetries: 3 });
    expect(parseDeliveryKey(`inquiry-${id}-noreply`)).toEqual({
      inquiryId: id,
      operatorRetries: 0,
    });
    expect(parseDeliveryKey(`inquiry-${id}-r2-noreply`)).toEqual({
      inquiryId: id,
      operatorRetries: 2,
    });
    for (const bad of [
      "",
      id,
      `inquiry-${id}-r0`,
      `inquiry-${id}-x`,
      `inquiry-${id}-noreply-r2`,
      `inquiry-${id.toUpperCase()}`,
      `inquiry-${id}-r1-r2`,
      `other-${id}`,
      `inquiry-${"a".repeat(300)}`,
    ]) {
      expect(parseDeliveryKey(bad), bad).toBeNull();
    }
  });
});
