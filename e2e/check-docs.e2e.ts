// scripts/check-docs.mjs (`npm run check:docs`, in .ci/run) as CI runs it, in its own Node
// process: against this repository it passes, and against a copy with each kind of mistake it
// fails, naming the file, the line and what is missing.
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";

const NODE = resolve("node_modules/.bin/node");
const SCRIPT = resolve("scripts/check-docs.mjs");

function run(root: string): Promise<{ code: number; out: string }> {
  return new Promise((done) => {
    execFile(NODE, [SCRIPT, root], (err, stdout, stderr) => {
      done({ code: err ? Number(err.code ?? 1) : 0, out: stdout + stderr });
    });
  });
}

let dir: string;

/** A repository of the given files (path → text) in a fresh temporary folder. */
function repo(files: Record<string, string>): string {
  dir = mkdtempSync(join(tmpdir(), "check-docs-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const GOOD_README = [
  "# Project",
  "",
  "See [the API](docs/api.md#post-inquiry), [set-up](#set-up-and-first-run) and [code](src/).",
  "![shot](docs/screenshots/a.png) and [mail](mailto:a@example.com), [site](https://example.com/x#y).",
  "",
  "## Set-up and first run",
  "",
  "```sh",
  "echo [not a link](nowhere.md)",
  "```",
  "",
].join("\n");

describe("npm run check:docs", () => {
  it("passes on this repository", async () => {
    const r = await run(resolve("."));
    expect(r.out).toMatch(/check-docs: \d+ files, \d+ relative links, all found/);
    expect(r.code).toBe(0);
  });

  it("passes when every relative link and anchor exists (links in code are not links)", async () => {
    const r = await run(
      repo({
        "README.md": GOOD_README,
        "docs/api.md":
          "# API\n\n## `POST /inquiry`\n\nBack to the [README](../README.md#project).\n",
        "docs/screenshots/a.png": "png",
        "src/index.ts": "",
      }),
    );
    expect(r.out).toContain("2 files, 5 relative links, all found");
    expect(r.code).toBe(0);
  });

  it("fails on a missing file, a missing anchor, a link out of the repository and a long README", async () => {
    const r = await run(
      repo({
        "README.md": GOOD_README + "x\n".repeat(300),
        "docs/api.md": [
          "# API",
          "",
          "See [gone](spam.md), [no anchor](../README.md#deployment),",
          "[this page](#nothing-here) and [outside](../../etc/passwd).",
          "",
          "[ref]: ./missing/",
          "",
          "## `POST /inquiry`",
          "",
        ].join("\n"),
        "docs/screenshots/a.png": "png",
        "src/index.ts": "",
        "CHANGELOG.md": "# Changes\n\n- see [the API](docs/api.md#api-2)\n",
      }),
    );
    expect(r.code).toBe(1);
    expect(r.out).toContain("README.md: 310 lines, at most 300");
    expect(r.out).toContain('docs/api.md:3: "spam.md": no such file docs/spam.md');
    expect(r.out).toContain(
      'docs/api.md:3: "../README.md#deployment": README.md has no heading with the anchor #deployment',
    );
    expect(r.out).toContain(
      'docs/api.md:4: "#nothing-here": docs/api.md has no heading with the anchor #nothing-here',
    );
    expect(r.out).toContain('docs/api.md:4: "../../etc/passwd" leaves the repository');
    expect(r.out).toContain('docs/api.md:6: "./missing/": no such file docs/missing');
    expect(r.out).toContain(
      'CHANGELOG.md:3: "docs/api.md#api-2": docs/api.md has no heading with the anchor #api-2',
    );
    expect(r.out).toContain("check-docs: 7 problem(s) in 3 files");
  });

  it("makes anchors as GitHub does: duplicate headings numbered, code and punctuation dropped", async () => {
    const r = await run(
      repo({
        "README.md": [
          "# Title",
          "",
          "[a](#notes) [b](#notes-1) [c](#operator-api-admin) [d](#notes-2)",
          "",
          "## Notes",
          "",
          "## Notes",
          "",
          "## Operator API: `/admin/…`",
          "",
        ].join("\n"),
      }),
    );
    expect(r.out).toContain('"#notes-2": README.md has no heading with the anchor #notes-2');
    expect(r.out).toContain("1 problem(s)");
    expect(r.code).toBe(1);
  });
});
