import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import devVarsExample from "../.dev.vars.example?raw";
import packageJson from "../package.json";

// The worker's source as text, read when the tests are built (no file system in workerd).
const sources = import.meta.glob("../src/**/*.ts", {
  query: "?raw",
  import: "default",
  eager: true,
});
const code = Object.entries(sources).filter(([path]) => !path.endsWith(".d.ts"));
const envTypes = sources["../src/env.d.ts"] ?? "";

/**
 * Every name the code reads from `env`: `env.NAME` (bindings and vars read
 * directly) and a reader called with the env and a name, `str(env, "NAME")`,
 * as src/config reads variables, or `secret("NAME")` for the secrets.
 */
function usedByCode(): Map<string, string> {
  const used = new Map<string, string>();
  const patterns = [
    /\benv\.([A-Z][A-Z0-9_]*)\b/g,
    /\benv\[\s*"([A-Z][A-Z0-9_]*)"\s*\]/g,
    /\(\s*env\s*,\s*"([A-Z][A-Z0-9_]*)"/g,
    /\bsecret\(\s*"([A-Z][A-Z0-9_]*)"\s*\)/g,
    // A variable's name handed to a reader as its first argument, e.g. one("RETENTION_MONTHS", …)
    // (names with an underscore, so an HTTP method or a crypto name is not taken for one).
    /\b[a-z]\w*\(\s*"([A-Z][A-Z0-9]*_[A-Z0-9_]+)"\s*,/g,
  ];
  for (const [path, text] of code) {
    for (const pattern of patterns) {
      for (const m of text.matchAll(pattern)) if (!used.has(m[1]!)) used.set(m[1]!, path);
    }
  }
  return used;
}

/** The first group of `pattern` on each trimmed line that matches it. */
function namesPerLine(text: string, pattern: RegExp): string[] {
  return text
    .split("\n")
    .map((line) => pattern.exec(line.trim())?.[1])
    .filter((name): name is string => name !== undefined);
}

/** Secrets: every `NAME=` line of .dev.vars.example, commented out (optional) or not. */
function secretsInExample(): string[] {
  return namesPerLine(devVarsExample, /^#?\s*([A-Z][A-Z0-9_]*)=/);
}

function declared(): Set<string> {
  return new Set([...env.TEST_DECLARED.vars, ...env.TEST_DECLARED.bindings, ...secretsInExample()]);
}

describe("wrangler.toml, .dev.vars.example and the code agree", () => {
  it("finds the code's reads at all (guards the scan itself)", () => {
    const used = usedByCode();
    for (const name of ["DB", "ATTACHMENTS", "SUBMIT_LIMITER", "MAIL_TO", "ADMIN_TOKEN"]) {
      expect(used.has(name), name).toBe(true);
    }
  });

  it("every binding, variable and secret the code reads is declared", () => {
    const known = declared();
    const undeclared = [...usedByCode()]
      .filter(([name]) => !known.has(name))
      .map(([name, path]) => `${name} (read in ${path})`);
    expect(undeclared).toEqual([]);
  });

  it("everything declared is read by the code", () => {
    const used = usedByCode();
    const unused = [...declared()].filter((name) => !used.has(name));
    expect(unused).toEqual([]);
  });

  it("the Env type lists each secret of .dev.vars.example, and no other secret", () => {
    const typed = namesPerLine(envTypes, /^([A-Z][A-Z0-9_]*)\?:/);
    expect(typed.sort()).toEqual(secretsInExample().sort());
  });

  it("package.json describes every binding, variable and secret for the Deploy button, and nothing undeclared", () => {
    const described = Object.keys(packageJson.cloudflare.bindings);
    const needed = [
      ...env.TEST_DECLARED.vars,
      ...env.TEST_DECLARED.bindings,
      ...secretsInExample(),
    ];
    expect(needed.filter((name) => !described.includes(name))).toEqual([]);
    const known = declared();
    expect(described.filter((name) => !known.has(name))).toEqual([]);
  });

  it("secrets stay out of wrangler.toml, where they would be deployed in clear", () => {
    for (const name of secretsInExample()) expect(env.TEST_DECLARED.vars).not.toContain(name);
  });
});
