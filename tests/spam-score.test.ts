import { beforeAll, describe, expect, it } from "vitest";
import { scoreSubmission, type RenderCheck, type SpamFacts } from "../src/spam/score.ts";
import { findLinks, loadPublicSuffixes } from "../src/spam/links.ts";
import { hasImpossibleRun } from "../src/spam/gibberish.ts";

beforeAll(loadPublicSuffixes);

const none: SpamFacts = {
  render: { kind: "absent" },
  disposableDomain: false,
  sameMessageAddresses: 0,
};
const fields = (message: string, name = "Janez Novak", email = "janez@siol.net") => ({
  name,
  email,
  message,
});
const score = (
  f: { name: string; email: string } & Record<string, unknown>,
  facts: Partial<SpamFacts> = {},
) => scoreSubmission(f, { ...none, ...facts });

describe("spam score: three outcomes", () => {
  it("a plain request scores nothing", () => {
    expect(score(fields("Rabim 20 kosov po risbi, S235, 3 mm."))).toEqual({
      score: 0,
      reasons: [],
      verdict: "clean",
    });
  });

  it("link markup and a name that is a link are spam on their own", () => {
    expect(score(fields('Nice <a href="https://x.example">site</a>')).verdict).toBe("spam");
    expect(score(fields("[url=https://x.example]x[/url]")).reasons).toContain("link_markup");
    const named = score(fields("Hello there", "Win now http://x.example/p"));
    expect(named.reasons).toContain("name_url");
    expect(named.verdict).toBe("spam");
    // A user@host link misleads on purpose; a bare IP may be a customer's own file server.
    expect(score(fields("see http://facebook.com+mail+@1310252231/x")).verdict).toBe("spam");
    const nas = score(fields("Risbe: http://89.212.10.20:5000/sharing/Ab12 , 40 kosov."));
    expect(nas.reasons).toContain("link_cloaked");
    expect(nas.verdict).not.toBe("spam");
  });

  it("a shortened or redirected link is only suspicious", () => {
    const v = score(fields("see https://bit.ly/abc"));
    expect(v.reasons).toEqual(["link", "link_cloaked", "short_with_link", "no_token"]);
    expect(v.verdict).toBe("suspicious");
    expect(score(fields("see http://a.example/go.php?p=b.example")).reasons).toContain(
      "link_cloaked",
    );
  });

  it("a disposable address is spam only together with a link", () => {
    const alone = score(fields("Rabim ponudbo za 10 kosov."), { disposableDomain: true });
    expect(alone.reasons).toEqual(["disposable_email", "no_token"]);
    expect(alone.verdict).toBe("clean");
    const linked = score(fields("Offer: https://offers.example/x"), { disposableDomain: true });
    expect(linked.reasons).toContain("disposable_link");
    expect(linked.verdict).toBe("spam");
  });

  it("the same message from several addresses: spam with a link, weak without", () => {
    // A company's page may prefill the message: customers then send the same text.
    const m = fields("Rabim ponudbo za 10 kosov.");
    expect(score(m, { sameMessageAddresses: 5 }).verdict).not.toBe("spam");
    const campaign = fields("Best offer for you, see https://offers.example/x");
    expect(score(campaign, { sameMessageAddresses: 1 }).verdict).not.toBe("spam");
    expect(score(campaign, { sameMessageAddresses: 2 }).reasons).toContain("campaign");
    // A company page that prefills a link to itself: customers send it alike.
    const prefilled = fields("Zanima me izdelek https://www.firma.si/izdelki/nosilec-40");
    const companyDomains = ["firma.si"];
    expect(score(prefilled, { sameMessageAddresses: 5, companyDomains }).verdict).not.toBe("spam");
    expect(score(prefilled, { companyDomains }).score).toBe(0);
  });

  it("how the form was filled counts only beside a signal in the content", () => {
    const at = (render: RenderCheck, message = "Rabim ponudbo za 10 kosov.") =>
      score(fields(message), { render });
    for (const render of [
      { kind: "valid", seconds: 0.5 },
      { kind: "forged" },
      { kind: "expired" },
      { kind: "absent" },
    ] as RenderCheck[])
      expect(at(render).score).toBe(0);
    const link = "Katalog: https://katalog.example/a, rabim 10 kosov.";
    expect(at({ kind: "valid", seconds: 1 }, link).reasons).toContain("too_fast");
    expect(at({ kind: "valid", seconds: 40 }, link).reasons).toEqual(["link", "short_with_link"]);
  });

  it("random strings in name and message: a bot probing the form", () => {
    // Tags, never quarantines: names and products are camel case too.
    expect(score(fields("wfNvujbYnm", "gnqtlBifU")).verdict).toBe("suspicious");
    expect(score(fields("CallMeBack", "DeAngelo")).reasons).not.toContain("form_probe");
    expect(score(fields("Hvala", "Mary McDonald")).score).toBe(0);
  });

  it("vocabulary only tags: BTC City, traffic signs and urgent are words customers use", () => {
    const seo = score(fields("We will improve your SEO and backlinks with link building."));
    expect(seo.reasons).toContain("seo_terms");
    expect(seo.verdict).not.toBe("spam");
    expect(score(fields("Bitcoin casino, make money now")).verdict).toBe("suspicious");
    for (const message of [
      "Dostava v BTC City, Ljubljana, 10 kosov.",
      "We make traffic signs and need traffic flow optimization brackets, 200 pcs.",
      "Advertising stands for a marketing event, urgent. Reply on WhatsApp please.",
    ])
      expect(score(fields(message)).verdict, message).toBe("clean");
  });
});

describe("every field is scored", () => {
  it("a link in the company field or in a form definition's own field counts", () => {
    const company = score({
      ...fields("Hello, I wanted to know your price."),
      company: "rankboost.io",
    });
    expect(company.reasons).toContain("link");
    expect(company.verdict).toBe("suspicious");
    const custom = score({
      ...fields("Hello."),
      extra: { website: '<a href="https://x.example">x</a>' },
    });
    expect(custom.verdict).toBe("spam");
    const asMap = score({ ...fields("Hello."), extra: new Map([["site", "profit-bot[.]com"]]) });
    expect(asMap.reasons).toContain("link_defanged");
    // The chosen service is the company's own label, not visitor text.
    expect(score({ ...fields("Rabim 10 kosov."), service: "SEO https://x.example" }).score).toBe(0);
  });
});

describe("links are read with the public suffix list, and unwrapped", () => {
  const kinds = (text: string, own = "") =>
    findLinks(text, new Set(own ? [own] : [])).map((l) => [l.domain, l.kind]);

  it("bare and defanged domains are links; material numbers, d.o.o. and file names are not", () => {
    expect(kinds("see rankboost.io now")).toEqual([["rankboost.io", "plain"]]);
    expect(findLinks("profit-bot[.]com", new Set())[0]).toMatchObject({
      domain: "profit-bot.com",
      defanged: true,
    });
    expect(findLinks("hxxps://evil.example.com/x", new Set())[0]).toMatchObject({ defanged: true });
    expect(kinds("Inox 1.4301, Novak d.o.o., s.p., risba.dwg, nacrt.zip, price.Best")).toEqual([]);
    expect(kinds("www.acme.co.uk and shop.acme.co.uk", "acme.co.uk")).toEqual([
      ["acme.co.uk", "neutral"],
      ["acme.co.uk", "neutral"],
    ]);
  });

  it("Outlook Safe Links and Google redirects are judged by the link they carry", () => {
    const safe =
      "https://eur03.safelinks.protection.outlook.com/?url=https%3A%2F%2Fwe.tl%2Ft-7hQ2mZ&data=05%7C02&reserved=0";
    expect(kinds(safe)).toEqual([["we.tl", "neutral"]]);
    const onedrive =
      "https://eur01.safelinks.protection.outlook.com/?url=https%3A%2F%2F1drv.ms%2Ff%2Fs!AqT7&data=x";
    expect(kinds(onedrive)).toEqual([["1drv.ms", "neutral"]]);
    expect(kinds("https://www.google.com/url?q=https://www.dropbox.com/s/a/b.pdf&sa=D")).toEqual([
      ["dropbox.com", "neutral"],
    ]);
    expect(kinds("https://www.google.si/url?q=https://bit.ly/x&sa=D")).toEqual([
      ["bit.ly", "cloaked"],
    ]);
    // Any other link inside a link is a redirect nobody vouches for.
    expect(kinds("http://a.example/x?u=https://b.example")).toEqual([["a.example", "cloaked"]]);
  });

  it("maps and file-sharing links are neutral; other goo.gl links are shortened", () => {
    expect(kinds("https://goo.gl/maps/Xc7rTqL2bN9 https://maps.app.goo.gl/q7T")).toEqual([
      ["goo.gl", "neutral"],
      ["goo.gl", "neutral"],
    ]);
    expect(kinds("https://goo.gl/AbCd")).toEqual([["goo.gl", "cloaked"]]);
    expect(kinds("https://www.dropbox.com/scl/fi/k3/x.pdf?rlkey=a&dl=0")[0]![1]).toBe("neutral");
  });
});

describe("gibberish holds for every alphabet", () => {
  it("ordinary words of German, Hungarian, Finnish, Slovene, Croatian and Cyrillic text are not gibberish", () => {
    const text =
      "Rohrschneiden Längsschnitt Angstschweiß Schweißnahtprüfung Geschwindigkeitsbeschränkung " +
      "legszentségtelenítettebb épületgépészeti hitsattuja ruostumattomasta " +
      "najizdatnejših prestrukturiranje čtvrthrst smrt prst " +
      "здравствуйте прирубница взгляд всплеск контрвзбросс Πληροφορίες";
    for (const w of text.toLowerCase().split(" ")) expect(hasImpossibleRun(w), w).toBe(false);
    expect(hasImpossibleRun("ofedkwdkjwkjdkwjdkjw")).toBe(true);
  });

  it("text in any script scores nothing on its own", () => {
    for (const message of [
      "Поштовани, потребна нам је понуда за обраду.",
      "Почитувани, ни треба понуда за заварување.",
      "こんにちは、見積もりをお願いします。",
      "안녕하세요 견적 부탁드립니다",
      "您好，请报价。",
      "مرحبا، أريد عرض سعر",
      "שלום, אני צריך הצעת מחיר",
      "Bitte um Rückruf, danke",
      "Hola, quería saber tu precio.",
      "‘’“”„†‡‰‹›•–—™ …",
    ])
      expect(score(fields(message)), message).toMatchObject({ score: 0, verdict: "clean" });
  });
});

describe("the message compared between submissions", () => {
  it("drops links and punctuation, keeps digits", async () => {
    const { normaliseMessage } = await import("../src/spam/judge.ts");
    expect(normaliseMessage("Hi! Better ranking: https://bit.ly/a1 NOW")).toBe(
      "hi better ranking now",
    );
    expect(normaliseMessage("Ponudba za 200 kosov.")).not.toBe(
      normaliseMessage("Ponudba za 300 kosov."),
    );
  });
});
