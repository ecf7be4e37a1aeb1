import { describe, expect, it } from "vitest";
import {
  scoreSubmission,
  SPAM_THRESHOLD,
  type RenderCheck,
  type SpamFacts,
} from "../src/spam/score.ts";

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
const score = (f: ReturnType<typeof fields>, facts: Partial<SpamFacts> = {}) =>
  scoreSubmission(f, { ...none, ...facts });

describe("spam score", () => {
  it("a plain request scores nothing", () => {
    expect(score(fields("Rabim 20 kosov po risbi, S235, 3 mm."))).toEqual({
      score: 0,
      reasons: [],
      spam: false,
    });
  });

  it("link markup and a name that is a link are spam on their own", () => {
    expect(score(fields('Nice <a href="https://x.example">site</a>')).reasons).toContain(
      "link_markup",
    );
    expect(score(fields("[url=https://x.example]x[/url]")).spam).toBe(true);
    const named = score(fields("Hello there", "Win now http://x.example/p"));
    expect(named.reasons).toContain("name_url");
    expect(named.spam).toBe(true);
  });

  it("a shortened or redirected link counts more than a link", () => {
    expect(score(fields("see https://bit.ly/abc")).reasons).toEqual([
      "link",
      "link_cloaked",
      "no_token",
    ]);
    expect(score(fields("see http://a.example/go.php?p=b.example")).reasons).toContain(
      "link_cloaked",
    );
    expect(score(fields("see http://a.example/x?u=https://b.example")).reasons).toContain(
      "link_cloaked",
    );
    expect(score(fields("see http://facebook.com+mail+@1310252231/x")).reasons).toContain(
      "link_cloaked",
    );
  });

  it("a drawing on a file-sharing host or the sender's own site weighs nothing", () => {
    expect(score(fields("Risba: https://we.tl/t-abc123")).score).toBe(0);
    expect(
      score(fields("Drawing: https://www.acme.example/d.pdf", "A B", "a@acme.example")).score,
    ).toBe(0);
    // A free-mail domain is nobody's website.
    expect(score(fields("See https://gmail.com/x")).reasons).toContain("link");
  });

  it("the render token: too fast or forged counts, absent alone does not", () => {
    const at = (render: RenderCheck) => score(fields("Rabim ponudbo za 10 kosov."), { render });
    expect(at({ kind: "valid", seconds: 2.9 }).spam).toBe(true);
    expect(at({ kind: "valid", seconds: 3 }).score).toBe(0);
    expect(at({ kind: "forged" }).reasons).toEqual(["token_forged"]);
    expect(at({ kind: "expired" }).reasons).toEqual(["token_expired"]);
    expect(at({ kind: "absent" }).score).toBe(0);
  });

  it("the same message from other addresses adds weight, spam only beside another signal", () => {
    // A company's page may prefill the message: customers then send the same text.
    const m = fields("Rabim ponudbo za 10 kosov.");
    expect(score(m, { sameMessageAddresses: 2 }).reasons).toEqual(["same_message", "no_token"]);
    expect(score(m, { sameMessageAddresses: 5 }).spam).toBe(false);
    const campaign = fields("Best offer for you, see https://offers.example/x");
    expect(score(campaign, { sameMessageAddresses: 1 }).spam).toBe(false);
    expect(score(campaign, { sameMessageAddresses: 2 }).spam).toBe(true);
  });

  it("a disposable address adds weight but is not spam alone", () => {
    const v = score(fields("Rabim ponudbo za 10 kosov."), { disposableDomain: true });
    expect(v.reasons).toEqual(["disposable_email", "no_token"]);
    expect(v.spam).toBe(false);
  });

  it("text mostly in another script, or a short message in neither language", () => {
    expect(score(fields("Здравейте, исках да знам цената ви.")).reasons).toContain(
      "unexpected_script",
    );
    expect(score(fields("Hola, quería saber tu precio.")).reasons).toContain("foreign_language");
    // Without letters of another alphabet it is not foreign: Slovenian in telegraphic style.
    expect(score(fields("Varjenje inox ograje")).score).toBe(0);
    expect(score(fields("Prva vrstica\nDruga vrstica\nTretja")).score).toBe(0);
    // Foreign and short is not spam on its own from a person on the reference form.
    const german = fields("Bitte um Rückruf, danke");
    expect(score(german, { render: { kind: "valid", seconds: 40 } }).spam).toBe(false);
    expect(score(german).spam).toBe(true);
    // Numbers make it a request whatever the language; Slovenian and English pass.
    expect(score(fields("Wir brauchen 250 Stück aus 1.4301.")).score).toBe(0);
    expect(score(fields("rabim ponudbo za rezkanje")).score).toBe(0);
    expect(score(fields("please call me back")).score).toBe(0);
    // A Cyrillic name with an English message is not foreign text.
    expect(score(fields("Hello, I need a welded frame, 2 pcs.", "Олена Коваленко")).score).toBe(0);
  });

  it("replies wanted at another address", () => {
    const v = score(fields("Contact us at offers@loans.example for more.", "A B", "x@y.example"));
    expect(v.reasons).toContain("other_contact");
    expect(score(fields("Pišite mi na janez@siol.net", "Janez", "janez@siol.net")).score).toBe(0);
  });

  it("vocabulary: SEO, scams and sales pitches", () => {
    const seo = score(fields("We will improve your SEO and backlinks for better ranking."));
    expect(seo.reasons).toContain("seo_terms");
    expect(seo.spam).toBe(true);
    expect(score(fields("Bitcoin casino, make money now")).spam).toBe(true);
    // One ordinary word that spam also uses is not enough.
    expect(score(fields("Potrebujemo ponudbo, investment v novo linijo, 40 kosov.")).spam).toBe(
      false,
    );
  });

  it("random strings in name and message: a bot probing the form", () => {
    expect(score(fields("wfNvujbYnm", "gnqtlBifU")).reasons).toContain("form_probe");
    expect(score(fields("Hvala", "Mary McDonald")).score).toBe(0);
  });

  it("is linear on hostile input", () => {
    const long = "a".repeat(5000) + "<a " + " ".repeat(4000) + "href";
    const t = performance.now();
    score(fields(long, "x".repeat(120)));
    score(fields("http://" + "a.".repeat(2400)));
    expect(performance.now() - t).toBeLessThan(200);
    expect(SPAM_THRESHOLD).toBe(5);
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
