import { env } from "cloudflare:test";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { insertInquiry } from "../src/store/inquiries.ts";
import { FakeResend } from "./fakes/resend.ts";
import { samples } from "./file-samples.ts";
import {
  ADMIN_TOKEN,
  call,
  file,
  installFakes,
  newInquiry,
  runCron,
  sha256Hex,
  storedRow,
  submit,
  validFields,
  type Fakes,
} from "./helpers.ts";

const MIN = 60_000;
let fakes: Fakes;

beforeEach(async () => {
  fakes = installFakes();
  // The tests of one file share a database: each starts from an empty one.
  await env.DB.prepare("DELETE FROM inquiries").run();
});

function admin(method: string, path: string, body?: unknown) {
  return call(
    new Request(`https://forms.example.com/admin${path}`, {
      method,
      headers: {
        authorization: `Bearer ${ADMIN_TOKEN}`,
        "cf-connecting-ip": "203.0.113.21",
        "accept-language": "en",
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  );
}

async function healthWithToken(): Promise<{ status: number; codes: string[] }> {
  const res = await call(
    new Request("https://forms.example.com/health", {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "cf-connecting-ip": "203.0.113.21" },
    }),
  );
  const body = (await res.json()) as { problems: { code: string }[] };
  return { status: res.status, codes: body.problems.map((p) => p.code) };
}

interface Listed {
  id: string;
  created_at: string;
  status: string;
  attempts: number;
  last_error: string | null;
  next_attempt_at: string | null;
}

async function listed(query = ""): Promise<Listed[]> {
  const res = await admin("GET", `/deliveries${query}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { deliveries: Listed[] }).deliveries;
}

/** Three inquiries while Resend refuses every send (403, as for an unverified domain). */
async function storeWhileRefused(): Promise<{ ids: string[]; files: Map<string, Uint8Array> }> {
  fakes.resend.refuseAll(403);
  const files = new Map<string, Uint8Array>();
  const ids: string[] = [];
  const attachments = [samples.pdf(), samples.png(), null];
  for (const [i, bytes] of attachments.entries()) {
    const fields: Record<string, string | File> = validFields({ message: `inquiry ${i}` });
    if (bytes) fields.attachment = file(bytes, i === 0 ? "drawing.pdf" : "photo.png");
    const res = await submit(fields);
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    ids.push(id);
    if (bytes) files.set(id, bytes);
  }
  return { ids, files };
}

describe("mail that failed: seen, listed, retried, mailed once", () => {
  it("a 403 for every send → failed → /health 503 → listed → fixed → retry → each mailed once with its file → /health 200", async () => {
    const lines: string[] = [];
    const spy = vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => {
      lines.push(a.map(String).join(" "));
    });
    const { ids, files } = await storeWhileRefused();
    spy.mockRestore();
    // One line per inquiry given up, with a stable code, for Workers Logs alerting.
    for (const id of ids) {
      expect(
        lines.filter((l) => l.startsWith(`delivery_failed_permanently id=${id} code=403`)),
      ).toHaveLength(1);
    }
    for (const id of ids) {
      expect(await storedRow(id)).toMatchObject({ delivery_status: "failed" });
      expect((await storedRow(id))!.last_error).toMatch(/^403/);
    }
    expect(fakes.resend.emails).toHaveLength(0);

    expect(await healthWithToken()).toEqual({ status: 503, codes: ["deliveries_failed"] });
    const publicHealth = await call(new Request("https://forms.example.com/health"), {
      HEALTH_PROBE: "failed",
    } as never);
    expect(publicHealth.status).toBe(503);

    const list = await listed();
    expect(list.map((d) => d.id)).toEqual([...ids].reverse()); // newest first
    for (const d of list) {
      expect(Object.keys(d).sort()).toEqual(
        ["attempts", "created_at", "id", "last_error", "next_attempt_at", "spam", "status"].sort(),
      );
      expect(d).toMatchObject({ status: "failed", next_attempt_at: null });
      expect(d.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(d.last_error).toMatch(/^403/);
    }

    fakes.resend.stopFailing();
    const stranger = crypto.randomUUID();
    const res = await admin("POST", "/deliveries/retry", { ids: [...ids, stranger] });
    expect(await res.json()).toEqual({ ok: true, requeued: 3 });
    for (const id of ids) expect(await storedRow(id)).toMatchObject({ delivery_status: "pending" });
    expect(await listed()).toEqual([]);

    await runCron(Date.now() + MIN);
    await runCron(Date.now() + 30 * MIN);
    for (const id of ids) {
      const mails = fakes.resend.emails.filter((e) =>
        e.idempotencyKey?.startsWith(`inquiry-${id}`),
      );
      expect(mails, id).toHaveLength(1);
      expect(mails[0]!.idempotencyKey).toBe(`inquiry-${id}-r1`);
      const bytes = files.get(id);
      if (bytes) {
        expect(await sha256Hex(FakeResend.attachmentBytes(mails[0]!))).toBe(await sha256Hex(bytes));
      } else {
        expect(mails[0]!.body.attachments ?? []).toHaveLength(0);
      }
      expect(await storedRow(id)).toMatchObject({ delivery_status: "sent" });
    }
    expect(fakes.resend.emails).toHaveLength(3);
    expect(await healthWithToken()).toEqual({ status: 200, codes: [] });

    // A second retry finds nothing to requeue: nothing is mailed twice.
    expect(await (await admin("POST", "/deliveries/retry", { ids })).json()).toEqual({
      ok: true,
      requeued: 0,
    });
  });

  it("the same through dismiss: kept, not mailed, file deleted, off /health", async () => {
    const { ids, files } = await storeWhileRefused();
    expect((await healthWithToken()).status).toBe(503);
    expect((await listed()).map((d) => d.id)).toEqual([...ids].reverse());
    fakes.resend.stopFailing();

    const res = await admin("POST", "/deliveries/dismiss", { ids });
    expect(await res.json()).toEqual({ ok: true, dismissed: 3 });
    expect(await listed()).toEqual([]);
    expect(await healthWithToken()).toEqual({ status: 200, codes: [] });

    await runCron(Date.now() + MIN);
    expect(fakes.resend.emails).toHaveLength(0);
    for (const id of ids) {
      expect(await storedRow(id)).toMatchObject({ delivery_status: "dismissed" });
      expect((await env.ATTACHMENTS.list({ prefix: `attachments/${id}` })).objects).toHaveLength(0);
    }
    expect(files.size).toBe(2);
    // Dismissed is final for retry and dismiss alike.
    expect(await (await admin("POST", "/deliveries/retry", { ids })).json()).toEqual({
      ok: true,
      requeued: 0,
    });
  });
});

describe("GET /admin/deliveries", () => {
  async function seed(status: string, createdAt: number): Promise<string> {
    const i = newInquiry({ createdAt });
    await insertInquiry(env.DB, i);
    await env.DB.prepare(
      `UPDATE inquiries SET delivery_status = ?1, last_error = ?2, delivery_attempts = 2,
         next_attempt_at = CASE WHEN ?1 = 'pending' THEN created_at END WHERE id = ?3`,
    )
      .bind(status, status === "pending" ? null : "422:validation_error", i.id)
      .run();
    return i.id;
  }

  it("lists failed and bounced by default, or the state asked for, newest first", async () => {
    const t = Date.UTC(2026, 10, 1);
    const bounced = await seed("bounced", t + 2);
    const failed = await seed("failed", t + 1);
    const pending = await seed("pending", t + 3);
    const quarantined = await seed("quarantined", t + 4);
    await seed("sent", t);
    await seed("dismissed", t);
    expect((await listed()).map((d) => d.id)).toEqual([bounced, failed]);
    expect((await listed("?status=pending")).map((d) => d.id)).toEqual([pending]);
    expect((await listed("?status=quarantined")).map((d) => d.id)).toEqual([quarantined]);
    expect((await listed("?status=bounced"))[0]).toEqual({
      id: bounced,
      created_at: new Date(t + 2).toISOString(),
      status: "bounced",
      attempts: 2,
      last_error: "422:validation_error",
      next_attempt_at: null,
      spam: null, // seeded without a score
    });
    for (const bad of ["sent", "dismissed", "FAILED", "", "bogus"]) {
      const res = await admin("GET", `/deliveries?status=${bad}`);
      expect(res.status, bad).toBe(422);
      // The allowed states, not the form's message about services.
      expect(((await res.json()) as { errors: unknown[] }).errors, bad).toEqual([
        {
          field: "status",
          code: "invalid_option",
          message: "Choose one of: pending, failed, bounced, quarantined.",
        },
      ]);
    }
  });

  it("lists 500 a page, newest first, and pages on with the cursor until `next` is null", async () => {
    // 1,234 quarantined, some sharing a millisecond: every one on exactly one page.
    await env.DB.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1234)
       INSERT INTO inquiries (id, created_at, name, email, email_key, service, message, lang,
         delivery_status)
       SELECT printf('bulk-%05d', i), i / 3, 'n', 'e@x.si', 'e@x.si', 's', 'm', 'sl',
         'quarantined' FROM n`,
    ).run();
    const seen: string[] = [];
    let cursor: string | null = null;
    const sizes: number[] = [];
    do {
      const res = await admin(
        "GET",
        `/deliveries?status=quarantined${cursor ? `&cursor=${cursor}` : ""}`,
      );
      expect(res.status).toBe(200);
      const body = (await res.json()) as { deliveries: Listed[]; next: string | null };
      sizes.push(body.deliveries.length);
      seen.push(...body.deliveries.map((d) => d.id));
      cursor = body.next;
    } while (cursor);
    expect(sizes).toEqual([500, 500, 234]);
    expect(seen[0]).toBe("bulk-01234");
    expect(seen.at(-1)).toBe("bulk-00001");
    expect(new Set(seen).size).toBe(1234);
    expect(seen).toEqual([...seen].sort().reverse());
    // A cursor the worker did not write is a validation error, not a 500.
    for (const bad of ["x", "%%%", btoa("12.x y").replaceAll("=", "")]) {
      const res = await admin("GET", `/deliveries?status=quarantined&cursor=${bad}`);
      expect(res.status, bad).toBe(422);
      expect(((await res.json()) as { errors: { field: string }[] }).errors[0]!.field).toBe(
        "cursor",
      );
    }
  });
});

describe("POST /admin/deliveries/retry and /dismiss", () => {
  it("touch only failed, bounced or quarantined inquiries", async () => {
    const ids: Record<string, string> = {};
    for (const status of [
      "failed",
      "bounced",
      "quarantined",
      "pending",
      "sent",
      "delivered",
      "dismissed",
    ]) {
      const i = newInquiry();
      await insertInquiry(env.DB, i);
      await env.DB.prepare("UPDATE inquiries SET delivery_status = ? WHERE id = ?")
        .bind(status, i.id)
        .run();
      ids[status] = i.id;
    }
    const all = Object.values(ids);
    expect(await (await admin("POST", "/deliveries/dismiss", { ids: all })).json()).toEqual({
      ok: true,
      dismissed: 3,
    });
    for (const s of ["pending", "sent", "delivered"]) {
      expect(await storedRow(ids[s]!)).toMatchObject({ delivery_status: s });
    }
    for (const s of ["failed", "bounced", "quarantined"]) {
      expect(await storedRow(ids[s]!)).toMatchObject({ delivery_status: "dismissed" });
    }
  });

  it("take 1 to 500 ids as strings, else 422", async () => {
    const many = Array.from({ length: 300 }, () => crypto.randomUUID());
    expect(await (await admin("POST", "/deliveries/retry", { ids: many })).json()).toEqual({
      ok: true,
      requeued: 0,
    });
    for (const body of [
      {},
      { ids: [] },
      { ids: "x" },
      { ids: [1] },
      { ids: Array(501).fill("x") },
    ]) {
      expect((await admin("POST", "/deliveries/retry", body)).status).toBe(422);
      expect((await admin("POST", "/deliveries/dismiss", body)).status).toBe(422);
    }
    expect((await admin("POST", "/deliveries/retry", "nope")).status).toBe(400);
  });

  it("name the limit of 500 ids when given more, in the caller's language", async () => {
    const ids = Array.from({ length: 1000 }, () => crypto.randomUUID());
    for (const [lang, message] of [
      ["en", "Send at most 500 values at a time."],
      ["sl", "Pošljite največ 500 vrednosti naenkrat."],
    ] as const) {
      const res = await call(
        new Request("https://forms.example.com/admin/deliveries/retry", {
          method: "POST",
          headers: {
            authorization: `Bearer ${ADMIN_TOKEN}`,
            "cf-connecting-ip": "203.0.113.21",
            "content-type": "application/json",
            "accept-language": lang,
          },
          body: JSON.stringify({ ids }),
        }),
      );
      expect(res.status).toBe(422);
      expect(((await res.json()) as { errors: unknown[] }).errors).toEqual([
        { field: "ids", code: "too_many_values", message },
      ]);
    }
  });

  it("a retry of more ids than one statement binds requeues them all", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 120; i++) {
      const inquiry = newInquiry();
      await insertInquiry(env.DB, inquiry);
      ids.push(inquiry.id);
    }
    await env.DB.prepare("UPDATE inquiries SET delivery_status = 'failed'").run();
    expect(await (await admin("POST", "/deliveries/retry", { ids })).json()).toEqual({
      ok: true,
      requeued: 120,
    });
  });
});

describe("a hold restricts (GDPR Art. 18)", () => {
  it("a held inquiry is neither mailed nor purged until released; then both resume", async () => {
    const res = await submit(validFields(), {}, { RESEND_API_KEY: "" });
    const { id } = (await res.json()) as { id: string };
    expect(await storedRow(id)).toMatchObject({ delivery_status: "pending" });
    const hold = await admin("PUT", `/inquiries/${id}/hold`, { hold: true, reason: "disputed" });
    expect(hold.status).toBe(200);
    await runCron(Date.now() + MIN);
    await runCron(Date.now() + 3 * 365 * 24 * 60 * MIN); // past the retention period
    expect(fakes.resend.emails).toHaveLength(0);
    expect(await storedRow(id)).toMatchObject({ delivery_status: "pending", hold: 1 });

    await admin("PUT", `/inquiries/${id}/hold`, { hold: false });
    await runCron(Date.now() + 2 * MIN);
    expect(fakes.resend.emails.filter((e) => e.idempotencyKey === `inquiry-${id}`)).toHaveLength(1);
    expect(await storedRow(id)).toMatchObject({ delivery_status: "sent", hold: 0 });
  });

  it("a held inquiry that failed may be retried, and is mailed only once released", async () => {
    fakes.resend.refuseAll(403);
    const res = await submit(validFields());
    const { id } = (await res.json()) as { id: string };
    expect(await storedRow(id)).toMatchObject({ delivery_status: "failed" });
    fakes.resend.stopFailing();
    await admin("PUT", `/inquiries/${id}/hold`, { hold: true });
    expect(await (await admin("POST", "/deliveries/retry", { ids: [id] })).json()).toEqual({
      ok: true,
      requeued: 1,
    });
    await runCron(Date.now() + MIN);
    expect(fakes.resend.emails).toHaveLength(0);
    await admin("PUT", `/inquiries/${id}/hold`, { hold: false });
    await runCron(Date.now() + 2 * MIN);
    expect(fakes.resend.emails.map((e) => e.idempotencyKey)).toEqual([`inquiry-${id}-r1`]);
  });
});
