// The fake Resend itself: the tests, the browser and load tests and the dev mail
// catcher all lean on it refusing what the real API refuses, so its rules are
// tested here, each with the error body Resend answers.
import { describe, expect, it } from "vitest";
import {
  MAX_HELD,
  FakeResend,
  IDEMPOTENCY_WINDOW_MS,
  MAX_EMAIL_BYTES,
  type EmailBody,
} from "./fakes/resend.ts";

const KEY = "re_test_0123456789";
const FROM = "Inquiry form <inquiries@example.com>";

function mail(overrides: Partial<EmailBody> = {}): EmailBody {
  return {
    from: FROM,
    to: ["office@example.com"],
    subject: "Povpraševanje",
    text: "Hello",
    reply_to: "ana.novak@primer.si",
    ...overrides,
  };
}

function post(body: unknown, headers: Record<string, string> = {}): Request {
  return new Request("https://resend.fake/emails", {
    method: "POST",
    headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

async function answer(fake: FakeResend, request: Request) {
  const res = await fake.handle(request);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe("the fake Resend: requests", () => {
  it("accepts a well-formed mail and answers its id", async () => {
    const fake = new FakeResend();
    const { status, body } = await answer(fake, post(mail()));
    expect(status).toBe(200);
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(fake.emails).toHaveLength(1);
    expect(fake.emails[0]!.body.subject).toBe("Povpraševanje");
  });

  it("asks for the API key and refuses a wrong one, as Resend does", async () => {
    const fake = new FakeResend();
    const none = new Request("https://resend.fake/emails", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(mail()),
    });
    expect(await answer(fake, none)).toEqual({
      status: 401,
      body: {
        statusCode: 401,
        name: "missing_api_key",
        message: "Missing API key in the authorization header.",
      },
    });
    const wrong = await answer(fake, post(mail(), { authorization: "Bearer re_wrong" }));
    expect(wrong).toEqual({
      status: 403,
      body: { statusCode: 403, name: "invalid_api_key", message: "API key is invalid." },
    });
    expect(fake.emails).toHaveLength(0);
  });

  it("answers other paths 404 and other methods 405", async () => {
    const fake = new FakeResend();
    const other = await answer(
      fake,
      new Request("https://resend.fake/domains", { method: "POST" }),
    );
    expect(other.status).toBe(404);
    expect(other.body.name).toBe("not_found");
    const get = await answer(fake, new Request("https://resend.fake/emails"));
    expect(get.status).toBe(405);
    expect(get.body.name).toBe("method_not_allowed");
  });

  it("names a missing required field", async () => {
    const fake = new FakeResend();
    for (const field of ["from", "to", "subject"] as const) {
      const { status, body } = await answer(fake, post(mail({ [field]: undefined })));
      expect(status).toBe(422);
      expect(body).toEqual({
        statusCode: 422,
        name: "missing_required_field",
        message: `Missing \`${field}\` field.`,
      });
    }
    const noBody = await answer(fake, post(mail({ text: undefined })));
    expect(noBody.status).toBe(422);
    expect(fake.emails).toHaveLength(0);
  });

  it("refuses a bad JSON body with 400", async () => {
    const fake = new FakeResend();
    expect((await answer(fake, post("{not json"))).status).toBe(400);
    expect((await answer(fake, post("[]"))).status).toBe(400);
  });

  it("refuses reply_to addresses mail systems refuse, with Resend's own error body", async () => {
    const fake = new FakeResend();
    const bad = [
      "ana..novak@primer.si",
      ".ana@primer.si",
      "ana.@primer.si",
      `${"a".repeat(65)}@primer.si`,
      "ana@primer",
      "ana@-primer.si",
      "ana novak@primer.si",
      "ana@primer.si, bor@primer.si",
      "",
    ];
    for (const address of bad) {
      expect(await answer(fake, post(mail({ reply_to: address }))), address).toEqual({
        status: 422,
        body: {
          statusCode: 422,
          name: "validation_error",
          message:
            "Invalid `reply_to` field. The email address needs to follow the `email@example.com` or `Name <email@example.com>` format.",
        },
      });
    }
    const good = ["a.b-c+d@primer.si", `${"a".repeat(64)}@primer.si`, "Ana Novak <ana@primer.si>"];
    for (const address of good) {
      expect((await answer(fake, post(mail({ reply_to: address })))).status, address).toBe(200);
    }
    expect(fake.emails).toHaveLength(good.length);
  });

  it("refuses an unquoted display name with specials in `from`, accepts it quoted", async () => {
    const fake = new FakeResend();
    for (const from of [
      "Novak, Sales <a@b.si>",
      "Sales: Novak <a@b.si>",
      "Novak (Sales) <a@b.si>",
    ]) {
      const { status, body } = await answer(fake, post(mail({ from })));
      expect(status, from).toBe(422);
      expect(body.name).toBe("validation_error");
      expect(body.message).toMatch(/^Invalid `from` field\./);
    }
    for (const from of ['"Novak, Sales" <a@b.si>', "Žaga d.o.o. <a@b.si>", "a@b.si", FROM]) {
      expect((await answer(fake, post(mail({ from })))).status, from).toBe(200);
    }
  });

  it("checks every `to` address and at most 50 of them", async () => {
    const fake = new FakeResend();
    const one = await answer(fake, post(mail({ to: ["office@example.com", "x@@example.com"] })));
    expect(one.body.message).toMatch(/^Invalid `to` field\./);
    const many = Array.from({ length: 51 }, (_, i) => `o${i}@example.com`);
    expect((await answer(fake, post(mail({ to: many })))).status).toBe(422);
  });

  it("refuses a line break in the subject or a header", async () => {
    const fake = new FakeResend();
    expect((await answer(fake, post(mail({ subject: "a\r\nBcc: x@y.si" })))).status).toBe(422);
    expect((await answer(fake, post(mail({ headers: { "X-A": "1\nBcc: x@y.si" } })))).status).toBe(
      422,
    );
  });
});

describe("the fake Resend: attachments", () => {
  it("decodes base64 content and refuses what is not base64", async () => {
    const fake = new FakeResend();
    const ok = await answer(
      fake,
      post(mail({ attachments: [{ filename: "a.txt", content: btoa("hello") }] })),
    );
    expect(ok.status).toBe(200);
    expect(new TextDecoder().decode(FakeResend.attachmentBytes(fake.emails[0]!))).toBe("hello");
    const bad = await answer(
      fake,
      post(mail({ attachments: [{ filename: "a.txt", content: "not base64!" }] })),
    );
    expect(bad.status).toBe(422);
    expect(bad.body.name).toBe("invalid_attachment");
  });

  it("needs `content` or `path`", async () => {
    const fake = new FakeResend();
    const { status, body } = await answer(fake, post(mail({ attachments: [{ filename: "a" }] })));
    expect(status).toBe(422);
    expect(body).toEqual({
      statusCode: 422,
      name: "invalid_attachment",
      message: "Attachment must have either a `content` or `path`.",
    });
  });

  it("refuses a mail over 40 MB after base64", async () => {
    const fake = new FakeResend();
    const content = "A".repeat(MAX_EMAIL_BYTES - (MAX_EMAIL_BYTES % 4) + 4);
    const { status, body } = await answer(
      fake,
      post(mail({ attachments: [{ filename: "big.bin", content }] })),
    );
    expect(status).toBe(422);
    expect(body.message).toContain("40MB");
    expect(fake.emails).toHaveLength(0);
  });

  it("fetches a `path` attachment and keeps its bytes", async () => {
    const fetched: string[] = [];
    const bytes = new Uint8Array([0x25, 0x50, 0x44, 0x46, 0, 255]);
    const fake = new FakeResend({
      fetch: async (request) => {
        fetched.push(request.url);
        return new Response(bytes, { headers: { "content-type": "application/pdf" } });
      },
    });
    const path = "https://forms.example.com/files/abc/risba.pdf";
    const res = await answer(fake, post(mail({ attachments: [{ filename: "risba.pdf", path }] })));
    expect(res.status).toBe(200);
    expect(fetched).toEqual([path]);
    expect(fake.emails[0]!.attachments[0]).toMatchObject({
      filename: "risba.pdf",
      contentType: "application/pdf",
      path,
    });
    expect(FakeResend.attachmentBytes(fake.emails[0]!)).toEqual(bytes);
  });

  it("refuses the mail when the `path` cannot be fetched", async () => {
    for (const broken of [
      async () => new Response("gone", { status: 404 }),
      async () => {
        throw new TypeError("connection refused");
      },
    ]) {
      const fake = new FakeResend({ fetch: broken });
      const path = "https://forms.example.com/files/abc";
      const { status, body } = await answer(
        fake,
        post(mail({ attachments: [{ filename: "x.pdf", path }] })),
      );
      expect(status).toBe(422);
      expect(body.name).toBe("invalid_attachment");
      expect(fake.emails).toHaveLength(0);
    }
  });

  it("refuses a `path` that is not an http(s) URL without fetching it", async () => {
    let fetched = 0;
    const fake = new FakeResend({
      fetch: async () => {
        fetched++;
        return new Response("x");
      },
    });
    const res = await answer(
      fake,
      post(mail({ attachments: [{ filename: "x", path: "file:///etc/passwd" }] })),
    );
    expect(res.status).toBe(422);
    expect(fetched).toBe(0);
  });
});

describe("the fake Resend: idempotency", () => {
  it("answers a repeat with the same key and body with the first id, and sends once", async () => {
    const fake = new FakeResend();
    const first = await answer(fake, post(mail(), { "idempotency-key": "inquiry-1" }));
    // The same fields in another order are the same payload.
    const { reply_to, ...rest } = mail();
    const again = await answer(
      fake,
      post({ reply_to, ...rest }, { "idempotency-key": "inquiry-1" }),
    );
    expect(again).toEqual(first);
    expect(fake.emails).toHaveLength(1);
  });

  it("answers 409 invalid_idempotent_request for the same key with another body", async () => {
    const fake = new FakeResend();
    await answer(fake, post(mail(), { "idempotency-key": "inquiry-1" }));
    const other = await answer(
      fake,
      post(mail({ text: "edited" }), { "idempotency-key": "inquiry-1" }),
    );
    expect(other).toEqual({
      status: 409,
      body: {
        statusCode: 409,
        name: "invalid_idempotent_request",
        message: "Same idempotency key used with a different request payload.",
      },
    });
    expect(fake.emails).toHaveLength(1);
  });

  it("answers 409 concurrent_idempotent_requests while the first is still in progress", async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const fake = new FakeResend({
      fetch: async () => {
        await held;
        return new Response("file");
      },
    });
    const withFile = mail({ attachments: [{ filename: "a.txt", path: "https://w.example/f" }] });
    const first = fake.handle(post(withFile, { "idempotency-key": "k" }));
    await new Promise((r) => setTimeout(r, 10));
    const second = await answer(fake, post(withFile, { "idempotency-key": "k" }));
    expect(second.status).toBe(409);
    expect(second.body.name).toBe("concurrent_idempotent_requests");
    release();
    expect((await first).status).toBe(200);
    expect(fake.emails).toHaveLength(1);
  });

  it("forgets a key after 24 hours", async () => {
    let now = Date.UTC(2026, 0, 1);
    const fake = new FakeResend({ now: () => now });
    await answer(fake, post(mail(), { "idempotency-key": "k" }));
    now += IDEMPOTENCY_WINDOW_MS - 1;
    expect((await answer(fake, post(mail({ text: "b" }), { "idempotency-key": "k" }))).status).toBe(
      409,
    );
    now += 1;
    expect((await answer(fake, post(mail({ text: "b" }), { "idempotency-key": "k" }))).status).toBe(
      200,
    );
    expect(fake.emails).toHaveLength(2);
  });

  it("refuses a key longer than 256 characters with 400", async () => {
    const fake = new FakeResend();
    const res = await answer(fake, post(mail(), { "idempotency-key": "k".repeat(257) }));
    expect(res.status).toBe(400);
    expect(res.body.name).toBe("invalid_idempotency_key");
  });
});

describe("the fake Resend: the failure switch", () => {
  it("refuses every send with the chosen status until told to accept again", async () => {
    const fake = new FakeResend();
    for (const status of [403, 422, 500] as const) {
      fake.refuseAll(status);
      expect(fake.refusing).toBe(status);
      const res = await answer(fake, post(mail()));
      expect(res.status).toBe(status);
      expect(res.body.statusCode).toBe(status);
      expect(res.body.name).toBe(status === 500 ? "internal_server_error" : "validation_error");
    }
    expect(fake.emails).toHaveLength(0);
    fake.stopFailing();
    expect(fake.refusing).toBeNull();
    expect((await answer(fake, post(mail()))).status).toBe(200);
    expect(fake.emails).toHaveLength(1);
  });

  it("hang: holds each send unanswered until its caller gives up, then fails it as fetch would", async () => {
    const fake = new FakeResend().refuseAll("hang");
    expect(fake.refusing).toBe("hang");
    const timeout = new AbortController();
    const held = fake.handle(new Request(post(mail()), { signal: timeout.signal }));
    let settled = false;
    void held.catch(() => {}).finally(() => (settled = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(settled).toBe(false);
    expect(fake.holding).toBe(1);
    timeout.abort(); // the worker's send timeout
    await expect(held).rejects.toThrow(TypeError);
    expect(fake.holding).toBe(0);
    expect(fake.emails).toHaveLength(0);
    expect(fake.requests.at(-1)!.status).toBe(0);
  });

  it("hang: holds at most MAX_HELD, drops the rest at once, and lets all go on a change of mode", async () => {
    const fake = new FakeResend().refuseAll("hang");
    const held = Array.from({ length: MAX_HELD }, () => fake.handle(post(mail())));
    for (const h of held) void h.catch(() => {});
    await new Promise((r) => setTimeout(r, 20));
    expect(fake.holding).toBe(MAX_HELD);
    await expect(fake.handle(post(mail()))).rejects.toThrow(TypeError);
    fake.stopFailing();
    expect(fake.holding).toBe(0);
    for (const h of held) await expect(h).rejects.toThrow(TypeError);
    expect((await answer(fake, post(mail()))).status).toBe(200);
  });

  it("still asks for the key while refusing", async () => {
    const fake = new FakeResend().refuseAll(500);
    expect((await answer(fake, post(mail(), { authorization: "Bearer x" }))).status).toBe(403);
  });
});

describe("the fake Resend: rate limit and link fetches", () => {
  it("enforces N per second with Resend's headers, and answers 429 rate_limit_exceeded with retry-after", async () => {
    let now = 10_000;
    const fake = new FakeResend({ now: () => now }).rateLimit(2);
    const first = await fake.handle(post(mail()));
    expect(first.status).toBe(200);
    expect(first.headers.get("ratelimit-limit")).toBe("2");
    expect(first.headers.get("ratelimit-remaining")).toBe("1");
    expect((await fake.handle(post(mail()))).status).toBe(200);
    now += 400;
    const third = await fake.handle(post(mail()));
    expect(third.status).toBe(429);
    expect(third.headers.get("retry-after")).toBe("1");
    const body = (await third.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ statusCode: 429, name: "rate_limit_exceeded" });
    expect(String(body.message)).toContain("2 requests per second");
    expect(fake.emails).toHaveLength(2);
    now += 600; // the next second
    expect((await fake.handle(post(mail()))).status).toBe(200);
  });

  it("a link fetch refused in front of the worker (403) is a 422 naming the attachment", async () => {
    let fetched = 0;
    const fake = new FakeResend({
      fetch: async () => {
        fetched++;
        return new Response("%PDF-1.7");
      },
    }).blockLinkFetches(1);
    const res = await answer(
      fake,
      post(
        mail({ attachments: [{ filename: "a.pdf", path: "https://forms.example.com/files/x/y" }] }),
      ),
    );
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ name: "invalid_attachment" });
    expect(String(res.body.message)).toMatch(/attachment/);
    expect(fetched).toBe(0);
    expect(fake.linkFetchesBlocked).toBe(1);
    expect(fake.emails).toHaveLength(0);
  });
});
