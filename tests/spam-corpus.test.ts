import { describe, expect, it } from "vitest";
import { scoreSubmission, type RenderCheck, type SpamFacts } from "../src/spam/score.ts";
import disposable from "disposable-email-domains-js/dist/dict/disposable_email_blocklist.json";
import spam from "./data/spam/spam.json";
import legit from "./data/spam/legit.json";

/**
 * The scorer over the corpus in tests/data/spam (README there): real
 * contact-form spam and legitimate inquiries for a small metal-working shop.
 * Prints the figures docs/spam.md quotes.
 */

interface Item {
  id: string;
  name: string;
  email: string;
  message: string;
  source?: string;
  signals?: { seconds: number };
}

const disposableDomains = new Set(disposable as string[]);

function facts(item: Item, render: RenderCheck): SpamFacts {
  const domain = item.email.slice(item.email.lastIndexOf("@") + 1);
  return { render, disposableDomain: disposableDomains.has(domain), sameMessageAddresses: 0 };
}

const fromForm = (item: Item): RenderCheck =>
  item.signals ? { kind: "valid", seconds: item.signals.seconds } : { kind: "absent" };

describe("spam corpus", () => {
  it("catches at least 90 % of the real spam (posted by bots, without a render token)", () => {
    const items = spam as Item[];
    const missed = items.filter((i) => !scoreSubmission(i, facts(i, { kind: "absent" })).spam);
    const bySource = new Map<string, { n: number; caught: number }>();
    for (const i of items) {
      const url = new URL(i.source!);
      const host =
        url.hostname === "github.com"
          ? url.pathname.split("/").slice(1, 3).join("/")
          : url.hostname;
      const s = bySource.get(host) ?? { n: 0, caught: 0 };
      s.n++;
      if (!missed.includes(i)) s.caught++;
      bySource.set(host, s);
    }
    const caught = items.length - missed.length;
    console.log(
      `spam caught: ${caught}/${items.length} (${((100 * caught) / items.length).toFixed(1)} %)`,
    );
    for (const [host, s] of bySource) console.log(`  ${host}: ${s.caught}/${s.n}`);
    console.log(`  missed: ${missed.map((i) => i.id).join(", ")}`);
    expect(caught / items.length).toBeGreaterThanOrEqual(0.9);
  });

  it("judges none of the legitimate inquiries spam, with or without a render token", () => {
    const items = legit as Item[];
    const withToken = items.filter((i) => scoreSubmission(i, facts(i, fromForm(i))).spam);
    const plainForm = items.filter((i) => scoreSubmission(i, facts(i, { kind: "absent" })).spam);
    const highest = Math.max(
      ...items.map((i) => scoreSubmission(i, facts(i, { kind: "absent" })).score),
    );
    console.log(
      `legitimate judged spam: ${withToken.length}/${items.length} from the reference form, ` +
        `${plainForm.length}/${items.length} from a plain form; highest score ${highest}`,
    );
    expect(withToken.map((i) => i.id)).toEqual([]);
    expect(plainForm.map((i) => i.id)).toEqual([]);
  });
});
