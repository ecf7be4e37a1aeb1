import { env } from "cloudflare:test";
import { Webhook } from "standardwebhooks";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
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

  it("refuses a body far larger than any event with 413", async () => {
    const big = signed({ type: "email.delivered", data: { pad: "x".repeat(300_000) } });
    expect((await post(big)).status).toBe(413);
  });
});
