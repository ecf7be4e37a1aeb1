import { env } from "cloudflare:test";
import { Webhook } from "standardwebhooks";
import { beforeEach, describe, expect, it } from "vitest";
import { linkOrigin, linkServes } from "../src/files/link.ts";
import { attachmentDisposition } from "../src/files/route.ts";
import { insertInquiry } from "../src/store/inquiries.ts";
import { attachmentKey } from "../src/store/attachments.ts";
import { FakeResend, type AcceptedEmail } from "./fakes/resend.ts";
import { pdfOfSize, samples } from "./file-samples.ts";
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
const HOUR = 60 * MIN;
const SECRET = "whsec_dGVzdC13ZWJob29rLXNlY3JldC0wMTIzNDU2Nzg5YWJjZGVm";

let fakes: Fakes;
beforeEach(() => {
  fakes = installFakes();
});

async function storeWithFile(bytes: Uint8Array, name = "načrt.pdf"): Promise<string> {
  const res = await submit({ ...validFields(), attachment: file(bytes, name) } as never);
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

function mailOf(id: string): AcceptedEmail {
  const mails = fakes.resend.emails.filter((e) => e.idempotencyKey === `inquiry-${id}`);
  expect(mails).toHaveLength(1);
  return mails[0]!;
}

/** The `path` the worker put in the request for this inquiry (accepted or not). */
function linkSentFor(id: string): string {
  const request = fakes.resend.requests.find(
    (r) => r.headers.get("idempotency-key") === `inquiry-${id}`,
  );
  const body = request!.body as { attachments?: { path?: string; content?: string }[] };
  expect(body.attachments![0]!.content).toBeUndefined();
  return body.attachments![0]!.path!;
}

const get = (url: string) => call(new Request(url));

function admin(method: string, path: string, body?: unknown) {
  return call(
    new Request(`https://forms.example.com/admin${path}`, {
      method,
      headers: {
        authorization: `Bearer ${ADMIN_TOKEN}`,
        "cf-connecting-ip": "203.0.113.31",
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  );
}

describe("the mail carries the file as a link to the worker", () => {
  it("a `path` link, no inline content, and Resend fetched the exact bytes", async () => {
    const bytes = pdfOfSize(300_000);
    const id = await storeWithFile(bytes);
    const mail = mailOf(id);
    const sent = mail.body.attachments![0]!;
    expect(sent.content).toBeUndefined();
    expect(sent.path).toMatch(new RegExp(`^https://forms\\.example\\.com/files/${id}/[\\w-]{43}$`));
    expect(sent.filename).toBe("načrt.pdf");
    expect(sent.content_type).toBe("application/pdf");
    // The fake fetched it through the worker's own fetch handler, as Resend would.
    expect(mail.attachments[0]!.path).toBe(sent.path);
    expect(await sha256Hex(FakeResend.attachmentBytes(mail))).toBe(await sha256Hex(bytes));
    // The JSON body stays small whatever the file's size.
    expect(JSON.stringify(mail.body).length).toBeLessThan(10_000);
  });

  it("the link answers the file itself, as a download that is never sniffed or cached", async () => {
    const bytes = samples.png();
    const id = await storeWithFile(bytes, "skica ž.png");
    const res = await get(mailOf(id).body.attachments![0]!.path!);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/png");
    expect(res.headers.get("content-length")).toBe(String(bytes.byteLength));
    expect(res.headers.get("content-disposition")).toBe(
      `attachment; filename="skica _.png"; filename*=UTF-8''skica%20%C5%BE.png`,
    );
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await sha256Hex(new Uint8Array(await res.arrayBuffer()))).toBe(await sha256Hex(bytes));
  });

  it("a scheduled retry sends the same link, and Resend fetches it then", async () => {
    fakes.resend.failNext({ kind: "status", status: 500 });
    const bytes = samples.pdf();
    const id = await storeWithFile(bytes);
    expect(fakes.resend.emails).toHaveLength(0);
    const first = linkSentFor(id);
    await runCron(Date.now() + 10 * MIN);
    const mail = mailOf(id);
    expect(mail.body.attachments![0]!.path).toBe(first);
    expect(await sha256Hex(FakeResend.attachmentBytes(mail))).toBe(await sha256Hex(bytes));
  });

  it("a link Resend could not fetch: the same attempt sends the file inline", async () => {
    // Resend's fetch of the link fails once (our storage hiccuped), then works.
    let refused = 0;
    fakes.resend = new FakeResend({
      fetch: async (request) => {
        if (refused++ === 0) return new Response("unavailable", { status: 503 });
        return call(request);
      },
    });
    const bytes = samples.pdf();
    const id = await storeWithFile(bytes);
    expect(fakes.resend.requests[0]).toMatchObject({ status: 422, error: "invalid_attachment" });
    expect(await storedRow(id)).toMatchObject({
      delivery_status: "sent",
      delivery_attempts: 1,
      link_refused: 1,
    });
    expect(fakes.resend.emails).toHaveLength(1);
    const mail = fakes.resend.emails[0]!;
    expect(mail.idempotencyKey).toBe(`inquiry-${id}-inline`);
    expect(mail.body.attachments![0]!.path).toBeUndefined();
    expect(await sha256Hex(FakeResend.attachmentBytes(mail))).toBe(await sha256Hex(bytes));
  });
});

describe("the link stops working once the file is deleted", () => {
  it("after the webhook reports the mail delivered", async () => {
    const id = await storeWithFile(samples.pdf());
    const mail = mailOf(id);
    const link = mail.body.attachments![0]!.path!;
    expect((await get(link)).status).toBe(200);
    const tags = (mail.body.tags as { name: string; value: string }[]) ?? [];
    const body = JSON.stringify({
      type: "email.delivered",
      created_at: new Date().toISOString(),
      data: {
        email_id: mail.id,
        created_at: new Date(mail.receivedAt).toISOString(),
        tags: Object.fromEntries(tags.map((t) => [t.name, t.value])),
      },
    });
    const msgId = `msg_${crypto.randomUUID()}`;
    const at = new Date();
    const hook = await call(
      new Request("https://forms.example.com/webhooks/resend", {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "svix-id": msgId,
          "svix-timestamp": String(Math.floor(at.getTime() / 1000)),
          "svix-signature": new Webhook(SECRET).sign(msgId, at, body),
        },
        body,
      }),
      { RESEND_WEBHOOK_SECRET: SECRET },
    );
    expect(hook.status).toBe(200);
    expect((await storedRow(id))!.delivery_status).toBe("delivered");
    expect((await get(link)).status).toBe(404);
  });

  it("24 hours after it was sent: the scheduled run at that time deletes it", async () => {
    const id = await storeWithFile(samples.pdf());
    const link = mailOf(id).body.attachments![0]!.path!;
    const sentAt = (await storedRow(id))!.sent_at!;
    await runCron(sentAt + 23 * HOUR);
    expect((await get(link)).status).toBe(200);
    await runCron(sentAt + 24 * HOUR + 5 * MIN);
    expect(await env.ATTACHMENTS.head(attachmentKey(id))).toBeNull();
    expect((await storedRow(id))!.attachment_key).toBeNull();
    const res = await get(link);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ ok: false, code: "not_found" });
  });

  it("the link itself ends 24 hours after sending, even before a run deletes the file", () => {
    const sentAt = Date.UTC(2026, 0, 1);
    const kept = { key: "k", status: "sent" as const, hold: false, sentAt };
    expect(linkServes(kept, sentAt + 24 * HOUR - 1)).toBe(true);
    expect(linkServes(kept, sentAt + 24 * HOUR)).toBe(false);
    for (const status of ["delivered", "dismissed", "quarantined"] as const) {
      expect(linkServes({ ...kept, status }, sentAt)).toBe(false);
    }
    for (const status of ["pending", "failed", "bounced"] as const) {
      expect(linkServes({ ...kept, status, sentAt: null }, sentAt + 48 * HOUR)).toBe(true);
    }
    expect(linkServes({ ...kept, hold: true }, sentAt)).toBe(false);
    expect(linkServes({ ...kept, key: null }, sentAt)).toBe(false);
  });

  it("when an operator dismisses the failed inquiry", async () => {
    fakes.resend.refuseAll(422);
    const id = await storeWithFile(samples.pdf());
    fakes.resend.stopFailing();
    expect((await storedRow(id))!.delivery_status).toBe("failed");
    const link = linkSentFor(id);
    // A failed inquiry keeps its file for an operator's retry, and so does the link.
    expect((await get(link)).status).toBe(200);
    const res = await admin("POST", "/deliveries/dismiss", { ids: [id] });
    expect(await res.json()).toEqual({ ok: true, dismissed: 1 });
    expect((await get(link)).status).toBe(404);
  });

  it("when the inquiry is erased", async () => {
    const id = await storeWithFile(samples.pdf());
    const link = mailOf(id).body.attachments![0]!.path!;
    expect((await get(link)).status).toBe(200);
    const res = await admin("DELETE", `/inquiries/${id}`);
    expect(res.status).toBe(200);
    expect((await get(link)).status).toBe(404);
  });

  it("while the inquiry is held (restricted), and again once released", async () => {
    const id = await storeWithFile(samples.pdf());
    const link = mailOf(id).body.attachments![0]!.path!;
    await admin("PUT", `/inquiries/${id}/hold`, { hold: true, reason: "dispute" });
    expect((await get(link)).status).toBe(404);
    await admin("PUT", `/inquiries/${id}/hold`, { hold: false });
    expect((await get(link)).status).toBe(200);
  });
});

describe("a link serves only its own file", () => {
  it("a forged or altered link answers 404, another inquiry's file is never served", async () => {
    const a = samples.pdf();
    const b = samples.png();
    const idA = await storeWithFile(a, "a.pdf");
    const idB = await storeWithFile(b, "b.png");
    const linkA = mailOf(idA).body.attachments![0]!.path!;
    const linkB = mailOf(idB).body.attachments![0]!.path!;
    const macA = linkA.split("/").pop()!;
    const macB = linkB.split("/").pop()!;
    const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const sloppy = (mac: string) => mac.slice(0, -1) + B64URL[B64URL.indexOf(mac.at(-1)!) | 1];
    // Another character in the same place, never the one that was there.
    const other = (s: string, at: number) =>
      s.slice(0, at) + (s.at(at) === "A" ? "B" : "A") + s.slice(at === -1 ? s.length : at + 1);
    const forged = [
      `https://forms.example.com/files/${idB}/${macA}`, // A's MAC on B's id
      `https://forms.example.com/files/${idA}/${macB}`,
      `https://forms.example.com/files/${idA}/${other(macA, 10)}`,
      // The same 256 bits spelled with the last character's 2 unused bits set.
      `https://forms.example.com/files/${idA}/${sloppy(macA)}`,
      `https://forms.example.com/files/${idA}/${macA.slice(0, 22)}`,
      `https://forms.example.com/files/${idA}/${macA}x`,
      `https://forms.example.com/files/${other(idA, -1)}/${macA}`,
      `https://forms.example.com/files/${idA}`,
      `https://forms.example.com/files/${encodeURIComponent(attachmentKey(idA))}/${macA}`,
    ];
    for (const url of forged) {
      const res = await get(url);
      expect(res.status, url).toBe(404);
      expect(res.headers.get("content-disposition"), url).toBeNull();
    }
    // Each real link gives its own bytes.
    const gotA = new Uint8Array(await (await get(linkA)).arrayBuffer());
    const gotB = new Uint8Array(await (await get(linkB)).arrayBuffer());
    expect(await sha256Hex(gotA)).toBe(await sha256Hex(a));
    expect(await sha256Hex(gotB)).toBe(await sha256Hex(b));
  });

  it("a link made with another API key answers 404", async () => {
    const id = await storeWithFile(samples.pdf());
    const link = mailOf(id).body.attachments![0]!.path!;
    expect((await call(new Request(link), { RESEND_API_KEY: "re_other_0123456789" })).status).toBe(
      404,
    );
    // Without a key the worker sends nothing and no link works.
    expect((await call(new Request(link), { RESEND_API_KEY: "" })).status).toBe(404);
  });
});

describe("where no public URL of the worker is known, the file goes inline", () => {
  it("without PUBLIC_URL a file is mailed with its bytes, decided at the send", async () => {
    const bytes = samples.pdf();
    const inquiry = newInquiry({
      createdAt: Date.now() - 10 * MIN,
      attachment: {
        key: null,
        filename: "old.pdf",
        size: bytes.byteLength,
        type: "application/pdf",
        sha256: await sha256Hex(bytes),
      },
    });
    inquiry.attachment!.key = attachmentKey(inquiry.id);
    await env.ATTACHMENTS.put(attachmentKey(inquiry.id), bytes);
    await insertInquiry(env.DB, inquiry);
    await runCron(Date.now(), { PUBLIC_URL: "" });
    const mail = mailOf(inquiry.id);
    expect(mail.body.attachments![0]!.path).toBeUndefined();
    expect(typeof mail.body.attachments![0]!.content).toBe("string");
    expect(await sha256Hex(FakeResend.attachmentBytes(mail))).toBe(await sha256Hex(bytes));
  });

  it("the link's origin is PUBLIC_URL, never the Host the visitor's request named", async () => {
    const bytes = samples.pdf();
    const res = await call(
      new Request("http://attacker.test/inquiry", {
        method: "POST",
        headers: { accept: "application/json", "cf-connecting-ip": "203.0.113.77" },
        body: (() => {
          const form = new FormData();
          for (const [k, v] of Object.entries(validFields())) form.append(k, v);
          form.append("attachment", file(bytes, "a.pdf"));
          return form;
        })(),
      }),
    );
    const { id } = (await res.json()) as { id: string };
    expect(linkSentFor(id).startsWith(`https://forms.example.com/files/${id}/`)).toBe(true);
    expect(await sha256Hex(FakeResend.attachmentBytes(mailOf(id)))).toBe(await sha256Hex(bytes));
  });

  it("localhost is linked only when the mail API is on this machine too (the dev catcher)", () => {
    expect(linkOrigin("https://forms.example.com", "https://api.resend.com")).toBe(
      "https://forms.example.com",
    );
    expect(linkOrigin("http://localhost:8787", "https://api.resend.com")).toBeNull();
    expect(linkOrigin("http://127.0.0.1:8787", "https://api.resend.com")).toBeNull();
    expect(linkOrigin("http://localhost:8787", "http://localhost:8025")).toBe(
      "http://localhost:8787",
    );
    expect(linkOrigin("http://[::1]:8787", "http://127.0.0.1:8025")).toBe("http://[::1]:8787");
    expect(linkOrigin("http://forms.example.com", "https://api.resend.com")).toBeNull();
    expect(linkOrigin(null, "https://api.resend.com")).toBeNull();
    expect(linkOrigin(undefined, "https://api.resend.com")).toBeNull();
  });

  it("the file name is given as RFC 6266 `filename*` with an ASCII fallback", () => {
    expect(attachmentDisposition("plan.pdf")).toBe(
      `attachment; filename="plan.pdf"; filename*=UTF-8''plan.pdf`,
    );
    expect(attachmentDisposition("ponudba (1) 50%'s.pdf")).toBe(
      `attachment; filename="ponudba (1) 50_'s.pdf"; filename*=UTF-8''ponudba%20%281%29%2050%25%27s.pdf`,
    );
  });
});
