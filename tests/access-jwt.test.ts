import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type CryptoKey } from "jose";
import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { isAccessToken } from "../src/admin/access-jwt.ts";
import { adminGate } from "../src/admin/auth.ts";
import { parseAccess } from "../src/config/access.ts";
import { AppError } from "../src/http/errors.ts";
import { ADMIN_TOKEN, call, env, installFakes, limiterWindowAhead, testIp } from "./helpers.ts";

const TEAM = "https://primer.cloudflareaccess.com";
const AUD = "4714c1358e65fe4b408ad6d432a5f878f08194bdb4752441fd56faefa9b2b6f2";
const settings = { teamOrigin: TEAM, aud: AUD };
const NOW = Date.parse("2026-12-07T10:00:00Z");

let team: CryptoKey;
let stranger: CryptoKey;
let keys: ReturnType<typeof createLocalJWKSet>;
let published: { keys: object[] };

beforeAll(async () => {
  const pair = await generateKeyPair("RS256", { extractable: true });
  team = pair.privateKey;
  stranger = (await generateKeyPair("RS256")).privateKey;
  published = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: "k1", alg: "RS256" }] };
  keys = createLocalJWKSet(published as Parameters<typeof createLocalJWKSet>[0]);
});

interface Claims {
  key?: CryptoKey;
  aud?: string;
  iss?: string;
  exp?: number;
  nbf?: number;
  alg?: string;
}
/** A token shaped as Access issues it (RS256, `kid`, team issuer, `aud` as an array). */
function token(c: Claims = {}, now = NOW): Promise<string> {
  const s = Math.floor(now / 1000);
  const jwt = new SignJWT({ email: "office@primer.si", type: "app" })
    .setProtectedHeader({ alg: c.alg ?? "RS256", kid: "k1" })
    .setIssuer(c.iss ?? TEAM)
    .setAudience([c.aud ?? AUD])
    .setIssuedAt(s - 60)
    .setExpirationTime(c.exp ?? s + 3600);
  if (c.nbf !== undefined) jwt.setNotBefore(c.nbf);
  return jwt.sign(c.key ?? team);
}

describe("isAccessToken (local keys)", () => {
  it("takes a token the team signed for this application", async () => {
    expect(await isAccessToken(await token(), settings, keys, NOW)).toBe(true);
  });

  it.each<[string, () => Promise<string>]>([
    ["expired", () => token({ exp: NOW / 1000 - 1 })],
    ["not yet valid", () => token({ nbf: NOW / 1000 + 120 })],
    ["signed by an unpublished key", () => token({ key: stranger })],
    ["for another application", () => token({ aud: "another-aud" })],
    ["from another team", () => token({ iss: "https://other.cloudflareaccess.com" })],
    ["unsigned (alg none)", async () => `${btoa('{"alg":"none"}')}.${btoa("{}")}.`],
    ["not a JWT", async () => "not-a-jwt"],
    ["empty", async () => ""],
    ["absurdly long", async () => "a".repeat(10_000)],
  ])("refuses a token %s", async (_what, make) => {
    expect(await isAccessToken(await make(), settings, keys, NOW)).toBe(false);
  });

  it("refuses a token signed with the team's key by another algorithm", async () => {
    const { privateKey } = await generateKeyPair("PS256");
    expect(
      await isAccessToken(await token({ key: privateKey, alg: "PS256" }), settings, keys, NOW),
    ).toBe(false);
  });
});

describe("the admin gate with Access", () => {
  const gate = adminGate({
    now: () => NOW,
    clientKey: (ip) => ip ?? "none",
    accessKeys: () => keys,
  });
  const request = (headers: Record<string, string>, ip: string) =>
    new Request("https://forms.example.com/admin/retention", {
      headers: { "cf-connecting-ip": ip, ...headers },
    });

  it("opens with a valid Access token and no ADMIN_TOKEN, and the bearer still works without one", async () => {
    const ip = testIp();
    const jwt = await token();
    await expect(
      gate.verify(request({ "cf-access-jwt-assertion": jwt }, ip), env, ADMIN_TOKEN, settings),
    ).resolves.toBeUndefined();
    await expect(
      gate.verify(
        request({ authorization: `Bearer ${ADMIN_TOKEN}` }, ip),
        env,
        ADMIN_TOKEN,
        settings,
      ),
    ).resolves.toBeUndefined();
    expect(
      await gate.signedInByAccess(
        request({ "cf-access-jwt-assertion": jwt }, ip),
        env,
        ADMIN_TOKEN,
        settings,
      ),
    ).toBe(true);
    expect(await gate.signedInByAccess(request({}, ip), env, ADMIN_TOKEN, settings)).toBe(false);
    // Without Access configured the header means nothing.
    expect(
      await gate.signedInByAccess(
        request({ "cf-access-jwt-assertion": jwt }, ip),
        env,
        ADMIN_TOKEN,
        null,
      ),
    ).toBe(false);
  });

  it("judges a request with an Access header by that token alone, even beside the right bearer", async () => {
    const bad = await token({ aud: "another-aud" });
    const err = await gate
      .verify(
        request(
          { "cf-access-jwt-assertion": bad, authorization: `Bearer ${ADMIN_TOKEN}` },
          testIp(),
        ),
        env,
        ADMIN_TOKEN,
        settings,
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe("unauthorized");
  });

  it("counts refused Access tokens against the attempt limit: the eleventh in a minute is 429", async () => {
    await limiterWindowAhead();
    const ip = testIp();
    const kinds = [
      await token({ exp: NOW / 1000 - 1 }),
      await token({ key: stranger }),
      await token({ aud: "another-aud" }),
    ];
    const codes: string[] = [];
    for (let i = 0; i < 11; i++) {
      const jwt = kinds[i % kinds.length]!;
      const e = await gate
        .verify(request({ "cf-access-jwt-assertion": jwt }, ip), env, ADMIN_TOKEN, settings)
        .catch((x: unknown) => x as AppError);
      codes.push(e ? e.code : "ok");
    }
    expect(codes.slice(0, 10)).toEqual(Array(10).fill("unauthorized"));
    expect(codes[10]).toBe("too_many_attempts");
    // Locked out for that minute: even a valid token is not looked at.
    const locked = await gate
      .verify(request({ "cf-access-jwt-assertion": await token() }, ip), env, ADMIN_TOKEN, settings)
      .catch((x: unknown) => x as AppError);
    expect(locked?.code).toBe("too_many_attempts");
  });
});

describe("the worker with ACCESS_TEAM_DOMAIN and ACCESS_AUD", () => {
  const vars = { ACCESS_TEAM_DOMAIN: "primer.cloudflareaccess.com", ACCESS_AUD: AUD };
  let certsFetched = 0;
  beforeEach(() => {
    installFakes();
    const fake = globalThis.fetch;
    // The team's keys, where Access publishes them; everything else goes to the usual fakes.
    vi.stubGlobal("fetch", async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, init);
      if (request.url === `${TEAM}/cdn-cgi/access/certs`) {
        certsFetched++;
        return Response.json(published);
      }
      return fake(request);
    });
  });

  it("fetches the team's keys once, serves the console without asking a token, and opens the API", async () => {
    const jwt = await token({}, Date.now());
    const headers = { "cf-access-jwt-assertion": jwt, "cf-connecting-ip": testIp() };
    const page = await call(
      new Request("https://forms.example.com/admin/?lang=en", {
        headers: { ...headers, accept: "text/html" },
      }),
      vars,
    );
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('data-auth="access"');
    expect(html).not.toContain('id="sign-out"');
    const api = await call(
      new Request("https://forms.example.com/admin/retention", { headers }),
      vars,
    );
    expect(api.status).toBe(200);
    expect(await api.json()).toMatchObject({ ok: true });
    expect(certsFetched).toBe(1);
  });

  it("asks for the token where the request did not come through Access", async () => {
    const page = await call(
      new Request("https://forms.example.com/admin/", {
        headers: { accept: "text/html", "cf-connecting-ip": testIp() },
      }),
      vars,
    );
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('data-auth="token"');
  });

  it("refuses the page to an expired Access token", async () => {
    const jwt = await token({ exp: Math.floor(Date.now() / 1000) - 5 }, Date.now());
    const page = await call(
      new Request("https://forms.example.com/admin/", {
        headers: {
          accept: "text/html",
          "cf-access-jwt-assertion": jwt,
          "cf-connecting-ip": testIp(),
        },
      }),
      vars,
    );
    expect(page.status).toBe(401);
    expect(page.headers.get("content-type")).toContain("text/html");
  });
});

describe("the console's page and files", () => {
  beforeEach(() => installFakes());
  const get = (path: string, accept = "text/html", vars = {}) =>
    call(new Request(`https://forms.example.com${path}`, { headers: { accept } }), vars);

  it("exist only while ADMIN_TOKEN is set", async () => {
    for (const path of ["/admin/", "/admin/console.js", "/admin/console.css"]) {
      expect((await get(path)).status, path).toBe(200);
      expect((await get(path, "text/html", { ADMIN_TOKEN: "" })).status, path).toBe(404);
    }
  });

  it("is a page with no inline code and a strict CSP, in the asked language", async () => {
    const res = await get("/admin/?lang=sl");
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(res.headers.get("cache-control")).toBe("no-store");
    const html = await res.text();
    expect(html).toContain('<html lang="sl">');
    expect(html).toContain("Konzola za upravljanje povpraševanj");
    expect(html).toContain('<script src="/admin/console.js" defer></script>');
    expect(html).not.toMatch(/<script>|<style|\sstyle=|\son[a-z]+=/i);
    // The D1 Time Travel windows the erasure's confirmation names.
    expect(html).toContain("7 dni (paket Workers Free)");
    expect(html).toContain("30 dni (Workers Paid)");
  });

  it("writes every value by textContent: its script never parses markup", async () => {
    const js = await (await get("/admin/console.js", "*/*")).text();
    expect(js).toContain("textContent");
    expect(js).not.toMatch(
      /innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/,
    );
    expect(js).not.toContain("localStorage");
    expect(js).not.toContain("document.cookie");
  });

  it("leaves JSON requests to the API, which wants the token", async () => {
    expect((await get("/admin/", "application/json")).status).toBe(401);
  });
});

describe("parseAccess", () => {
  const problems: string[] = [];
  const bad = (code: string, name: string) => problems.push(`${name} ${code}`);
  beforeEach(() => (problems.length = 0));

  it("takes both or neither", () => {
    expect(parseAccess("", "", bad)).toBeNull();
    expect(problems).toEqual([]);
    expect(parseAccess("primer.cloudflareaccess.com", "", bad)).toBeNull();
    expect(parseAccess("", AUD, bad)).toBeNull();
    expect(problems).toEqual([
      "ACCESS_AUD access_half_configured",
      "ACCESS_TEAM_DOMAIN access_half_configured",
    ]);
  });

  it("takes the team domain with or without https://, as an origin", () => {
    expect(parseAccess("primer.cloudflareaccess.com", AUD, bad)).toEqual(settings);
    expect(parseAccess("https://primer.cloudflareaccess.com/", AUD, bad)).toEqual(settings);
    expect(parseAccess("http://127.0.0.1:8812", AUD, bad)?.teamOrigin).toBe(
      "http://127.0.0.1:8812",
    );
    expect(problems).toEqual([]);
  });

  it("refuses plain http elsewhere, a path, and an AUD with spaces", () => {
    expect(parseAccess("http://primer.cloudflareaccess.com", AUD, bad)).toBeNull();
    expect(
      parseAccess("https://primer.cloudflareaccess.com/cdn-cgi/access/certs", AUD, bad),
    ).toBeNull();
    expect(parseAccess(TEAM, "my aud", bad)).toBeNull();
    expect(problems).toEqual([
      "ACCESS_TEAM_DOMAIN insecure_url",
      "ACCESS_TEAM_DOMAIN invalid_url",
      "ACCESS_AUD invalid_choice",
    ]);
  });
});
