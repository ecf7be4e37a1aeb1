// The operator tool's own words and its reading of .dev.vars, through its real
// entry (runAdmin) with the network replaced at fetch: what it sends, and what
// it tells a person when something is off.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readVarsFile, runAdmin } from "../scripts/lib/admin-cli.ts";

const TOKEN = "vars-test-token-0123456789abcdef0123";
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Sent {
  url: string;
  authorization: string | null;
  body: unknown;
}

/** Runs `npm run admin -- …args` in a folder holding `devVars` as .dev.vars. */
async function admin(
  args: string[],
  opts: { devVars?: string; env?: Record<string, string>; answer?: (url: string) => Response },
) {
  const cwd = mkdtempSync(join(tmpdir(), "admin-vars-"));
  dirs.push(cwd);
  if (opts.devVars !== undefined) writeFileSync(join(cwd, ".dev.vars"), opts.devVars);
  const sent: Sent[] = [];
  const out: string[] = [];
  const err: string[] = [];
  const code = await runAdmin(args, {
    env: opts.env ?? {},
    cwd,
    fetch: (async (input: string | URL | Request, init?: RequestInit) => {
      const url = String(input);
      const headers = new Headers(init?.headers);
      sent.push({
        url,
        authorization: headers.get("authorization"),
        body: init?.body ? JSON.parse(String(init.body)) : undefined,
      });
      if (opts.answer) return opts.answer(url);
      throw new TypeError("fetch failed", { cause: { code: "ECONNREFUSED" } });
    }) as typeof fetch,
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    now: () => new Date("2026-12-07T12:00:00Z"),
  });
  return { code, sent, out: out.join("\n"), err: err.join("\n") };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

describe(".dev.vars, read as wrangler reads it (dotenv)", () => {
  it('ADMIN_TOKEN="…" # rotate yearly: the token, without quotes or comment', async () => {
    const r = await admin(["retention"], {
      devVars: `# secrets for npm run dev\nADMIN_TOKEN="${TOKEN}" # rotate yearly\n`,
      answer: () =>
        json(200, {
          ok: true,
          retention_months: 24,
          log_retention_days: 30,
          inquiries: 0,
          held: 0,
          due: 0,
          oldest: null,
        }),
    });
    expect(r.sent[0]?.authorization).toBe(`Bearer ${TOKEN}`);
    expect(r.code).toBe(0);
  });

  it("the other forms wrangler's dotenv takes", () => {
    expect(
      readVarsFile(
        [
          `export ADMIN_TOKEN='${TOKEN}'`,
          "INQUIRY_URL=http://localhost:8788 # the second dev server",
          'QUOTED="a # not a comment"',
          "PLAIN=b#c",
          "BASE=https://forms.example.com",
          "EXPANDED=${BASE}/x",
        ].join("\n"),
      ),
    ).toEqual({
      ADMIN_TOKEN: TOKEN,
      INQUIRY_URL: "http://localhost:8788",
      QUOTED: "a # not a comment",
      // dotenv 16.3 (wrangler's) ends an unquoted value at "#", space or not.
      PLAIN: "b",
      BASE: "https://forms.example.com",
      EXPANDED: "https://forms.example.com/x",
    });
  });
});

describe("what the tool says", () => {
  it("cannot reach: names --url and INQUIRY_URL", async () => {
    const r = await admin(["health"], {});
    expect(r.code).not.toBe(0);
    expect(r.err).toContain("cannot reach http://127.0.0.1:8787");
    expect(r.err).toContain("--url");
    expect(r.err).toContain("INQUIRY_URL");
  });

  it("an unknown token under npm run dev: edit .dev.vars; deployed: wrangler secret put", async () => {
    const refused = () => json(401, { ok: false, code: "unauthorized", message: "…" });
    const dev = await admin(["retention"], { devVars: `ADMIN_TOKEN=${TOKEN}\n`, answer: refused });
    expect(dev.err).toContain("Edit ADMIN_TOKEN in .dev.vars");
    expect(dev.err).not.toContain("secret put");
    const deployed = await admin(["retention", "--url", "https://forms.primer.si"], {
      env: { ADMIN_TOKEN: TOKEN },
      answer: refused,
    });
    expect(deployed.err).toContain("npx wrangler secret put ADMIN_TOKEN");
    expect(deployed.err).not.toContain(".dev.vars");
  });

  it("erase reminds that the staff's mailbox copies must be deleted by hand", async () => {
    const r = await admin(["erase", "jure.kos@žaga.si", "--yes"], {
      devVars: `ADMIN_TOKEN=${TOKEN}\n`,
      answer: () => json(200, { ok: true, deleted: 2 }),
    });
    expect(r.code).toBe(0);
    // The address goes as typed; the worker finds both IDNA forms.
    expect(r.sent[0]?.body).toEqual({ email: "jure.kos@žaga.si" });
    expect(r.out).toContain("erased 2 inquiries");
    expect(r.out).toContain("staff's mailboxes");
  });
});
