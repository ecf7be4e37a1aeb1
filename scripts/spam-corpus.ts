// `npm run spam:corpus`: the spam scorer over tests/data/spam (README there),
// per part of the corpus (`tune`, `holdout`), and its cost per submission.
// Prints, for each part: spam quarantined / tagged / missed, legitimate
// quarantined and tagged with and without a render token, and the ids behind
// each figure that is not as it should be. Then scores every item of the
// corpus REPEAT times and prints microseconds per submission, and the time for
// the longest hostile message the form accepts, which must stay linear.
//   npm run spam:corpus
//   npm run spam:corpus -- --part tune     # only the part being tuned on
import { readFileSync } from "node:fs";
import { loadPublicSuffixes } from "../src/spam/links.ts";
import { scoreSubmission, type RenderCheck, type SpamFacts } from "../src/spam/score.ts";

await loadPublicSuffixes();

interface Item {
  id: string;
  part: "tune" | "holdout";
  name: string;
  email: string;
  message: string;
  signals?: { seconds: number };
  [field: string]: unknown;
}

const read = (f: string) =>
  JSON.parse(readFileSync(new URL(`../tests/data/spam/${f}`, import.meta.url), "utf8")) as Item[];
const disposable = new Set(
  JSON.parse(
    readFileSync(
      new URL(
        "../node_modules/disposable-email-domains-js/dist/dict/disposable_email_blocklist.json",
        import.meta.url,
      ),
      "utf8",
    ),
  ) as string[],
);
const facts = (i: Item, render: RenderCheck): SpamFacts => ({
  render,
  disposableDomain: disposable.has(i.email.slice(i.email.lastIndexOf("@") + 1)),
  sameMessageAddresses: 0,
});
const fields = (i: Item) => {
  const { id: _id, part: _p, signals: _s, source: _src, lang: _l, note: _n, ...rest } = i;
  return rest;
};

const only = process.argv.includes("--part")
  ? process.argv[process.argv.indexOf("--part") + 1]
  : null;
const spam = read("spam.json");
const legit = read("legit.json");
const pct = (n: number, d: number) => `${n}/${d} (${((100 * n) / Math.max(d, 1)).toFixed(1)} %)`;

for (const part of ["tune", "holdout"] as const) {
  if (only && only !== part) continue;
  const s = spam.filter((i) => i.part === part);
  const l = legit.filter((i) => i.part === part);
  const sv = s.map((i) => ({ i, v: scoreSubmission(fields(i), facts(i, { kind: "absent" })) }));
  const q = sv.filter((x) => x.v.verdict === "spam");
  const t = sv.filter((x) => x.v.verdict === "suspicious");
  const missed = sv.filter((x) => x.v.verdict === "clean");
  console.log(`== ${part}: ${s.length} spam, ${l.length} legitimate`);
  console.log(`spam quarantined ${pct(q.length, s.length)}, tagged ${pct(t.length, s.length)}`);
  console.log(`  caught (either) ${pct(q.length + t.length, s.length)}`);
  console.log(`  missed: ${missed.map((x) => `${x.i.id}[${x.v.score}]`).join(" ")}`);
  for (const [label, render] of [
    [
      "with render token",
      (i: Item): RenderCheck =>
        i.signals ? { kind: "valid", seconds: i.signals.seconds } : { kind: "absent" },
    ],
    ["plain form (no token)", (): RenderCheck => ({ kind: "absent" })],
  ] as const) {
    const lv = l.map((i) => ({ i, v: scoreSubmission(fields(i), facts(i, render(i))) }));
    const lq = lv.filter((x) => x.v.verdict === "spam");
    const lt = lv.filter((x) => x.v.verdict === "suspicious");
    console.log(
      `legitimate ${label}: quarantined ${pct(lq.length, l.length)}, tagged ${pct(lt.length, l.length)}` +
        (lq.length + lt.length
          ? `\n  ${[...lq, ...lt].map((x) => `${x.i.id}[${x.v.score}: ${x.v.reasons.join(",")}]`).join(" ")}`
          : ""),
    );
  }
}

const REPEAT = 20;
const every = [...spam, ...legit];
let t0 = performance.now();
for (let r = 0; r < REPEAT; r++)
  for (const i of every) scoreSubmission(fields(i), facts(i, { kind: "absent" }));
const perItem = ((performance.now() - t0) * 1000) / (REPEAT * every.length);
console.log(
  `cost: ${perItem.toFixed(1)} µs per corpus submission (mean of ${REPEAT * every.length})`,
);
for (const [label, message] of [
  ["5000 letters, no vowel", "x".repeat(5000)],
  ["2500 dots", "a.".repeat(2500)],
  ["5000-char URL", "http://" + "a".repeat(4993)],
  ["833 bare domains", "ab.io ".repeat(833)],
  ["markup prefix repeated", "<a ".repeat(1666)],
] as const) {
  const hostile = { name: "A B", email: "a@b.si", company: message.slice(0, 160), message };
  t0 = performance.now();
  for (let r = 0; r < REPEAT; r++) scoreSubmission(hostile, facts(every[0]!, { kind: "absent" }));
  console.log(`  ${label}: ${((performance.now() - t0) / REPEAT).toFixed(2)} ms`);
}
