import { env } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { workerKey } from "../src/spam/key.ts";
import { issueRenderToken } from "../src/spam/render-token.ts";
import { installFakes, storedRow, submit, validFields, type Fakes, type Vars } from "./helpers.ts";

/**
 * Doubt goes to the customer, through the worker (SPAM_FILTER=quarantine, the
 * default): each inquiry that public failure reports showed quarantined is
 * POSTed as a visitor would, and the stored row and the request that reached
 * (the fake) Resend say whether the staff got it. Spam of the two shapes that
 * used to pass unscored is at least tagged, with its reasons in the mail.
 */

let fakes: Fakes;
beforeEach(() => {
  fakes = installFakes();
});

let seq = 0;
/** A number that makes each message its own (no other test sends the same text). */
const n = () => `${++seq * 13 + 400}`;

/** A render token as the reference form or /embed.js gives one, rendered `secondsAgo` ago. */
async function renderToken(secondsAgo: number): Promise<string> {
  return issueRenderToken(await workerKey(env.DB), Date.now() - secondsAgo * 1000);
}

interface Outcome {
  status: string;
  reasons: string;
  subject: string | undefined;
  spamHeader: string | undefined;
  text: string | undefined;
}

async function send(
  fields: Record<string, string>,
  token?: string,
  vars: Vars = {},
): Promise<Outcome> {
  const res = await submit(token ? { ...fields, _t: token } : fields, {}, vars);
  expect(res.status).toBe(201);
  const { id } = (await res.json()) as { id: string };
  const row = await storedRow(id);
  const mail = fakes.resend.emails.find((e) => e.idempotencyKey?.startsWith(`inquiry-${id}`));
  return {
    status: row!.delivery_status,
    reasons: row!.spam_reasons ?? "",
    subject: mail?.body.subject,
    spamHeader: (mail?.body.headers as Record<string, string> | undefined)?.["X-Spam-Score"],
    text: mail?.body.text,
  };
}

/** Mailed to the staff, tagged or not: never held back. */
function expectMailed(o: Outcome) {
  expect(o.status).toBe("sent");
  expect(o.subject).toMatch(/Povpraševanje: /);
}

/** Mailed untagged. */
function expectClean(o: Outcome) {
  expectMailed(o);
  expect(o.subject).not.toContain("[SPAM?]");
  expect(o.spamHeader).toBeUndefined();
}

/** Mailed with [SPAM?], the header, and the reasons for the staff to read. */
function expectTagged(o: Outcome, reason: string) {
  expectMailed(o);
  expect(o.subject).toMatch(/^\[SPAM\?\] /);
  expect(o.spamHeader).toMatch(new RegExp(`^\\d+ \\(.*\\b${reason}\\b.*\\)$`));
  expect(o.text).toMatch(/Mogoča neželena pošta: ocena \d+: /);
}

describe("customers who were quarantined are mailed", () => {
  it("a WeTransfer or OneDrive link wrapped by Outlook Safe Links", async () => {
    const wrap = (url: string) =>
      `https://eur03.safelinks.protection.outlook.com/?url=${encodeURIComponent(url)}&data=05%7C02%7Cana%40primer.si%7C3f1c%7C0&sdata=Qk2v%3D&reserved=0`;
    for (const link of [wrap("https://we.tl/t-7hQ2mZkP4x"), wrap("https://1drv.ms/f/s!AqT7xZb")])
      for (const token of [await renderToken(40), undefined]) {
        const message = `Pozdravljeni, risbe za ${n()} kosov so tukaj: ${link}\nLp, Ana`;
        expectClean(await send(validFields({ message }), token));
      }
  });

  it("everyday business words: advertising stands for a marketing event, urgent, WhatsApp", async () => {
    for (const token of [await renderToken(40), undefined]) {
      expectClean(
        await send(
          validFields({
            company: "Agencija Pop d.o.o.",
            message: `We are an agency and need ${n()} advertising stands for a marketing event. Urgent, please. Promotion starts in April.`,
          }),
          token,
        ),
      );
      expectClean(
        await send(
          validFields({
            message: `Dober dan, rabim ${n()} nosilcev. Mi lahko odgovorite na WhatsApp? Hvala`,
          }),
          token,
        ),
      );
    }
  });

  it("German compounds are not gibberish", async () => {
    const o = await send(
      validFields({
        message: `Wir benötigen Rohrschneiden und Längsschnitt von ${n()} Edelstahlrohren, Schweißnahtprüfung nach EN 1090, Geschwindigkeitsbeschränkungsschilder.`,
      }),
      await renderToken(40),
    );
    expectClean(o);
    expect(o.reasons).toBe("");
  });

  it("Serbian and Macedonian buyers writing in Cyrillic", async () => {
    for (const [name, message] of [
      ["Милош Јовановић", `Поштовани, потребна нам је понуда за обраду ${n()} прирубница.`],
      ["Горан Стојановски", "Почитувани, ни треба понуда за заварување на рамки. Поздрав"],
    ]) {
      const o = await send(validFields({ name: name!, message: message! }));
      expectClean(o);
      expect(o.reasons).toBe("");
    }
  });

  it("through a company's own plain form (no render token): BTC City, a goo.gl/maps link, traffic signs", async () => {
    for (const message of [
      `Dostava ${n()} kosov na naslov v BTC City, Šmartinska 152, Ljubljana.`,
      `Prevzem pri nas: https://goo.gl/maps/Xc7rTqL2bN9 ali https://maps.app.goo.gl/q7TzK2 — ${n()} kosov.`,
      `We make traffic signs; for a traffic flow optimization project we need ${n()} brackets.`,
      `Dostava v BTC City: https://goo.gl/maps/AbCd${n()} . Traffic signs optimization, bitcoin-free.`,
    ])
      expectMailed(await send(validFields({ message })));
  });

  it("a browser that submits within 3 s of rendering (autofill and a pasted message)", async () => {
    const o = await send(
      validFields({ message: `Prosim za ponudbo za ${n()} kosov po risbi.` }),
      await renderToken(1),
    );
    expectClean(o);
    expect(o.reasons).toBe("");
  });

  it("a company page's prefilled message linking to the company's own site, sent by three customers", async () => {
    const vars = { ALLOWED_ORIGINS: "https://www.kovina-primer.si" };
    const message = `Zanima me ponudba za izdelek https://www.kovina-primer.si/izdelki/nosilec-${n()} (obrazec na strani izdelka).`;
    for (let i = 0; i < 3; i++) {
      const o = await send(validFields({ message }), undefined, vars);
      expectClean(o);
      // The repeat is seen (weak), the company's own link is not a link to elsewhere.
      expect(o.reasons).toBe(i === 0 ? "" : "same_message,no_token");
    }
  });

  it("plain text in Japanese, Korean, Chinese, Arabic, Hebrew, Cyrillic or typographic symbols", async () => {
    for (const text of [
      "田中さんにあげて下さい",
      "パーティーへ行かないか",
      "사회과학원 어학연구소",
      "찦차를 타고 온 펲시맨과 쑛다리 똠방각하",
      "社會科學院語學研究所",
      "울란바토르",
      "مرحبا بالعالم",
      "בְּרֵאשִׁית, בָּרָא אֱלֹהִים, אֵת הַשָּׁמַיִם, וְאֵת הָאָרֶץ",
      "Съешь же ещё этих мягких французских булок да выпей чаю",
      "Ω≈ç√∫˜µ≤≥÷",
      "åß∂ƒ©˙∆˚¬…æ",
      "‘’“”„†‡‰‹›•–—™",
      "¡™£¢∞§¶•ªº–≠",
    ]) {
      const o = await send(validFields({ company: text, message: `${text} ${n()}` }));
      expectClean(o);
      expect(o.reasons, text).toBe("");
    }
  });
});

describe("spam that was mailed unscored is at least tagged", () => {
  it("a link in the company field", async () => {
    for (const company of ["https://rankboost.io", "rankboost.io"]) {
      const o = await send(
        validFields({
          name: "Mike Bradberry",
          email: `mike.${n()}@gmail.com`,
          company,
          message: "Hi, I wanted to know your price.",
        }),
      );
      expect(o.reasons).toContain("link");
      expectTagged(o, "link");
    }
  });

  it("a bare domain or a defanged one in the message", async () => {
    for (const [message, reason] of [
      [
        `We provide Google Maps listing management and SEO to rank in the 3-Pack (${n()} clients). More info: rankboost.io`,
        "link",
      ],
      [`Earn with our trading robot, ${n()} users already: profit-bot[.]com`, "link_defanged"],
    ]) {
      const o = await send(validFields({ name: "Henry Keend", message: message! }));
      expectTagged(o, reason!);
      expect(o.reasons.split(",")).toContain("link");
    }
  });

  it("a link in a text field of the company's own form definition", async () => {
    const vars = {
      FORM: JSON.stringify({
        fields: [{ name: "website", type: "text", label: { sl: "Spletna stran", en: "Website" } }],
      }),
    };
    const o = await send(
      validFields({
        message: "Hi, I wanted to know your price.",
        website: "profit-bot[.]com",
      }),
      undefined,
      vars,
    );
    expectTagged(o, "link_defanged");
    // The same field with a customer's own site (the sender's domain) weighs nothing.
    const own = await send(
      validFields({
        email: `ana.${n()}@novak-mont.si`,
        message: `Rabimo ${n()} nosilcev po risbi.`,
        website: "www.novak-mont.si",
      }),
      undefined,
      vars,
    );
    expectClean(own);
    expect(own.reasons).toBe("");
  });

  it("links in every field with markup are strong evidence: quarantined", async () => {
    const o = await send(
      validFields({
        name: "Mike rankboost.io",
        company: "https://rankboost.io",
        message: `Better ranking ${n()}: <a href="https://rankboost.io">here</a> profit-bot[.]com`,
      }),
    );
    expect(o.status).toBe("quarantined");
    expect(o.reasons).toContain("link_markup");
    expect(o.subject).toBeUndefined();
  });
});

describe("a fresh user's cases: customers mailed, spam at least tagged", () => {
  it("git clone URLs with a user name are no deceptive links", async () => {
    for (const url of [
      "https://maja@bitbucket.org/hribar/nosilci.git",
      "https://pircrobotics@dev.azure.com/pircrobotics/Gripper/_git/cad",
    ]) {
      const o = await send(
        validFields({
          message: `Risbe nosilcev so v repozitoriju ${url} — prosim za ponudbo ${n()}.`,
        }),
      );
      expectMailed(o);
      expect(o.reasons).not.toContain("link_deceptive");
    }
    // The shape that misleads still quarantines: a domain before the @.
    const trick = await send(
      validFields({ message: `Please verify: http://bank.com+login@evil.example/ ${n()}` }),
    );
    expect(trick.status).toBe("quarantined");
    expect(trick.reasons).toContain("link_deceptive");
  });

  it("the sender's own website in the name, and markup that is no link, are mailed", async () => {
    for (const [name, email] of [
      ["Novak d.o.o. www.novak.si", "info@novak.si"],
      ["Ana Novak https://novak.si", "ana@novak.si"],
      ["<b>Nika Oblak</b>", "nika.oblak@siol.net"],
    ] as const) {
      const o = await send(validFields({ name, email, message: `Prosim za ponudbo ${n()}.` }));
      expectMailed(o);
      expect(o.reasons).not.toContain("name_url");
    }
    // Someone else's site as the name still quarantines.
    const other = await send(
      validFields({
        name: "Ana https://rankboost.io",
        email: "ana@novak.si",
        message: `Hi ${n()}`,
      }),
    );
    expect(other.status).toBe("quarantined");
  });

  it("camel-case names with a one-word message are mailed; a bot's random strings are tagged", async () => {
    for (const [name, message] of [
      ["MacKenzie", "PriceList"],
      ["McDonald", "iPhone"],
      ["DeAngelo", "CallMeBack"],
    ] as const) {
      const o = await send(validFields({ name, message }));
      expectClean(o);
    }
    expectTagged(
      await send(validFields({ name: "xKjdhUeYbQ", message: "gnqtlBifU" })),
      "form_probe",
    );
  });

  it("a link in the company field with a long pitch is tagged", async () => {
    const o = await send(
      {
        name: "Mark Jensen",
        email: "mark.jensen@outlook.com",
        company: "https://leadgen-pros.example",
        service: "Other",
        message:
          "Good afternoon, we help industrial companies like yours generate qualified leads every month through targeted outreach campaigns. Would you be open to a short call this week to discuss how we could support your sales team? Best regards, Mark",
      },
      await renderToken(30),
    );
    expectTagged(o, "company_link");
  });

  it("invoice phishing through a file host is tagged; a drawing via Drive is not", async () => {
    expectTagged(
      await send(
        validFields({
          message: `Your invoice is overdue. Please review the attached invoice and make the payment: https://drive.google.com/file/d/1XyZphish/view ${n()}`,
        }),
        await renderToken(30),
      ),
      "payment_request",
    );
    expectClean(
      await send(
        validFields({
          message: `Pošiljam risbo in račun za lansko naročilo: https://drive.google.com/file/d/1AbC/view — prosim za ponudbo ${n()}.`,
        }),
        await renderToken(30),
      ),
    );
  });

  it("an ftp:// link with credentials is read as a link, not as an address", async () => {
    const o = await send(
      validFields({ message: `Click ftp://user:pass@files.rankboost.io/ now ${n()}` }),
    );
    expectTagged(o, "link");
    expect(o.reasons).not.toContain("other_contact");
  });
});
