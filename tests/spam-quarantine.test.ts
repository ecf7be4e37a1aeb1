import { env } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { workerKey } from "../src/spam/key.ts";
import { issueRenderToken } from "../src/spam/render-token.ts";
import { counter, instrumentEnv } from "../testing/bindings.ts";
import {
  ADMIN_TOKEN,
  call,
  inquiryRequest,
  installFakes,
  runCron,
  storedRow,
  submit,
  validFields,
  type Fakes,
  type Vars,
} from "./helpers.ts";

let fakes: Fakes;
beforeEach(() => {
  fakes = installFakes();
});

const DAY = 24 * 60 * 60_000;
const ORIGIN = "https://forms.example.com";

/** Real spam from the corpus's shape: a shortened link in HTML markup (strong) and SEO vocabulary. */
function spamFields(n: number): Record<string, string> {
  return validFields({
    name: `Mike Spammer ${n}`,
    email: `mike${n}.${crypto.randomUUID().slice(0, 8)}@example.net`,
    phone: "",
    company: "",
    message: `Hi there, I checked your site: your SEO and backlinks need work, better ranking <a href="https://bit.ly/x${n}">here</a>`,
  });
}

let order = 0;
/** A clean inquiry whose message no other test sends (so no same_message). */
const cleanFields = (overrides: Record<string, string> = {}) =>
  validFields({
    message: `Potrebujemo ponudbo za ${++order * 7 + 100} kosov, S235, rok april.`,
    ...overrides,
  });

async function post(fields: Record<string, string>, vars: Vars = {}, accept?: string) {
  const res = await submit(fields, accept ? { accept } : {}, vars);
  return res;
}

async function idOf(res: Response): Promise<string> {
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

const inquiryMails = (id: string) =>
  fakes.resend.emails.filter((e) => e.idempotencyKey?.startsWith(`inquiry-${id}`));
const digests = () =>
  fakes.resend.emails.filter((e) => e.idempotencyKey?.startsWith("spam-digest-"));

/** The day after `ms`, a few minutes past midnight UTC: the first run of that day. */
function nextDayRun(ms: number, days = 1): number {
  const d = new Date(ms + days * DAY);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), 0, 5);
}

function releaseLinkFor(id: string, text: string): string {
  const m = new RegExp(`${ORIGIN}/spam/release/${id}/[A-Za-z0-9_-]+`).exec(text);
  expect(m, `release link for ${id}`).not.toBeNull();
  return m![0];
}

const get = (url: string) => call(new Request(url));
const postTo = (url: string) => call(new Request(url, { method: "POST" }));

/** `text` with the character at `at` replaced by another one (never the same). */
function alterOne(text: string, at: number): string {
  return text.slice(0, at) + (text[at] === "A" ? "B" : "A") + text.slice(at + 1);
}

describe("quarantine (SPAM_FILTER=quarantine, the default)", () => {
  it("stores judged spam as quarantined, answers like stored, and mails nothing", async () => {
    const id = await idOf(await post(spamFields(1)));
    const row = await storedRow(id);
    expect(row).toMatchObject({ delivery_status: "quarantined", next_attempt_at: null });
    expect(row!.spam_score).toBeGreaterThanOrEqual(5);
    expect(row!.spam_reasons).toContain("link_cloaked");
    // The answer looks exactly like any stored inquiry's, for a browser too.
    const html = await post(spamFields(2), {}, "text/html");
    expect(html.status).toBe(303);
    expect(html.headers.get("location")).toBe("/thanks?lang=sl");
    await runCron(Date.now() + 60_000);
    expect(inquiryMails(id)).toHaveLength(0);
    expect(fakes.resend.emails).toHaveLength(0);
    // The technical log records the outcome code, nothing of the submission.
    const logged = await env.LOG_DB.prepare(
      "SELECT count(*) AS n FROM tech_log WHERE outcome = 'quarantined'",
    ).first<{ n: number }>();
    expect(logged!.n).toBeGreaterThanOrEqual(1);
  });

  it("stores a clean inquiry as pending and mails it, with its score kept for the operator", async () => {
    const id = await idOf(await post(validFields()));
    expect(await storedRow(id)).toMatchObject({ delivery_status: "sent", spam_score: 0 });
    expect(inquiryMails(id)).toHaveLength(1);
    // Not tag mode: the mail carries no spam header.
    expect(inquiryMails(id)[0]!.body.headers).toBeUndefined();
  });

  it("the same message with a link from several addresses: the third is mailed tagged, not held", async () => {
    const message =
      "Dear partner, we would like to present our company and products: https://catalogue.example/2026";
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(await idOf(await post(validFields({ message }))));
    const rows = await Promise.all(ids.map(storedRow));
    // A distributor's page may prefill one message for many real customers:
    // the repeat only tags (doubt goes to the customer).
    expect(rows.map((r) => r!.delivery_status)).toEqual(["sent", "sent", "sent"]);
    expect(rows[2]!.spam_reasons).toContain("same_message");
    expect(rows[2]!.spam_reasons).toContain("campaign");
    const third = fakes.resend.emails.find((e) =>
      e.idempotencyKey?.startsWith(`inquiry-${ids[2]}`),
    );
    expect(third?.body.subject).toMatch(/^\[SPAM\?\] /);
    // Only a hash of the message is what they were compared by.
    expect(rows[0]!.message_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0]!.message_hash).toBe(rows[2]!.message_hash);
  });

  it("looks the address's domain up on the disposable list kept in D1", async () => {
    // A message of its own, so no other test's repeats add the same-message signal.
    const message = "Zanima nas rezkanje 40 nosilcev iz nerjavnega jekla, dobava v juniju.";
    const disposable = await idOf(
      await post(validFields({ email: "ana.novak@Mailinator.com", message })),
    );
    const own = await idOf(await post(validFields({ message: `${message} Hvala.` })));
    expect((await storedRow(disposable))!.spam_reasons).toContain("disposable_email");
    expect((await storedRow(own))!.spam_reasons ?? "").not.toContain("disposable_email");
    // One signal alone is not spam: the customer is mailed.
    expect((await storedRow(disposable))!.delivery_status).toBe("sent");
  });

  it("the look-ups ride in the insert: one D1 call before the answer unless they find something", async () => {
    const { plan, count, reset } = counter();
    const vars = { DB: instrumentEnv(env, plan).DB };
    const calls = () =>
      count.calls
        .filter((c) => c.binding === "DB")
        .map((c) => `${c.op}${c.statements ? `(${c.statements})` : ""}`);
    await post(cleanFields(), vars); // reads the worker's key once per database handle
    const message = "Zanima nas varjenje 12 okvirjev iz nerjavnega jekla, dobava maja.";

    reset();
    const clean = await idOf(await post(validFields({ message }), vars));
    // The insert, written only if the look-ups find nothing; the "sent" mark after the answer.
    expect(calls()).toEqual(["run", "run"]);
    expect(await storedRow(clean)).toMatchObject({ delivery_status: "sent", spam_score: 0 });

    reset();
    const again = await idOf(await post(validFields({ message }), vars));
    // Found: nothing written by the first insert; the look-ups read, the inquiry
    // scored again and inserted, then marked sent.
    expect(calls()).toEqual(["run", "run", "run", "run"]);
    expect((await storedRow(again))!.spam_reasons).toContain("same_message");
    expect(inquiryMails(again)).toHaveLength(1);

    reset();
    const keyed = await idOf(
      await post(
        validFields({ message: `${message} Hvala.`, _submission: crypto.randomUUID() }),
        vars,
      ),
    );
    // With an Idempotency-Key: look-ups, key claim, insert and the key's holder, still one call.
    expect(calls()).toEqual(["batch(4)", "run"]);
    expect(await storedRow(keyed)).toMatchObject({ delivery_status: "sent" });

    reset();
    const offer = `Offer for you: https://offers.example/${crypto.randomUUID().slice(0, 8)}`;
    const held = await idOf(
      await post(
        validFields({
          email: `ana.${crypto.randomUUID().slice(0, 8)}@mailinator.com`,
          message: offer,
        }),
        vars,
      ),
    );
    // A disposable address with a foreign link is spam: the look-ups read after the
    // first insert wrote nothing, then born quarantined, never claimed or mailed.
    expect(calls()).toEqual(["run", "run", "run"]);
    expect(await storedRow(held)).toMatchObject({
      delivery_status: "quarantined",
      claim_token: null,
      delivery_attempts: 0,
    });
    expect((await storedRow(held))!.spam_reasons).toContain("disposable_link");
    expect(inquiryMails(held)).toHaveLength(0);
  });

  it("a filled honeypot is dropped whatever SPAM_FILTER says", async () => {
    for (const mode of ["quarantine", "tag", "off"]) {
      const fields = { ...spamFields(3), _gotcha: "x" };
      const res = await post(fields, { SPAM_FILTER: mode });
      const id = await idOf(res);
      expect(await storedRow(id)).toBeNull();
    }
    await runCron(Date.now() + 60_000, { SPAM_FILTER: "tag" });
    expect(fakes.resend.emails).toHaveLength(0);
  });
});

describe("the render-time token", () => {
  it("the reference form carries one; submitting it at once (autofill, paste) still reaches the staff", async () => {
    const form = await (await get(`${ORIGIN}/`)).text();
    const token = /name="_t" value="([^"]+)"/.exec(form)?.[1];
    expect(token).toBeTruthy();
    const id = await idOf(await post({ ...cleanFields(), _t: token! }));
    const row = await storedRow(id);
    // How fast a form was filled is no evidence on its own.
    expect(row).toMatchObject({ delivery_status: "sent", spam_score: 0 });
    expect(inquiryMails(id)[0]!.body.subject).not.toContain("[SPAM?]");
  });

  it("a token from half a minute ago is a person; forged and expired ones count, absent does not", async () => {
    const key = await workerKey(env.DB);
    const human = await issueRenderToken(key, Date.now() - 30_000);
    const old = await issueRenderToken(key, Date.now() - 13 * 60 * 60_000);
    const cases: [string | undefined, string][] = [
      [human, ""],
      [undefined, "no_token"],
      [alterOne(human, human.length - 10), "token_forged"],
      // Another render time under the first one's signature.
      [`${(Date.now() - 40_000).toString(36)}.${human.split(".")[1]}`, "token_forged"],
      [old, "token_expired"],
    ];
    for (const [t, reason] of cases) {
      // Alone, a token says nothing: a clean message scores 0 whatever its token.
      const clean = cleanFields();
      const cleanId = await idOf(await post(t === undefined ? clean : { ...clean, _t: t }));
      expect(await storedRow(cleanId)).toMatchObject({ spam_score: 0, delivery_status: "sent" });
      // Beside a signal in the content, it adds to the score.
      const linked = cleanFields();
      linked.message += ` Katalog: https://katalog.example/p${order}`;
      const id = await idOf(await post(t === undefined ? linked : { ...linked, _t: t }));
      const row = await storedRow(id);
      const reasons = (row!.spam_reasons ?? "").split(",");
      expect(reasons).toContain("link");
      if (reason) expect(reasons).toContain(reason);
      // None of these is spam: a person with an odd token still gets through.
      expect(row!.delivery_status).toBe("sent");
    }
  });
});

describe("the daily digest and release links", () => {
  // Each test starts as if no digest had ever been sent (D1 lives on across a file's tests).
  beforeEach(async () => {
    await env.DB.prepare("DELETE FROM worker_state WHERE name LIKE 'digest_%'").run();
  });

  it("lists the day's quarantined inquiries, and only them, once a day", async () => {
    const a = await idOf(await post(spamFields(10)));
    const b = await idOf(await post(spamFields(11)));
    const held = await idOf(await post(spamFields(12)));
    const clean = await idOf(await post(validFields({ name: "Real Customer" })));
    // Restricted (GDPR Art. 18): kept, and not mailed, not even in the digest.
    await env.DB.prepare("UPDATE inquiries SET hold = 1 WHERE id = ?").bind(held).run();
    const now = Date.now();

    // The same day: the digest waits for the day to end.
    await runCron(now + 60_000);
    expect(digests()).toHaveLength(0);

    await runCron(nextDayRun(now));
    expect(digests()).toHaveLength(1);
    const digest = digests()[0]!;
    expect(digest.idempotencyKey).toBe(
      `spam-digest-${new Date(nextDayRun(now)).toISOString().slice(0, 10)}`,
    );
    expect(digest.body.to).toEqual(["office@example.com"]);
    const text = digest.body.text as string;
    for (const id of [a, b]) releaseLinkFor(id, text);
    expect(text).toContain("Mike Spammer 10");
    // Reasons in the staff's words (sl, the default), as a tagged mail names them, not as codes.
    expect(text).toContain("skrajšana ali preusmerjena povezava");
    expect(text).toContain("povezava v oznakah HTML ali BBCode");
    expect(text).not.toContain("link_cloaked");
    expect(text).not.toContain("Real Customer");
    expect(text).not.toContain(held);
    expect(text).not.toContain("Mike Spammer 12");
    expect(text).not.toContain(clean);
    // Escaped in the HTML part.
    expect(digest.body.html).not.toContain("<script");

    // Later the same day, and the next day with nothing new: no more digests.
    await runCron(nextDayRun(now) + 60 * 60_000);
    await runCron(nextDayRun(now, 2));
    expect(digests()).toHaveLength(1);
  });

  it("release links start with PUBLIC_URL, never with the request's Host", async () => {
    const here = await idOf(await post(spamFields(50)));
    // A forged Host (the URL a worker sees is built from it) must not reach the staff's mail.
    const forged = await idOf(
      await call(new Request("http://attacker.test/inquiry", inquiryRequest(spamFields(51)))),
    );

    await runCron(nextDayRun(Date.now()));
    const text = digests()[0]!.body.text as string;
    expect(text).toContain(`https://forms.example.com/spam/release/${here}/`);
    expect(text).toContain(`https://forms.example.com/spam/release/${forged}/`);
    expect(text).not.toContain("attacker.test");
  });

  it("without PUBLIC_URL the digest lists the inquiries without links and says where to release them", async () => {
    const id = await idOf(await post(spamFields(52)));
    await runCron(nextDayRun(Date.now()), { PUBLIC_URL: "" });
    const text = digests()[0]!.body.text as string;
    expect(text).toContain("Mike Spammer 52");
    expect(text).not.toContain(`/spam/release/${id}/`);
    expect(text).toMatch(/PUBLIC_URL/);
    expect(text).toContain("/admin/");
  });

  it("an inquiry stored after a digest but dated before it, or held through it, is in the next one", async () => {
    const now = Date.now();
    const listed = await idOf(await post(spamFields(40)));
    const held = await idOf(await post(spamFields(41)));
    await env.DB.prepare("UPDATE inquiries SET hold = 1 WHERE id = ?").bind(held).run();
    await runCron(nextDayRun(now));
    expect(digests()).toHaveLength(1);
    releaseLinkFor(listed, digests()[0]!.body.text as string);

    // A request that began a moment before that midnight and was stored after the digest ran.
    const late = await idOf(await post(spamFields(42)));
    const midnight = nextDayRun(now) - 5 * 60_000;
    await env.DB.prepare("UPDATE inquiries SET created_at = ? WHERE id = ?")
      .bind(midnight - 1, late)
      .run();
    // The hold ends (GDPR Art. 18 restriction lifted): it was in no digest yet.
    await env.DB.prepare("UPDATE inquiries SET hold = 0 WHERE id = ?").bind(held).run();

    await runCron(nextDayRun(now, 2));
    expect(digests()).toHaveLength(2);
    const text = digests()[1]!.body.text as string;
    releaseLinkFor(late, text);
    releaseLinkFor(held, text);
    expect(text).not.toContain(listed);
    // Listed once each: the day after, nothing new.
    await runCron(nextDayRun(now, 3));
    expect(digests()).toHaveLength(2);
  });

  it("GET on a release link changes nothing; its POST releases, mailed exactly once; then it is dead", async () => {
    const id = await idOf(await post(spamFields(20)));
    const now = Date.now();
    await runCron(nextDayRun(now));
    const link = releaseLinkFor(id, digests()[0]!.body.text as string);

    // A mail scanner following the link: a confirmation page, nothing else.
    const page = await get(link);
    expect(page.status).toBe(200);
    const body = await page.text();
    expect(body).toContain('method="post"');
    expect(body).toContain(new URL(link).pathname);
    expect(await storedRow(id)).toMatchObject({ delivery_status: "quarantined" });
    await runCron(nextDayRun(now) + 60_000);
    expect(inquiryMails(id)).toHaveLength(0);

    const released = await postTo(link);
    expect(released.status).toBe(200);
    expect(await storedRow(id)).toMatchObject({ delivery_status: "pending" });
    await runCron(nextDayRun(now) + 2 * 60_000);
    expect(inquiryMails(id)).toHaveLength(1);
    expect(inquiryMails(id)[0]!.body.subject).toContain("Mike Spammer 20");

    // Used: dead for GET and POST, and nothing is sent again.
    expect((await get(link)).status).toBe(404);
    expect((await postTo(link)).status).toBe(404);
    await runCron(nextDayRun(now) + 10 * 60_000);
    expect(inquiryMails(id)).toHaveLength(1);
  });

  it("a dismissed inquiry's link is dead; a forged link or one for another inquiry is refused", async () => {
    const id = await idOf(await post(spamFields(30)));
    const other = await idOf(await post(spamFields(31)));
    const now = Date.now();
    await runCron(nextDayRun(now));
    const text = digests()[0]!.body.text as string;
    const link = releaseLinkFor(id, text);
    const sig = link.split("/").pop()!;

    expect((await get(`${ORIGIN}/spam/release/${other}/${sig}`)).status).toBe(404);
    expect((await postTo(`${ORIGIN}/spam/release/${other}/${sig}`)).status).toBe(404);
    expect((await get(`${ORIGIN}/spam/release/${id}/${alterOne(sig, 5)}`)).status).toBe(404);
    expect(await storedRow(other)).toMatchObject({ delivery_status: "quarantined" });

    const dismissed = await call(
      new Request(`${ORIGIN}/admin/deliveries/dismiss`, {
        method: "POST",
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ ids: [id] }),
      }),
    );
    expect(dismissed.status).toBe(200);
    expect((await get(link)).status).toBe(404);
    expect((await postTo(link)).status).toBe(404);
    expect(await storedRow(id)).toMatchObject({ delivery_status: "dismissed" });
  });
});

describe("purge after SPAM_RETENTION_DAYS", () => {
  it("deletes quarantined and dismissed inquiries after the days, keeps held ones and the rest", async () => {
    const quarantined = await idOf(await post(spamFields(40)));
    const held = await idOf(await post(spamFields(41)));
    const clean = await idOf(await post(validFields()));
    const hold = await call(
      new Request(`${ORIGIN}/admin/inquiries/${held}/hold`, {
        method: "PUT",
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ hold: true, reason: "dispute" }),
      }),
    );
    expect(hold.status).toBe(200);
    const now = Date.now();

    await runCron(now + 9 * DAY, { SPAM_RETENTION_DAYS: "10" });
    expect(await storedRow(quarantined)).not.toBeNull();

    await runCron(now + 10 * DAY + 60_000, { SPAM_RETENTION_DAYS: "10" });
    expect(await storedRow(quarantined)).toBeNull();
    expect(await storedRow(held)).toMatchObject({ delivery_status: "quarantined", hold: 1 });
    expect(await storedRow(clean)).not.toBeNull();
  });
});

describe("tag mode (SPAM_FILTER=tag)", () => {
  it("mails judged spam with [SPAM?] before the subject and an X-Spam-Score header", async () => {
    const vars = { SPAM_FILTER: "tag" };
    const fields = spamFields(50);
    const id = await idOf(await post(fields, vars));
    const [mail] = inquiryMails(id);
    expect(mail!.body.subject).toMatch(
      /^\[SPAM\?\] Povpraševanje: CNC machining – Mike Spammer 50$/,
    );
    const score = (mail!.body.headers as Record<string, string>)["X-Spam-Score"];
    expect(score).toMatch(/^\d+ \(.*link_cloaked.*\)$/);
    expect(Number(score!.split(" ")[0])).toBeGreaterThanOrEqual(5);
    expect(await storedRow(id)).toMatchObject({ delivery_status: "sent" });

    const clean = await idOf(await post(cleanFields(), vars));
    const [plain] = inquiryMails(clean);
    expect(plain!.body.subject).toMatch(/^Povpraševanje: /);
    expect((plain!.body.headers as Record<string, string>)["X-Spam-Score"]).toBe("0");
  });

  it("off: nothing is scored, spam is mailed as any inquiry", async () => {
    const id = await idOf(await post(spamFields(60), { SPAM_FILTER: "off" }));
    expect(await storedRow(id)).toMatchObject({
      delivery_status: "sent",
      spam_score: null,
      message_hash: null,
    });
    expect(inquiryMails(id)[0]!.body.subject).not.toContain("[SPAM?]");
  });
});

describe("the score is the operator's, never the visitor's", () => {
  const admin = (path: string) =>
    call(new Request(`${ORIGIN}${path}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }));

  it("shows in the export and the deliveries list, not in the answer", async () => {
    const res = await post(spamFields(70));
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(["id", "ok"]);
    const id = body.id as string;

    const one = (await (await admin(`/admin/inquiries/${id}`)).json()) as {
      inquiry: { spam: { score: number; reasons: string[] }; delivery: { status: string } };
    };
    expect(one.inquiry.delivery.status).toBe("quarantined");
    expect(one.inquiry.spam.score).toBeGreaterThanOrEqual(5);
    expect(one.inquiry.spam.reasons).toContain("link_cloaked");

    const list = (await (await admin("/admin/deliveries?status=quarantined")).json()) as {
      deliveries: { id: string; status: string; spam: { score: number; reasons: string[] } }[];
    };
    const row = list.deliveries.find((d) => d.id === id);
    expect(row).toMatchObject({ status: "quarantined", spam: { score: one.inquiry.spam.score } });
    expect(row!.spam.reasons).toEqual(one.inquiry.spam.reasons);
  });
});

describe("the render-time token for a company's own form", () => {
  it("GET /spam/token gives a fresh token any page may read; /embed.js sends it as _t", async () => {
    const res = await get(`${ORIGIN}/spam/token`);
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("cache-control")).toContain("no-store");
    const { t } = (await res.json()) as { t: string };
    expect(t).toMatch(/^[0-9a-z]+\.[A-Za-z0-9_-]{43}$/);
    const script = await (await get(`${ORIGIN}/embed.js`)).text();
    expect(script).toContain('"/spam/token"');
    expect(script).toContain('data.append("_t", token)');
    // Sent at once, with nothing else wrong, it is mailed like the reference form's.
    const id = await idOf(await post({ ...cleanFields(), _t: t }));
    expect(await storedRow(id)).toMatchObject({ delivery_status: "sent", spam_score: 0 });
  });
});
