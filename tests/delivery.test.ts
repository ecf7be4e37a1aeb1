import { env } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { MAX_ATTEMPTS } from "../src/mail/deliver.ts";
import { composeMail } from "../src/mail/compose.ts";
import { parseConfig, type Config } from "../src/config/config.ts";
import { getInquiry } from "../src/store/inquiries.ts";
import { FakeResend } from "./fakes/resend.ts";
import { samples } from "./file-samples.ts";
import {
  ADMIN_TOKEN,
  call,
  file,
  installFakes,
  runCron,
  sha256Hex,
  storedRow,
  submit,
  validFields,
  type Fakes,
} from "./helpers.ts";

let fakes: Fakes;
beforeEach(() => {
  fakes = installFakes();
});

const MIN = 60_000;
const NO_KEY = { RESEND_API_KEY: "" };

async function storeOne(fields = validFields(), vars = {}): Promise<string> {
  const res = await submit(fields, {}, vars);
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

function emailsFor(id: string) {
  return fakes.resend.emails.filter((e) => e.idempotencyKey === `inquiry-${id}`);
}

describe("the mail", () => {
  it("is sent right after storing, once, to MAIL_TO with reply-to the visitor", async () => {
    const fields = validFields({ service: "Welding" });
    const id = await storeOne(fields);
    const [mail, ...more] = emailsFor(id);
    expect(more).toHaveLength(0);
    expect(fakes.resend.emails).toHaveLength(1);
    const b = mail!.body;
    expect(b.from).toBe("Inquiry form <inquiries@example.com>");
    expect(b.to).toEqual(["office@example.com"]);
    expect(b.reply_to).toBe(fields.email!.replace("Primer.SI", "primer.si"));
    expect(b.subject).toBe(`Povpraševanje: Welding – ${fields.name}`);
    expect(b.text).toContain(fields.message);
    expect(b.text).toContain(`Storitev: Welding`);
    expect(b.html).toContain("Welding");
    // Never to the submitter.
    expect(JSON.stringify(b.to)).not.toContain(fields.email!.toLowerCase().split("@")[0]);
    const request = fakes.resend.requests[0]!;
    expect(request.headers.get("idempotency-key")).toBe(`inquiry-${id}`);
    expect(request.headers.get("authorization")).toBe("Bearer re_test_0123456789");
    expect(await storedRow(id)).toMatchObject({ delivery_status: "sent", delivery_attempts: 1 });
  });

  it("carries the attachment byte for byte, and keeps it while a retry may need it", async () => {
    const bytes = samples.pdf();
    const id = await storeOne({ ...validFields(), attachment: file(bytes, "načrt.pdf") } as never);
    const [mail] = emailsFor(id);
    const attachment = mail!.body.attachments![0]!;
    expect(attachment.filename).toBe("načrt.pdf");
    expect(await sha256Hex(FakeResend.attachmentBytes(mail!))).toBe(await sha256Hex(bytes));
    const row = await storedRow(id);
    expect(row).toMatchObject({
      delivery_status: "sent",
      attachment_key: `attachments/${id}`,
      attachment_name: "načrt.pdf",
    });
    // Deleted a day after sending (tests/delivery-edges.test.ts), not on send.
    expect((await env.ATTACHMENTS.list({ prefix: `attachments/${id}` })).objects).toHaveLength(1);
  });

  it("escapes HTML in every value of the HTML part", async () => {
    const message = `<img src=x onerror=alert(1)> & "quotes" <b>bold</b>`;
    const id = await storeOne(validFields({ message, company: "<script>x</script>" }));
    const { html, text } = emailsFor(id)[0]!.body;
    expect(html).not.toContain("<img src=x");
    expect(html).not.toContain("<script>x");
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot;");
    expect(text).toContain(message);
  });

  it("keeps header injection in the name or service out of the headers", async () => {
    const id = await storeOne(validFields(), NO_KEY);
    // Rows are validated on the way in; this one is forged to test the mail layer alone.
    await env.DB.prepare("UPDATE inquiries SET name = ?, service = ? WHERE id = ?")
      .bind("Ana\r\nBcc: victim@example.net", "Welding\nX-Evil: 1\u2028y", id)
      .run();
    await runCron(Date.now() + MIN);
    const [mail] = emailsFor(id);
    expect(mail!.body.subject).toBe(
      "Povpraševanje: Welding X-Evil: 1 y – Ana Bcc: victim@example.net",
    );
    expect(mail!.body.subject).not.toMatch(/[\r\n\u2028]/);
    expect(mail!.body.headers).toBeUndefined();
    expect(mail!.body.to).toEqual(["office@example.com"]);
  });
});

describe("failures end in exactly one mail or a visible failure, never a loss", () => {
  it.each([
    ["a network error", { kind: "network" } as const],
    ["a timeout", { kind: "timeout", ms: 5 } as const],
    ["a 500", { kind: "status", status: 500 } as const],
    ["a 502", { kind: "status", status: 502 } as const],
  ])("retries after %s on the next scheduled run", async (_label, failure) => {
    fakes.resend.failNext(failure);
    const id = await storeOne();
    const pending = await storedRow(id);
    expect(pending).toMatchObject({ delivery_status: "pending", delivery_attempts: 1 });
    expect(pending!.next_attempt_at! - pending!.created_at).toBeGreaterThanOrEqual(0.8 * MIN);
    expect(pending!.last_error).toMatch(/^(network|50\d):/);
    await runCron(pending!.next_attempt_at! + 1);
    expect(await storedRow(id)).toMatchObject({ delivery_status: "sent", delivery_attempts: 2 });
    expect(emailsFor(id)).toHaveLength(1);
  });

  it("records a send that timed out as network:timeout, not an application error", async () => {
    fakes.resend.failNext({ kind: "timeout", ms: 5 });
    const id = await storeOne();
    expect((await storedRow(id))!.last_error).toBe("network:timeout");
  });

  it("honours a 429's retry-after", async () => {
    fakes.resend.failNext({ kind: "status", status: 429, retryAfter: 3600 });
    const id = await storeOne();
    const row = await storedRow(id);
    expect(row!.next_attempt_at! - row!.created_at).toBeGreaterThanOrEqual(3600_000);
    await runCron(row!.created_at + 30 * MIN); // too early: nothing is sent
    expect(emailsFor(id)).toHaveLength(0);
    await runCron(row!.next_attempt_at!);
    expect(emailsFor(id)).toHaveLength(1);
  });

  it("does not mail twice when Resend sent it but the answer was lost", async () => {
    fakes.resend.failNext({ kind: "lost_response" });
    const id = await storeOne();
    expect(emailsFor(id)).toHaveLength(1); // Resend has it already...
    const row = await storedRow(id);
    expect(row?.delivery_status).toBe("pending"); // ...but the worker could not know
    await runCron(row!.next_attempt_at! + 1);
    expect(await storedRow(id)).toMatchObject({ delivery_status: "sent" });
    expect(emailsFor(id)).toHaveLength(1); // the idempotency key made the retry a no-op
    expect(
      fakes.resend.requests.filter((r) => r.headers.get("idempotency-key") === `inquiry-${id}`),
    ).toHaveLength(2);
  });

  it.each([
    [422, "validation_error"],
    [403, "invalid_api_key"],
    [400, "invalid_request"],
  ])("marks a %i failed at once: retrying cannot fix it", async (status, name) => {
    fakes.resend.failNext({ kind: "status", status, name });
    const id = await storeOne();
    expect(await storedRow(id)).toMatchObject({
      delivery_status: "failed",
      delivery_attempts: 1,
      last_error: `${status}:${name}`,
      next_attempt_at: null,
    });
    await runCron(Date.now() + 24 * 60 * MIN);
    expect(fakes.resend.requests).toHaveLength(1);
    // Failed is not lost: the inquiry and its data stay for the staff to see.
    expect((await storedRow(id))?.message).toBeTruthy();
  });

  it(`gives up after ${MAX_ATTEMPTS} attempts with growing gaps`, async () => {
    fakes.resend.failNext({ kind: "status", status: 503 }, MAX_ATTEMPTS);
    const id = await storeOne();
    const gaps: number[] = [];
    for (let i = 1; i < MAX_ATTEMPTS; i++) {
      const row = await storedRow(id);
      expect(row).toMatchObject({ delivery_status: "pending", delivery_attempts: i });
      gaps.push(row!.next_attempt_at! - (i === 1 ? row!.created_at : 0));
      await runCron(row!.next_attempt_at!);
    }
    expect(await storedRow(id)).toMatchObject({
      delivery_status: "failed",
      delivery_attempts: MAX_ATTEMPTS,
    });
    expect(fakes.resend.requests).toHaveLength(MAX_ATTEMPTS);
    expect(fakes.resend.emails).toHaveLength(0);
  });

  it("two overlapping scheduled runs send each inquiry once", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await storeOne(validFields(), NO_KEY));
    const at = Date.now() + MIN;
    await Promise.all([runCron(at), runCron(at), runCron(at + 1)]);
    for (const id of ids) {
      expect(emailsFor(id)).toHaveLength(1);
      expect(await storedRow(id)).toMatchObject({ delivery_status: "sent", delivery_attempts: 1 });
    }
    expect(fakes.resend.requests).toHaveLength(6);
  });

  it("paces sends under Resend's 5 requests per second", async () => {
    for (let i = 0; i < 4; i++) await storeOne(validFields(), NO_KEY);
    await runCron(Date.now() + MIN);
    const times = fakes.resend.emails.map((e) => e.receivedAt);
    expect(times).toHaveLength(4);
    for (let i = 1; i < times.length; i++)
      expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(200);
  });
});

describe("without an API key", () => {
  it("a deployment keeps mail pending, says so on /health, and sends once the key is set", async () => {
    const id = await storeOne(validFields(), NO_KEY);
    await runCron(Date.now() + MIN, NO_KEY);
    expect(fakes.resend.requests).toHaveLength(0);
    expect(await storedRow(id)).toMatchObject({ delivery_status: "pending", delivery_attempts: 0 });
    const withToken = new Request("https://x.example/health", {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    const health = (await (await call(withToken, NO_KEY)).json()) as {
      mail: string;
      warnings: { name: string }[];
      deliveries: { pending: number };
    };
    expect(health.mail).toBe("pending_until_api_key");
    expect(health.warnings.map((w) => w.name)).toContain("RESEND_API_KEY");
    expect(health.deliveries.pending).toBeGreaterThanOrEqual(1);
    await runCron(Date.now() + 2 * MIN);
    expect(emailsFor(id)).toHaveLength(1);
  });
});

describe("composeMail", () => {
  const config = (parseConfig({ ...env, DEFAULT_LANG: "en" }) as { config: Config }).config;

  it("writes the staff mail in the company's language and names the visitor's", async () => {
    const id = await storeOne(validFields({ _lang: "en" } as never), NO_KEY);
    const inquiry = (await getInquiry(env.DB, id))!;
    const mail = composeMail(inquiry, config, null);
    expect(mail.subject).toBe("Inquiry: CNC machining – Ana Novak");
    expect(mail.text).toContain("Visitor's language: English");
    expect(mail.attachments).toBeUndefined();
  });

  it("says so when the stored file could not be read", async () => {
    const id = await storeOne(
      { ...validFields(), attachment: file(samples.pdf(), "a.pdf") } as never,
      NO_KEY,
    );
    const mail = composeMail((await getInquiry(env.DB, id))!, config, null);
    expect(mail.text).toContain("the attachment could not be read from storage");
  });
});
