// The operator tool's own decisions, in Node over real HTTP: what it refuses
// to send at all, how `--all` walks a list longer than one answer, where an
// export goes. A small local server stands in for the worker's operator API
// (its shapes as the operator API gives them) and records every request;
// e2e/admin-tool.e2e.ts runs the same tool against the real worker.
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runAdmin } from "../scripts/lib/admin-cli.ts";

const TOKEN = "cli-test-token-0123456789abcdef0123";

interface Seen {
  method: string;
  url: string;
  body: unknown;
}

let server: Server;
let base: string;
let dir: string;
const seen: Seen[] = [];
/** The worker's failed deliveries, oldest first; retry and dismiss take them off. */
let failed: string[] = [];

async function readBody(req: IncomingMessage): Promise<unknown> {
  let text = "";
  for await (const chunk of req) text += String(chunk);
  return text ? JSON.parse(text) : undefined;
}

beforeAll(async () => {
  server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      seen.push({ method: req.method!, url: req.url!, body });
      const send = (status: number, value: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(value));
      };
      if (req.method === "GET" && req.url === "/admin/deliveries") {
        // As the worker: at most 500 per answer.
        return send(200, {
          ok: true,
          deliveries: failed.slice(0, 500).map((id) => ({ id, status: "failed" })),
        });
      }
      const action = /^\/admin\/deliveries\/(retry|dismiss)$/.exec(req.url!)?.[1];
      if (req.method === "POST" && action) {
        const ids = (body as { ids: string[] }).ids;
        if (ids.length > 500) return send(422, { ok: false, errors: [] });
        const hit = ids.filter((id) => failed.includes(id));
        failed = failed.filter((id) => !hit.includes(id));
        return send(200, { ok: true, [action === "retry" ? "requeued" : "dismissed"]: hit.length });
      }
      if (req.method === "POST" && req.url === "/admin/inquiries/search") {
        return send(200, { ok: true, inquiries: [] });
      }
      send(404, { ok: false, code: "not_found" });
    })();
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = mkdtempSync(join(tmpdir(), "admin-cli-"));
});
afterAll(async () => {
  await new Promise((done) => server.close(done));
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  seen.length = 0;
  failed = [];
});

async function admin(args: string[], cwd = dir) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runAdmin(args, {
    env: { ADMIN_TOKEN: TOKEN, INQUIRY_URL: base },
    cwd,
    fetch: globalThis.fetch,
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    now: () => new Date(Date.UTC(2026, 10, 30, 1, 2, 3)),
  });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("an address where an id belongs", () => {
  const commands = [
    ["show", "ana@example.com"],
    ["hold", "ana@example.com"],
    ["release", "ana@example.com"],
    ["rectify", "ana@example.com", "phone="],
    ["erase", "--id", "ana@example.com", "--yes"],
    ["retry", "3f0c2a9e-1b2c-4d5e-8f90-123456789abc", "ana@example.com"],
    ["dismiss", "ana@example.com"],
  ];

  it("is refused before anything is sent, pointing at export and erase", async () => {
    for (const args of commands) {
      const run = await admin(args);
      expect(run.code, args.join(" ")).toBe(2);
      expect(run.err).toContain("is an e-mail address, not an inquiry id");
      expect(run.err).toContain("npm run admin -- export ADDR");
      expect(run.err).toContain("npm run admin -- erase ADDR --yes");
    }
    expect(seen).toEqual([]);
  });

  it("so is anything else that is not an id's shape", async () => {
    for (const id of ["../retention", "a b", "x".repeat(65), "id?x=1"]) {
      const run = await admin(["show", id]);
      expect(run.code, id).toBe(2);
      expect(run.err).toContain("is not an inquiry id");
    }
    expect(seen).toEqual([]);
  });
});

describe("retry --all and dismiss --all", () => {
  it("handle every failed delivery, however many answers the list takes", async () => {
    failed = Array.from({ length: 1234 }, (_, i) => `bulk-${i}`);
    const run = await admin(["retry", "--all"]);
    expect(run.code).toBe(0);
    expect(run.out).toContain("1234 of 1234 queued to be sent again");
    expect(failed).toEqual([]);
    const posts = seen.filter((s) => s.method === "POST");
    expect(posts.map((p) => (p.body as { ids: unknown[] }).ids.length)).toEqual([500, 500, 234]);
    // When they go: the next cron run, which `npm run dev` fires only when asked.
    expect(run.out).toContain(`curl "${base}/cdn-cgi/local/scheduled"`);

    failed = Array.from({ length: 501 }, (_, i) => `more-${i}`);
    expect((await admin(["dismiss", "--all"])).out).toContain(
      "501 of 501 dismissed: kept, not mailed",
    );
  });

  it("stop after a bounded number of rounds and say that more remain", async () => {
    failed = Array.from({ length: 10_500 }, (_, i) => `bulk-${i}`);
    const run = await admin(["dismiss", "--all"]);
    expect(run.code).toBe(0);
    expect(run.out).toContain("more failed or bounced deliveries remain; run the command again");
    expect(run.out).toContain("10000 of 10000 dismissed");
    expect(failed).toHaveLength(500);
  });
});

describe("export without --out", () => {
  it("writes a file git ignores, readable by its owner only, and says it holds personal data", async () => {
    const run = await admin(["export", "ana@example.com"]);
    expect(run.code).toBe(0);
    expect(run.out).toContain("It holds personal data");
    const [name] = readdirSync(dir).filter((f) => f.startsWith("inquiries-export-"));
    expect(name).toBe("inquiries-export-2026-11-30T01-02-03.json");
    expect(statSync(join(dir, name!)).mode & 0o777).toBe(0o600);
    // The same name in the repository would not be committed by `git add .`.
    const ignored = await new Promise<string>((done) =>
      execFile("git", ["check-ignore", name!], (_, stdout) => done(stdout.trim())),
    );
    expect(ignored).toBe(name);
  });
});
