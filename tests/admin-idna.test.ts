import { env } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, call, installFakes, storedRow, submit, validFields } from "./helpers.ts";

/**
 * A person writes to the company as jure.kos@žaga.si; the browser submitted
 * jure.kos@xn--aga-b3a.si (an `<input type=email>` sends the domain in IDNA's
 * ASCII form). Look-ups, export and erasure take either form and find both;
 * what is no address is a 422, never "0 found".
 */

beforeEach(() => {
  installFakes();
});

function admin(path: string, body: unknown) {
  return call(
    new Request(`https://forms.example.com/admin${path}`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${ADMIN_TOKEN}`,
        "content-type": "application/json",
        "accept-language": "en",
        "cf-connecting-ip": "203.0.113.8",
      },
      body: JSON.stringify(body),
    }),
    { RESEND_API_KEY: "" },
  );
}

async function stored(email: string): Promise<string> {
  const res = await submit(validFields({ email }), {}, { RESEND_API_KEY: "" });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

async function found(email: string): Promise<string[]> {
  const res = await admin("/inquiries/search", { email });
  expect(res.status).toBe(200);
  return ((await res.json()) as { inquiries: { id: string }[] }).inquiries.map((i) => i.id);
}

describe("an address with a Unicode domain", () => {
  it("the Unicode form finds and erases what the browser stored in ASCII form", async () => {
    const id = await stored("jure.kos@xn--aga-b3a.si");
    expect(await found("jure.kos@žaga.si")).toEqual([id]);
    expect(await found("Jure.Kos@ŽAGA.SI")).toEqual([id]);
    expect(await found("jure.kos@xn--aga-b3a.si")).toEqual([id]);

    const res = await admin("/inquiries/erase", { email: "jure.kos@žaga.si" });
    expect(await res.json()).toEqual({ ok: true, deleted: 1 });
    expect(await storedRow(id)).toBeNull();
  });

  it("the ASCII form finds a row kept under its Unicode form (stored before this rule)", async () => {
    const id = await stored("mojca@xn--pota-h6a.si");
    await env.DB.prepare("UPDATE inquiries SET email = ?1, email_key = ?1 WHERE id = ?2")
      .bind("mojca@pošta.si", id)
      .run();
    expect(await found("mojca@xn--pota-h6a.si")).toEqual([id]);
    const res = await admin("/inquiries/erase", { email: "MOJCA@xn--pota-h6a.si" });
    expect(await res.json()).toEqual({ ok: true, deleted: 1 });
  });

  it("a plain ASCII address is found as before, and finds no one else", async () => {
    const id = await stored("ana.idna@primer.si");
    await stored("ana.idna@primer.si.example.org");
    expect(await found("ANA.IDNA@primer.si")).toEqual([id]);
  });

  it("what is no address is refused with 422, never answered with 0", async () => {
    for (const email of [
      "jure.kos",
      "jure.kos@žaga",
      "jure.kos@žaga..si",
      "@žaga.si",
      "jure.kos@žaga.si/x",
      "jure kos@žaga.si",
      "jure.kos@ža ga.si",
      "jure.kos@",
    ]) {
      for (const path of ["/inquiries/search", "/inquiries/erase"]) {
        const res = await admin(path, { email });
        expect(res.status, `${path} ${email}`).toBe(422);
        const body = (await res.json()) as { errors: { field: string; code: string }[] };
        expect(body.errors).toEqual([expect.objectContaining({ field: "email" })]);
      }
    }
  });
});
