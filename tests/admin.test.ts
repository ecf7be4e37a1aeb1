import { env } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { sameSecret } from "../src/admin/auth.ts";
import { samples } from "./file-samples.ts";
import {
  ADMIN_TOKEN,
  call,
  file,
  installFakes,
  storedRow,
  submit,
  validFields,
  limiterWindowAhead,
} from "./helpers.ts";

beforeEach(() => {
  installFakes();
});

const NO_KEY = { RESEND_API_KEY: "" }; // mail stays pending, so files stay in R2

const OPERATOR_IP = "203.0.113.7";

function admin(
  method: string,
  path: string,
  body?: unknown,
  token = ADMIN_TOKEN,
  vars = {},
  ip = OPERATOR_IP,
) {
  return call(
    new Request(`https://forms.example.com/admin${path}`, {
      method,
      headers: {
        "cf-connecting-ip": ip,
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
        "accept-language": "en",
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
    vars,
  );
}

async function store(
  fields: Record<string, string | File>,
  vars: Record<string, string> = NO_KEY,
): Promise<string> {
  const res = await submit(fields, {}, vars);
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

/** Every value in every table and every object in the bucket, as one string. */
async function everythingStored(): Promise<string> {
  const tables = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'",
  ).all<{ name: string }>();
  let all = "";
  for (const { name } of tables.results) {
    const rows = await env.DB.prepare(`SELECT * FROM "${name}"`).all();
    all += JSON.stringify(rows.results);
  }
  const objects = await env.ATTACHMENTS.list();
  for (const o of objects.objects) {
    all += o.key + (await (await env.ATTACHMENTS.get(o.key))!.text());
  }
  return all.toLowerCase();
}

describe("access to the operator API", () => {
  it("is absent without ADMIN_TOKEN", async () => {
    const res = await admin("GET", "/retention", undefined, ADMIN_TOKEN, { ADMIN_TOKEN: "" });
    expect(res.status).toBe(404);
  });

  it("needs the bearer token", async () => {
    for (const token of ["", "wrong", `${ADMIN_TOKEN}x`, ADMIN_TOKEN.slice(0, -1)]) {
      const res = await admin("GET", "/retention", undefined, token);
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toContain("Bearer");
      expect(await res.json()).toEqual({
        ok: false,
        code: "unauthorized",
        message: "Not authorized.",
      });
    }
    expect((await admin("GET", "/retention")).status).toBe(200);
  });

  it("answers a method a path does not take with 405 and Allow, only to the token's holder", async () => {
    const id = crypto.randomUUID();
    const cases: [string, string, string][] = [
      ["GET", "/inquiries/search", "POST"],
      ["DELETE", "/inquiries/erase", "POST"],
      ["PUT", `/inquiries/${id}`, "GET, PATCH, DELETE, HEAD"],
      ["GET", `/inquiries/${id}/hold`, "PUT"],
      ["POST", "/deliveries", "GET, HEAD"],
      ["GET", "/deliveries/retry", "POST"],
      ["PUT", "/deliveries/dismiss", "POST"],
      ["DELETE", "/retention", "GET, HEAD"],
    ];
    for (const [method, path, allow] of cases) {
      const res = await admin(method, path);
      expect(res.status, `${method} ${path}`).toBe(405);
      expect(res.headers.get("allow")).toBe(allow);
      expect(((await res.json()) as { code: string }).code).toBe("method_not_allowed");
      // Without the token nothing about the routes shows.
      // (From another network: these failed sign-ins count towards its lockout.)
      expect((await admin(method, path, undefined, "", {}, "192.0.2.77")).status).toBe(401);
    }
    expect((await admin("GET", `/inquiries/${id}`)).status).toBe(404);
    expect((await admin("GET", "/nothing-here")).status).toBe(404);
  });

  it("limits failed attempts per client network: 401, then 429 with Retry-After", async () => {
    await limiterWindowAhead();
    const ip = "192.0.2.44";
    for (let i = 0; i < 10; i++) {
      expect((await admin("GET", "/retention", undefined, `wrong-${i}`, {}, ip)).status).toBe(401);
    }
    const locked = await admin("GET", "/retention", undefined, "wrong-10", {}, ip);
    expect(locked.status).toBe(429);
    expect(locked.headers.get("retry-after")).toBe("60");
    expect(((await locked.json()) as { code: string }).code).toBe("too_many_attempts");
    // Locked out, even the right token is not compared: a guesser learns nothing.
    const right = await admin("GET", "/retention", undefined, ADMIN_TOKEN, {}, ip);
    expect(right.status).toBe(429);
    expect(Number(right.headers.get("retry-after"))).toBeGreaterThan(0);
    // The whole IPv6 /64 is one network: another address in it is locked out too.
    for (let i = 0; i < 11; i++) {
      await admin("GET", "/retention", undefined, "wrong", {}, `2001:db8:5:7::${i + 1}`);
    }
    const sameNet = await admin(
      "GET",
      "/retention",
      undefined,
      ADMIN_TOKEN,
      {},
      "2001:db8:5:7::ff",
    );
    expect(sameNet.status).toBe(429);
    // Another network is not affected.
    expect(
      (await admin("GET", "/retention", undefined, ADMIN_TOKEN, {}, "192.0.2.45")).status,
    ).toBe(200);
  });

  it("does not count successful calls against the limit", async () => {
    const ip = "192.0.2.46";
    for (let i = 0; i < 15; i++) {
      expect((await admin("GET", "/retention", undefined, ADMIN_TOKEN, {}, ip)).status).toBe(200);
    }
    expect((await admin("GET", "/retention", undefined, "wrong", {}, ip)).status).toBe(401);
  });

  it("compares secrets in constant time over equal-length digests", async () => {
    expect(await sameSecret("abc", "abc")).toBe(true);
    expect(await sameSecret("abc", "abd")).toBe(false);
    expect(await sameSecret("", "abc")).toBe(false);
  });
});

describe("access and portability: export by address", () => {
  it("returns every inquiry of the address, case-insensitively, and nothing of others", async () => {
    const email = `export.${crypto.randomUUID().slice(0, 8)}@Primer.si`;
    const a = await store(validFields({ email, message: "first" }));
    const b = await store({
      ...validFields({ email: email.toUpperCase(), message: "second" }),
      attachment: file(samples.pdf(), "a.pdf"),
    });
    const other = await store(validFields({ message: "someone else" }));
    const res = await admin("POST", "/inquiries/search", { email: email.toLowerCase() });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { ok: true; inquiries: Record<string, unknown>[] };
    expect(body.ok).toBe(true);
    expect(body.inquiries.map((i) => i.id).sort()).toEqual([a, b].sort());
    expect(JSON.stringify(body)).not.toContain(other);
    const withFile = body.inquiries.find((i) => i.id === b)!;
    expect(withFile).toMatchObject({
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      name: "Ana Novak",
      message: "second",
      service: "CNC machining",
      attachment: {
        filename: "a.pdf",
        size: samples.pdf().length,
        type: "application/pdf",
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      },
      delivery: { status: "pending", attempts: 0, resend_id: null },
      hold: false,
    });
  });

  it("gets one by id, or 404", async () => {
    const id = await store(validFields());
    const res = await admin("GET", `/inquiries/${id}`);
    expect(((await res.json()) as { inquiry: { id: string } }).inquiry.id).toBe(id);
    expect((await admin("GET", "/inquiries/00000000-0000-4000-8000-000000000000")).status).toBe(
      404,
    );
  });

  it("asks for the address in the body", async () => {
    for (const body of [{}, { email: "" }, { email: 42 }, { email: `${"a".repeat(250)}@x.si` }]) {
      const res = await admin("POST", "/inquiries/search", body);
      expect(res.status).toBe(422);
      expect(((await res.json()) as { errors: { field: string }[] }).errors[0]!.field).toBe(
        "email",
      );
    }
    expect((await admin("POST", "/inquiries/search", "not json")).status).toBe(400);
  });

  it("refuses what is not an address with 422 invalid_email, for search and erasure", async () => {
    const keep = await store(validFields());
    for (const path of ["/inquiries/search", "/inquiries/erase"]) {
      for (const email of ["x", "ana@", "@x.si", "ana@primer", "ana novak@primer.si", "a@b."]) {
        const res = await admin("POST", path, { email });
        expect(res.status, `${path} ${email}`).toBe(422);
        expect(((await res.json()) as { errors: unknown[] }).errors).toEqual([
          {
            field: "email",
            code: "invalid_email",
            message: "Please enter a valid e-mail address, e.g. name@company.com.",
          },
        ]);
      }
    }
    expect(await storedRow(keep)).not.toBeNull();
  });

  it("names Resend's id for the mail, to match its dashboard and webhook events", async () => {
    const id = await store(validFields(), {});
    const res = await admin("GET", `/inquiries/${id}`);
    const { delivery } = ((await res.json()) as { inquiry: { delivery: unknown } }).inquiry;
    const row = await storedRow(id);
    expect(row!.resend_id).toMatch(/\S/);
    expect(delivery).toEqual({ status: "sent", attempts: 1, resend_id: row!.resend_id });
    const pending = await store(validFields());
    const held = (
      (await (await admin("GET", `/inquiries/${pending}`)).json()) as {
        inquiry: { delivery: unknown };
      }
    ).inquiry.delivery;
    expect(held).toEqual({ status: "pending", attempts: 0, resend_id: null });
  });
});

describe("an address never in a URL", () => {
  it("refuses `email` in any /admin URL with 400, before and after authentication", async () => {
    const email = `url.${crypto.randomUUID().slice(0, 8)}@primer.si`;
    const id = await store(validFields({ email }));
    const q = `email=${encodeURIComponent(email)}`;
    for (const [method, path] of [
      ["GET", `/inquiries?${q}`],
      ["DELETE", `/inquiries?${q}`],
      ["GET", `/retention?${q}`],
      ["POST", `/inquiries/search?${q}`],
      ["GET", `/inquiries/${id}?x=1&email=`],
      ["GET", `/inquiries/${id}?Email=x`],
      ["GET", `/inquiries/${encodeURIComponent(email)}`],
      ["GET", `/inquiries/${email}`],
      ["GET", `/deliveries?status=${encodeURIComponent(email)}`],
    ] as const) {
      for (const token of [ADMIN_TOKEN, "wrong", ""]) {
        const res = await admin(method, path, method === "POST" ? { email } : undefined, token);
        expect(res.status).toBe(400);
        const body = (await res.json()) as { code: string; message: string };
        expect(body.code).toBe("email_in_url");
        expect(JSON.stringify(body)).not.toContain(id);
      }
    }
    expect(await storedRow(id)).not.toBeNull();
  });

  it("has no GET or DELETE by address any more", async () => {
    expect((await admin("GET", "/inquiries")).status).toBe(404);
    expect((await admin("DELETE", "/inquiries")).status).toBe(404);
  });

  it("without ADMIN_TOKEN stays 404, URL address or not", async () => {
    const res = await admin("GET", "/inquiries?email=a@b.si", undefined, ADMIN_TOKEN, {
      ADMIN_TOKEN: "",
    });
    expect(res.status).toBe(404);
  });
});

describe("erasure", () => {
  it("by address leaves nothing of it in any table or bucket", async () => {
    const email = `erase.${crypto.randomUUID().slice(0, 8)}@primer.si`;
    await store({ ...validFields({ email }), attachment: file(samples.png(), "x.png") });
    await store({ ...validFields({ email }), attachment: file(samples.pdf(), "y.pdf") });
    await store(validFields({ email: email.toUpperCase() }));
    const keep = await store(validFields());
    expect(await everythingStored()).toContain(email);

    const res = await admin("POST", "/inquiries/erase", { email });
    expect(await res.json()).toEqual({ ok: true, deleted: 3 });
    expect(await everythingStored()).not.toContain(email);
    expect(await storedRow(keep)).not.toBeNull();
  });

  it("by id removes the row and its file, or says 404", async () => {
    const id = await store({ ...validFields(), attachment: file(samples.pdf(), "y.pdf") });
    const key = (await storedRow(id))!.attachment_key!;
    expect(await env.ATTACHMENTS.head(key)).not.toBeNull();
    expect(await (await admin("DELETE", `/inquiries/${id}`)).json()).toEqual({
      ok: true,
      deleted: 1,
    });
    expect(await storedRow(id)).toBeNull();
    expect(await env.ATTACHMENTS.head(key)).toBeNull();
    expect((await admin("DELETE", `/inquiries/${id}`)).status).toBe(404);
  });
});

describe("rectification", () => {
  it("updates fields by the form's rules", async () => {
    const id = await store(validFields());
    const res = await admin("PATCH", `/inquiries/${id}`, {
      name: "  Ana Kovač ",
      email: "Ana@Kovac.SI",
      phone: "",
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { inquiry: Record<string, unknown> };
    expect(body.inquiry).toMatchObject({ name: "Ana Kovač", email: "Ana@kovac.si", phone: null });
    expect(await storedRow(id)).toMatchObject({
      name: "Ana Kovač",
      email: "Ana@kovac.si",
      phone: null,
    });
    const found = await admin("POST", "/inquiries/search", { email: "ana@kovac.si" });
    expect(((await found.json()) as { inquiries: unknown[] }).inquiries).toHaveLength(1);
  });

  it("refuses invalid values and fields that are not editable with 422", async () => {
    const id = await store(validFields());
    const res = await admin("PATCH", `/inquiries/${id}`, {
      email: "not-an-address",
      service: "Other",
    });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { code: string; errors: { field: string; code: string }[] };
    expect(body.code).toBe("validation_failed");
    expect(body.errors.map((e) => `${e.field}:${e.code}`).sort()).toEqual([
      "email:invalid_email",
      "service:invalid_value",
    ]);
    expect((await storedRow(id))?.email).toMatch(/@primer\.si$/);
    expect((await admin("PATCH", "/inquiries/nope", { name: "Xx" })).status).toBe(404);
    expect((await admin("PATCH", `/inquiries/${id}`, "[]")).status).toBe(400);
  });
});

describe("restriction: hold", () => {
  it("sets and releases a hold, with a reason", async () => {
    const id = await store(validFields());
    expect(
      await (
        await admin("PUT", `/inquiries/${id}/hold`, { hold: true, reason: "Art. 18 request" })
      ).json(),
    ).toEqual({ ok: true });
    expect(await storedRow(id)).toMatchObject({ hold: 1 });
    const got = (await (await admin("GET", `/inquiries/${id}`)).json()) as {
      inquiry: { hold: boolean; hold_reason: string };
    };
    expect(got.inquiry).toMatchObject({ hold: true, hold_reason: "Art. 18 request" });
    await admin("PUT", `/inquiries/${id}/hold`, { hold: false });
    expect(await storedRow(id)).toMatchObject({ hold: 0 });
    expect((await admin("PUT", `/inquiries/${id}/hold`, { hold: "yes" })).status).toBe(422);
    expect((await admin("PUT", "/inquiries/nope/hold", { hold: true })).status).toBe(404);
  });
});

describe("retention report", () => {
  it("counts inquiries, held, due and names the oldest", async () => {
    const old = await store(validFields());
    const held = await store(validFields());
    const longAgo = Date.UTC(2020, 0, 1);
    await env.DB.prepare("UPDATE inquiries SET created_at = ? WHERE id IN (?, ?)")
      .bind(longAgo, old, held)
      .run();
    await admin("PUT", `/inquiries/${held}/hold`, { hold: true });
    const body = (await (await admin("GET", "/retention")).json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      ok: true,
      retention_months: 24,
      log_retention_days: 30,
      oldest: "2020-01-01T00:00:00.000Z",
    });
    expect(body.due).toBeGreaterThanOrEqual(1);
    expect(body.held).toBeGreaterThanOrEqual(1);
    expect(body.inquiries as number).toBeGreaterThanOrEqual(
      (body.due as number) + (body.held as number),
    );
  });
});
