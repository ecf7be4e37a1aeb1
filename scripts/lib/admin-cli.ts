// The operator tool behind `npm run admin` (scripts/admin.ts): argument
// parsing, calls to the worker's operator API, and readable output. Every
// outside effect comes in through `Io`, so the e2e test runs the real thing.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
// The parser wrangler reads .dev.vars with (the same dotenv version it bundles, and
// dotenv-expand for ${NAME}), so this tool sends exactly the token the worker got.
import { parse as parseDotenv } from "dotenv";
import { expand } from "dotenv-expand";

export interface Io {
  env: Record<string, string | undefined>;
  cwd: string;
  fetch: typeof fetch;
  out: (line: string) => void;
  err: (line: string) => void;
  now: () => Date;
}

const DEFAULT_URL = "http://127.0.0.1:8787";
/** What an erasure cannot reach: the mails the worker sent (GDPR Art. 17 covers every copy). */
const STAFF_COPIES =
  "Still to do by hand: delete the mails of these inquiries from the staff's mailboxes " +
  "(and any copy forwarded or saved elsewhere); the worker cannot reach them.";
const TIMEOUT_MS = 30_000;
const STATUSES = ["pending", "failed", "bounced", "quarantined"];
// A field's name as the worker's form has them (the built-in ones and the form
// definition's own); which of them rectification may change, the worker decides.
const FIELD_NAME = /^[a-z0-9][a-z0-9_]{0,39}$/;

const USAGE = `npm run admin -- <command> [options]

Commands
  export <email> [--out FILE]    every inquiry of an address, written to a JSON file
                                 (default inquiries-export-<time>.json here, git-ignored)
  show <id>                      one inquiry
  erase <email> --yes            erase every inquiry of an address, with its files
  erase --id <id> --yes          erase one inquiry
  rectify <id> field=value…      correct name, email, phone, company, message or a field
                                 of your own form (FORM), e.g. quantity=40; field= clears it
  hold <id> [--reason TEXT]      restrict (GDPR Art. 18): kept, neither mailed nor purged
  release <id>                   lift the hold
  deliveries [--status S]        failed and bounced mail (S: pending, failed, bounced, quarantined)
  retry <id>… | --all            send again under a new key at the next scheduled run
                                 (--all: every failed and bounced one)
  dismiss <id>… | --all          do not mail; keep, and clear from /health
  retention                      what is stored, held and due for deletion
  health                         /health: problem codes; with ADMIN_TOKEN the counts too
                                 (exit code 1 when not ok)

Options
  --url URL     the worker (else INQUIRY_URL, else the vars file's INQUIRY_URL, else ${DEFAULT_URL})
  --vars FILE   a file of NAME=value lines with ADMIN_TOKEN (and INQUIRY_URL); default .dev.vars
  --json        print the worker's JSON answer instead of a table

ADMIN_TOKEN comes from the environment or the vars file; it is never printed.
Every command but health needs it.`;

/** A refusal to show the operator as one clear line; exit code 1 (2 for usage). */
class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

interface Target {
  url: string;
  token: string;
  /** This machine (`npm run dev`): its secrets come from .dev.vars. */
  local: boolean;
}

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

type Api = (method: string, path: string, body?: unknown) => Promise<Answer>;

export async function runAdmin(argv: string[], io: Io): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        url: { type: "string" },
        vars: { type: "string" },
        out: { type: "string" },
        status: { type: "string" },
        reason: { type: "string" },
        id: { type: "string" },
        yes: { type: "boolean", default: false },
        all: { type: "boolean", default: false },
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (e) {
    io.err(`${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values: o, positionals } = parsed;
  const [command, ...args] = positionals;
  if (o.help || !command) {
    (o.help ? io.out : io.err)(USAGE);
    return o.help ? 0 : 2;
  }
  const run = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!run) {
    io.err(`unknown command "${command}"\n\n${USAGE}`);
    return 2;
  }
  try {
    // /health is public: without a token it still names the problems.
    const target = findTarget(o.url, o.vars, io, command !== "health");
    return await run({ args, o, api: client(target, io), io, target });
  } catch (e) {
    if (e instanceof CliError) {
      io.err(`error: ${e.message}`);
      return e.exitCode;
    }
    throw e;
  }
}

/**
 * Reads a vars file (`.dev.vars`) by wrangler's rules: dotenv's format (quotes,
 * `# comments` after a value, `export NAME=`, multi-line quoted values), then
 * `${NAME}` expanded from the file and `processEnv`, as `wrangler dev` does
 * (wrangler's parseAndExpandDotEnv). `processEnv` is not changed.
 */
export function readVarsFile(
  text: string,
  processEnv: Record<string, string | undefined> = {},
): Record<string, string> {
  const parsed = parseDotenv(text);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(processEnv)) if (v !== undefined) env[k] = v;
  expand({ parsed, processEnv: env });
  return parsed;
}

function findTarget(
  urlOpt: string | undefined,
  varsOpt: string | undefined,
  io: Io,
  needsToken: boolean,
): Target {
  const varsPath = resolve(io.cwd, varsOpt ?? ".dev.vars");
  let vars: Record<string, string> = {};
  if (existsSync(varsPath)) vars = readVarsFile(readFileSync(varsPath, "utf8"), io.env);
  else if (varsOpt) throw new CliError(`cannot read ${varsOpt}`, 2);

  const raw = urlOpt ?? io.env.INQUIRY_URL ?? vars.INQUIRY_URL ?? DEFAULT_URL;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CliError(
      `"${raw}" is not a URL; give the worker's address, e.g. https://forms.example.com`,
      2,
    );
  }
  const local = ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && local)) {
    throw new CliError(
      `refusing to send the token to ${url.origin}: use https (plain http only for localhost)`,
      2,
    );
  }
  const token = io.env.ADMIN_TOKEN || vars.ADMIN_TOKEN || "";
  if (!token && needsToken) {
    throw new CliError(
      `no ADMIN_TOKEN: set it in the environment or in ${varsOpt ?? ".dev.vars"} (ADMIN_TOKEN=…)`,
      2,
    );
  }
  let path = url.pathname;
  while (path.endsWith("/")) path = path.slice(0, -1); // a loop, not /\/+$/: that regex is quadratic
  return { url: url.origin + path, token, local };
}

function client(target: Target, io: Io): Api {
  return async (method, path, body) => {
    let res: Response;
    try {
      res = await io.fetch(`${target.url}${path}`, {
        method,
        headers: {
          ...(target.token ? { authorization: `Bearer ${target.token}` } : {}),
          accept: "application/json",
          "accept-language": "en",
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (e) {
      const c = (e as { cause?: { code?: string; message?: string } }).cause;
      const cause = c?.code ?? c?.message ?? (e as Error).name;
      throw new CliError(
        `cannot reach ${target.url} (${cause}): is the worker running there? ` +
          (target.local
            ? "`npm run dev` prints the address to use; give it with --url URL or INQUIRY_URL=URL."
            : "Give the worker's address with --url URL or INQUIRY_URL=URL."),
      );
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new CliError(
        `${target.url} answered ${res.status} without JSON: is it the inquiry worker?`,
      );
    }
    const answer: Answer = {
      status: res.status,
      headers: res.headers,
      body:
        typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : {},
    };
    if (res.status === 401) {
      throw new CliError(
        target.local
          ? "the worker refused the token (401): ADMIN_TOKEN here is not the one `npm run dev` " +
              "gave the worker. Edit ADMIN_TOKEN in .dev.vars (the worker reads it at start), " +
              "then restart `npm run dev`"
          : "the worker refused the token (401): ADMIN_TOKEN here is not the one set on the worker " +
              "(set on the worker with `npx wrangler secret put ADMIN_TOKEN`)",
      );
    }
    if (res.status === 429) {
      const wait = res.headers.get("retry-after") ?? "60";
      throw new CliError(`too many failed sign-ins from this network; try again in ${wait} s`);
    }
    if (res.status === 422) {
      const errors = (answer.body.errors as { field: string; message: string }[] | undefined) ?? [];
      throw new CliError(
        ["refused (422):", ...errors.map((e) => `  ${e.field}: ${e.message}`)].join("\n"),
      );
    }
    if (res.status === 503 && path !== "/health") {
      // The body is the visitor's apology; the operator needs /health's problem codes.
      throw new CliError(
        "the worker cannot serve this now (503): a setting it needs has a problem (such as " +
          "ADMIN_TOKEN) or its storage is unreachable. `npm run admin -- health` (or GET /health) names it.",
      );
    }
    return answer;
  };
}

/** A 404 means "no such inquiry" only if the operator API answers at all. */
async function notFound(api: Api, what: string): Promise<never> {
  const probe = await api("GET", "/admin/retention");
  if (probe.status === 404) {
    throw new CliError(
      "the operator API answers 404: ADMIN_TOKEN is not set on the worker, or the URL is not the inquiry worker",
    );
  }
  throw new CliError(`${what} (404)`);
}

async function expectOk(api: Api, answer: Answer, what: string): Promise<Answer> {
  if (answer.status === 404) return notFound(api, what);
  if (answer.status >= 400 || answer.body.ok !== true) {
    throw new CliError(
      `the worker answered ${answer.status} ${String(answer.body.code ?? "")}: ${String(answer.body.message ?? "")}`,
    );
  }
  return answer;
}

interface Run {
  args: string[];
  o: {
    out?: string;
    status?: string;
    reason?: string;
    id?: string;
    yes: boolean;
    all: boolean;
    json: boolean;
  };
  api: Api;
  io: Io;
  target: Target;
}

/** A table with a header row, columns padded to their widest cell. */
export function table(headers: string[], rows: (string | number | null)[][]): string[] {
  const cells = [headers, ...rows.map((r) => r.map((c) => (c === null ? "–" : String(c))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  return [line(cells[0]!), line(widths.map((w) => "-".repeat(w))), ...cells.slice(1).map(line)];
}

const short = (s: unknown, n = 40) => {
  const v = s === null || s === undefined ? null : String(s);
  return v !== null && v.length > n ? `${v.slice(0, n - 1)}…` : v;
};
const minute = (iso: unknown) =>
  typeof iso === "string" ? iso.replace("T", " ").slice(0, 16) : iso === null ? null : String(iso);

interface ExportedInquiry {
  id: string;
  created_at: string;
  service: string;
  delivery: { status: string; attempts: number };
  attachment: { filename: string } | null;
  hold: boolean;
}

function inquiryRows(list: ExportedInquiry[]): string[] {
  return table(
    ["id", "created (UTC)", "service", "delivery", "attachment", "hold"],
    list.map((i) => [
      i.id,
      minute(i.created_at),
      short(i.service, 30),
      i.delivery.status,
      short(i.attachment?.filename ?? null, 30),
      i.hold ? "held" : "",
    ]),
  );
}

function need(args: string[], n: number, usage: string): void {
  if (args.length < n) throw new CliError(`usage: npm run admin -- ${usage}`, 2);
}

/**
 * An inquiry id as the worker makes them (a UUID; letters, digits and "-",
 * at most 64), checked before anything is sent: an address given where an id
 * belongs would otherwise travel in the URL, into request logs and analytics
 * (the worker refuses it with 400, but only after it arrived).
 */
export function checkId(id: string): string {
  if (id.includes("@")) {
    throw new CliError(
      `"${id}" is an e-mail address, not an inquiry id; an address never goes into a URL.\n` +
        "  Find its inquiries with `npm run admin -- export ADDR` " +
        "or erase them with `npm run admin -- erase ADDR --yes`.",
      2,
    );
  }
  if (id.length === 0 || id.length > 64 || !/^[A-Za-z0-9-]+$/.test(id)) {
    throw new CliError(
      `"${id}" is not an inquiry id (like 3f0c2a9e-…, as \`deliveries\` and \`export\` show them)`,
      2,
    );
  }
  return id;
}

const COMMANDS: Record<string, (r: Run) => Promise<number>> = {
  async export({ args, o, api, io }) {
    need(args, 1, "export <email> [--out FILE]");
    const answer = await expectOk(
      api,
      await api("POST", "/admin/inquiries/search", { email: args[0] }),
      "search",
    );
    const inquiries = answer.body.inquiries as ExportedInquiry[];
    const stamp = io.now().toISOString().replace(/[:.]/g, "-").slice(0, 19);
    const file = resolve(io.cwd, o.out ?? `inquiries-export-${stamp}.json`);
    const document = { exported_at: io.now().toISOString(), inquiries };
    try {
      // Personal data: readable by this user only, and never over an existing file.
      writeFileSync(file, `${JSON.stringify(document, null, 2)}\n`, { mode: 0o600, flag: "wx" });
    } catch (e) {
      throw new CliError(`cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? "error"}`);
    }
    io.out(`${inquiriesN(inquiries.length)} of that address written to ${file}`);
    io.out(
      "It holds personal data: hand it over, then delete it (git ignores inquiries-export-*.json).",
    );
    if (inquiries.length > 0) inquiryRows(inquiries).forEach((l) => io.out(l));
    if (inquiries.some((i) => i.attachment))
      io.out(
        "Attached files are not in the export; they were mailed to the staff with each inquiry.",
      );
    return 0;
  },

  async show({ args, o, api, io }) {
    need(args, 1, "show <id>");
    checkId(args[0]!);
    const answer = await expectOk(
      api,
      await api("GET", `/admin/inquiries/${encodeURIComponent(args[0]!)}`),
      `no inquiry with id ${args[0]}`,
    );
    const i = answer.body.inquiry as Record<string, unknown>;
    if (o.json) io.out(JSON.stringify(answer.body, null, 2));
    else
      for (const [k, v] of Object.entries(i))
        io.out(
          `${k.padEnd(12)} ${typeof v === "object" && v !== null ? JSON.stringify(v) : String(v)}`,
        );
    return 0;
  },

  async erase({ args, o, api, io }) {
    if (!o.id) need(args, 1, "erase <email> --yes | erase --id <id> --yes");
    if (o.id) {
      checkId(o.id);
      if (!o.yes) {
        io.err(
          `This erases inquiry ${o.id} and its file for good; the staff's mail of it stays ` +
            "until deleted by hand. Add --yes to do it.",
        );
        return 2;
      }
      await expectOk(
        api,
        await api("DELETE", `/admin/inquiries/${encodeURIComponent(o.id)}`),
        `no inquiry with id ${o.id}`,
      );
      io.out(`erased inquiry ${o.id}`);
      io.out(STAFF_COPIES);
      return 0;
    }
    if (!o.yes) {
      const found = await expectOk(
        api,
        await api("POST", "/admin/inquiries/search", { email: args[0] }),
        "search",
      );
      const n = (found.body.inquiries as unknown[]).length;
      io.err(
        `This erases ${inquiriesN(n)} of that address, with their files, for good; the staff's ` +
          "mails of them stay until deleted by hand. Add --yes to do it.",
      );
      return 2;
    }
    const answer = await expectOk(
      api,
      await api("POST", "/admin/inquiries/erase", { email: args[0] }),
      "erase",
    );
    io.out(`erased ${inquiriesN(Number(answer.body.deleted))} of that address`);
    if (Number(answer.body.deleted) > 0) io.out(STAFF_COPIES);
    return 0;
  },

  async rectify({ args, api, io }) {
    need(args, 2, "rectify <id> field=value…");
    const [id, ...pairs] = args;
    checkId(id!);
    const patch: Record<string, string | null> = {};
    for (const p of pairs) {
      const eq = p.indexOf("=");
      const field = eq > 0 ? p.slice(0, eq) : "";
      if (!FIELD_NAME.test(field)) {
        throw new CliError(
          `"${p}": give field=value, e.g. name="Ana Novak" (the field's name as \`show\` lists it)`,
          2,
        );
      }
      // An empty value clears an optional field; the worker says if the field is required.
      patch[field] = eq === p.length - 1 ? null : p.slice(eq + 1);
    }
    await expectOk(
      api,
      await api("PATCH", `/admin/inquiries/${encodeURIComponent(id!)}`, patch),
      `no inquiry with id ${id}`,
    );
    io.out(`inquiry ${id}: ${Object.keys(patch).join(", ")} corrected`);
    return 0;
  },

  async hold({ args, o, api, io }) {
    need(args, 1, "hold <id> [--reason TEXT]");
    checkId(args[0]!);
    await expectOk(
      api,
      await api("PUT", `/admin/inquiries/${encodeURIComponent(args[0]!)}/hold`, {
        hold: true,
        reason: o.reason ?? null,
      }),
      `no inquiry with id ${args[0]}`,
    );
    io.out(`inquiry ${args[0]} is on hold: kept, neither mailed nor purged until released`);
    return 0;
  },

  async release({ args, api, io }) {
    need(args, 1, "release <id>");
    checkId(args[0]!);
    await expectOk(
      api,
      await api("PUT", `/admin/inquiries/${encodeURIComponent(args[0]!)}/hold`, { hold: false }),
      `no inquiry with id ${args[0]}`,
    );
    io.out(`inquiry ${args[0]} released: mail and purge resume`);
    return 0;
  },

  async deliveries({ o, api, io }) {
    // The spam scorer's verdict: "7 link, link_cloaked", or "-" when not scored.
    const spamCell = (v: unknown) => {
      const spam = v as { score?: unknown; reasons?: unknown } | null;
      if (!spam || typeof spam.score !== "number") return "-";
      const reasons = Array.isArray(spam.reasons) ? spam.reasons.join(", ") : "";
      return short(reasons ? `${spam.score} ${reasons}` : String(spam.score));
    };
    if (o.status && !STATUSES.includes(o.status)) {
      throw new CliError(`--status must be one of ${STATUSES.join(", ")}`, 2);
    }
    const query = o.status ? `?status=${o.status}` : "";
    const answer = await expectOk(api, await api("GET", `/admin/deliveries${query}`), "deliveries");
    if (o.json) {
      io.out(JSON.stringify(answer.body, null, 2));
      return 0;
    }
    const list = answer.body.deliveries as Record<string, unknown>[];
    io.out(`${list.length} ${o.status ?? "failed or bounced"} deliveries, newest first`);
    if (list.length > 0) {
      table(
        ["id", "created (UTC)", "status", "attempts", "last error", "next attempt (UTC)", "spam"],
        list.map((d) => [
          String(d.id),
          minute(d.created_at),
          String(d.status),
          Number(d.attempts),
          short(d.last_error),
          minute(d.next_attempt_at),
          spamCell(d.spam),
        ]),
      ).forEach((l) => io.out(l));
    }
    if (typeof answer.body.next === "string") {
      io.out(
        `more: GET /admin/deliveries${query || "?"}${query ? "&" : ""}cursor=${answer.body.next}`,
      );
    }
    return 0;
  },

  retry: (r) => requeue(r, "retry", "requeued", "queued to be sent again"),
  dismiss: (r) => requeue(r, "dismiss", "dismissed", "dismissed: kept, not mailed"),

  async retention({ o, api, io }) {
    const answer = await expectOk(api, await api("GET", "/admin/retention"), "retention");
    const b = answer.body;
    if (o.json) {
      io.out(JSON.stringify(b, null, 2));
      return 0;
    }
    table(
      ["", ""],
      [
        ["inquiries stored", Number(b.inquiries)],
        ["on hold", Number(b.held)],
        ["due for deletion", Number(b.due)],
        ["oldest", minute(b.oldest)],
        ["kept for", `${String(b.retention_months)} months`],
        ["technical log kept for", `${String(b.log_retention_days)} days`],
      ],
    )
      .slice(2)
      .forEach((l) => io.out(l));
    return 0;
  },

  async health({ o, api, io, target }) {
    const answer = await api("GET", "/health");
    const b = answer.body;
    if (o.json) {
      io.out(JSON.stringify(b, null, 2));
      return answer.status === 200 ? 0 : 1;
    }
    io.out(`${answer.status === 200 ? "ok" : "NOT OK"} (${answer.status})`);
    const problems = (b.problems as { code: string; names?: string[]; name?: string }[]) ?? [];
    for (const p of problems) {
      const names = p.names ?? (p.name ? [p.name] : []);
      io.out(`  problem: ${p.code ?? "?"}${names.length ? ` (${names.join(", ")})` : ""}`);
    }
    const warnings = (b.warnings as { code?: string; names?: string[]; name?: string }[]) ?? [];
    for (const w of warnings) {
      const names = w.names ?? (w.name ? [w.name] : []);
      io.out(`  warning: ${w.code ?? "?"}${names.length ? ` (${names.join(", ")})` : ""}`);
    }
    if (b.deliveries && typeof b.deliveries === "object") {
      const counts = Object.entries(b.deliveries as Record<string, unknown>)
        .map(([k, v]) => `${k} ${String(v)}`)
        .join(", ");
      io.out(`  deliveries: ${counts}`);
    } else if (!target.token) {
      io.out("  (the public /health: set ADMIN_TOKEN for the counts per delivery state)");
    }
    return answer.status === 200 ? 0 : 1;
  },
};

/** At most this many rounds of `--all` (the API lists 500 at a time): 10,000 inquiries. */
const MAX_ROUNDS = 20;

async function requeue(
  { args, o, api, io, target }: Run,
  action: "retry" | "dismiss",
  field: string,
  done: string,
): Promise<number> {
  const post = async (ids: string[]) => {
    const answer = await expectOk(
      api,
      await api("POST", `/admin/deliveries/${action}`, { ids }),
      action,
    );
    return Number(answer.body[field]);
  };
  let changed = 0;
  let asked = 0;
  if (o.all) {
    // The list holds at most 500; those handled leave it, so ask again until
    // it is empty. An id seen before (failed again meanwhile) is not redone.
    const seen = new Set<string>();
    for (let round = 0; ; round++) {
      const list = await expectOk(api, await api("GET", "/admin/deliveries"), "deliveries");
      const fresh = (list.body.deliveries as { id: string }[])
        .map((d) => d.id)
        .filter((id) => !seen.has(id));
      if (fresh.length === 0) break;
      if (round === MAX_ROUNDS) {
        io.out(
          `stopped after ${asked}: more failed or bounced deliveries remain; run the command again`,
        );
        break;
      }
      fresh.forEach((id) => seen.add(id));
      changed += await post(fresh);
      asked += fresh.length;
    }
    if (asked === 0) {
      io.out("no failed or bounced deliveries");
      return 0;
    }
  } else {
    need(args, 1, `${action} <id>… | ${action} --all`);
    args.forEach(checkId);
    changed = await post(args);
    asked = args.length;
  }
  io.out(`${changed} of ${asked} ${done}`);
  if (changed < asked) {
    io.out("(the others were not failed, bounced or quarantined, or do not exist)");
  }
  if (action === "retry" && changed > 0) io.out(whenSent(target));
  return 0;
}

/** When a requeued mail goes out: the cron's next run (wrangler.toml), which dev does not fire. */
function whenSent(target: Target): string {
  const host = new URL(target.url).hostname;
  const local = ["localhost", "127.0.0.1", "[::1]"].includes(host);
  return local
    ? "They go out at the next scheduled run, which `npm run dev` does not fire by itself: " +
        `curl "${target.url}/cdn-cgi/local/scheduled"`
    : "They go out at the next scheduled run (every 5 minutes with wrangler.toml's cron).";
}

/** "1 inquiry", "2 inquiries". */
function inquiriesN(n: number): string {
  return `${n} ${n === 1 ? "inquiry" : "inquiries"}`;
}
