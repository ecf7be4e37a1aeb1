import { env } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import {
  call,
  countInquiries,
  file,
  type Fakes,
  installFakes,
  sha256Hex,
  storedRow,
  submit,
  validFields,
} from "./helpers.ts";
import { FakeResend } from "./fakes/resend.ts";
import {
  bin,
  concat,
  deflateRaw,
  exe,
  samples,
  stlBinary,
  unicodePathExtra,
  utf16,
  withHiddenBeforeDirectory,
  withOverlappingEntry,
  zip,
  type SampleKind,
} from "./file-samples.ts";

beforeEach(() => {
  installFakes();
});

// Keep the file in R2 so the tests can look at it: without an API key the mail waits.
const KEEP = { RESEND_API_KEY: "" };

const expected: Record<SampleKind, [type: string, ext: string]> = {
  pdf: ["application/pdf", "pdf"],
  png: ["image/png", "png"],
  jpeg: ["image/jpeg", "jpg"],
  webp: ["image/webp", "webp"],
  gif: ["image/gif", "gif"],
  docx: ["application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"],
  xlsx: ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"],
  pptx: ["application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx"],
  odt: ["application/vnd.oasis.opendocument.text", "odt"],
  ods: ["application/vnd.oasis.opendocument.spreadsheet", "ods"],
  zip: ["application/zip", "zip"],
  dwg: ["image/vnd.dwg", "dwg"],
  dxf: ["image/vnd.dxf", "dxf"],
  step: ["model/step", "step"],
  iges: ["model/iges", "igs"],
  stl: ["model/stl", "stl"],
  stlBinary: ["model/stl", "stl"],
  txt: ["text/plain", "txt"],
};

async function fieldError(res: Response) {
  expect(res.status).toBe(422);
  const body = (await res.json()) as { errors: { field: string; code: string; message: string }[] };
  return body.errors;
}

describe("attachments are judged by their content", () => {
  it.each(Object.keys(samples) as SampleKind[])("accepts %s and stores it in R2", async (kind) => {
    const bytes = samples[kind]();
    const [type, ext] = expected[kind];
    // Name and declared type say nothing true: only the bytes count.
    const res = await submit(
      { ...validFields(), attachment: file(bytes, "upload.bin", "application/x-unknown") },
      {},
      KEEP,
    );
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const row = await storedRow(id);
    expect(row).toMatchObject({
      attachment_name: `upload.${ext}`,
      attachment_type: type,
      attachment_size: bytes.length,
      attachment_sha256: await sha256Hex(bytes),
    });
    const object = await env.ATTACHMENTS.get(row!.attachment_key!);
    expect(new Uint8Array(await object!.arrayBuffer())).toEqual(bytes);
    expect(object!.httpMetadata?.contentType).toBe(type);
  });

  it("keeps a matching extension and the visitor's file name", async () => {
    const res = await submit(
      { ...validFields(), attachment: file(samples.step(), "Ohišje v3.stp") },
      {},
      KEEP,
    );
    const { id } = (await res.json()) as { id: string };
    expect((await storedRow(id))?.attachment_name).toBe("Ohišje v3.stp");
  });

  it("refuses an executable renamed .pdf and declared as a PDF", async () => {
    const before = await countInquiries();
    const res = await submit({
      ...validFields(),
      _lang: "en",
      attachment: file(exe(), "ponudba.pdf", "application/pdf"),
    });
    expect(await fieldError(res)).toEqual([
      {
        field: "attachment",
        code: "file_type_not_allowed",
        message: expect.stringContaining("PDF"),
      },
    ]);
    expect(await countInquiries()).toBe(before);
  });

  it("treats a PNG declared as a PDF as the PNG it is", async () => {
    const png = file(samples.png(), "drawing.pdf", "application/pdf");
    // Only PDFs allowed: the PNG's claim to be a PDF does not get it in.
    const onlyPdf = await submit(
      { ...validFields(), attachment: png },
      {},
      { ATTACHMENT_TYPES: "pdf" },
    );
    expect((await fieldError(onlyPdf))[0]?.code).toBe("file_type_not_allowed");
    // PNGs allowed: stored as a PNG, under a name that says so.
    const res = await submit({ ...validFields(), attachment: png }, {}, KEEP);
    const { id } = (await res.json()) as { id: string };
    expect(await storedRow(id)).toMatchObject({
      attachment_type: "image/png",
      attachment_name: "drawing.png",
    });
  });

  it.each([
    ["binary junk", new Uint8Array([0, 1, 2, 3, 254, 255, 0, 0]), "file_type_not_allowed"],
    [
      "an ELF binary",
      concat(bin("\x7fELF\x02\x01\x01"), new Uint8Array(100)),
      "file_type_not_allowed",
    ],
    ["a text file with a NUL byte", concat("hello\0world"), "file_type_not_allowed"],
    // Text in a legacy code page: the visitor can save it again as UTF-8.
    ["invalid UTF-8 text", bin("caf\xe9 au lait"), "file_text_encoding"],
    [
      "a ZIP whose directory is cut off",
      zip([{ name: "a.txt", data: "a" }]).slice(0, 40),
      "file_archive_unreadable",
    ],
  ])("refuses %s", async (_label, bytes, code) => {
    const before = await countInquiries();
    const res = await submit({
      ...validFields(),
      attachment: file(bytes, "file.txt", "text/plain"),
    });
    expect((await fieldError(res))[0]?.code).toBe(code);
    expect(await countInquiries()).toBe(before);
  });

  it("honours ATTACHMENT_TYPES", async () => {
    const vars = { ATTACHMENT_TYPES: "pdf,step", ...KEEP };
    const step = await submit(
      { ...validFields(), attachment: file(samples.step(), "a.step") },
      {},
      vars,
    );
    expect(step.status).toBe(201);
    const docx = await submit(
      { ...validFields(), _lang: "sl", attachment: file(samples.docx(), "a.docx") },
      {},
      vars,
    );
    const [err] = await fieldError(docx);
    expect(err).toMatchObject({ code: "file_type_not_allowed" });
    expect(err?.message).toBe("Te vrste datoteke ne sprejemamo. Dovoljene vrste: PDF, STEP.");
  });
});

describe("attachment edge cases", () => {
  it("an empty file input counts as no attachment", async () => {
    const res = await submit({
      ...validFields(),
      attachment: new File([], "", { type: "application/octet-stream" }),
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    expect((await storedRow(id))?.attachment_name).toBeNull();
  });

  it("an empty file with a name is refused as empty", async () => {
    const res = await submit({ ...validFields(), attachment: file(new Uint8Array(), "empty.pdf") });
    expect((await fieldError(res))[0]?.code).toBe("file_empty");
  });

  it("a second file is a validation error, not a silent pick", async () => {
    const res = await submit({
      ...validFields(),
      attachment: [file(samples.pdf(), "a.pdf"), file(samples.png(), "b.png")],
    });
    expect(await fieldError(res)).toEqual([
      { field: "attachment", code: "too_many_files", message: expect.any(String) },
    ]);
  });

  it("an attachment over MAX_ATTACHMENT_BYTES is refused with the limit in the message", async () => {
    const vars = { MAX_ATTACHMENT_BYTES: "2048" };
    const big = new Uint8Array(4096).fill(0x41);
    const res = await submit(
      { ...validFields(), _lang: "en", attachment: file(big, "big.txt") },
      {},
      vars,
    );
    expect(await fieldError(res)).toEqual([
      {
        field: "attachment",
        code: "file_too_large",
        message: "The attachment is too large (at most 2 KB).",
      },
    ]);
  });

  it("a body far over the limit is 413", async () => {
    const vars = { MAX_ATTACHMENT_BYTES: "1024" };
    const huge = new Uint8Array(400 * 1024).fill(0x41);
    const res = await submit({ ...validFields(), attachment: file(huge, "huge.txt") }, {}, vars);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { code: string }).code).toBe("payload_too_large");
  });

  it("a file in a JSON or urlencoded body is refused", async () => {
    const json = await submit(
      { ...validFields(), attachment: "JVBERi0xLjc=" },
      { encoding: "json" },
    );
    expect((await fieldError(json))[0]).toMatchObject({
      field: "attachment",
      code: "invalid_value",
    });
  });

  it("makes hostile file names safe", async () => {
    const cases: [string, string][] = [
      ["../../etc/passwd.pdf", "passwd.pdf"],
      ["C:\\Users\\ana\\ponudba.pdf", "ponudba.pdf"],
      ["invoice\u202Efdp.exe", "invoice_fdp.pdf"],
      ["tab\there\u0007.pdf", "tab_here_.pdf"],
      ["CON.pdf", "attachment_CON.pdf"],
      ["../\u202E", "attachment.pdf"],
      [`${"ž".repeat(300)}.pdf`, `${"ž".repeat(96)}.pdf`],
    ];
    for (const [name, safe] of cases) {
      const res = await submit(
        { ...validFields(), attachment: file(samples.pdf(), name) },
        {},
        KEEP,
      );
      expect(res.status, name).toBe(201);
      const { id } = (await res.json()) as { id: string };
      expect((await storedRow(id))?.attachment_name, name).toBe(safe);
    }
  });
});

/** What the staff received for inquiry `id`: the mail's attachment at the fake Resend. */
function mailedAttachment(fakes: Fakes, id: string) {
  const mail = fakes.resend.emails.find((e) => e.idempotencyKey === `inquiry-${id}`);
  expect(mail, "a mail for the inquiry").toBeDefined();
  return mail!.body.attachments?.[0];
}

describe("a file that makes a pattern backtrack cannot stall the worker", () => {
  it("answers the 60-line DXF-comment file while a parallel /health is answered", async () => {
    const fakes = installFakes();
    // Exponential for the old DXF pattern: 30 lines took 16.8 s, 60 would take years.
    const bytes = concat(`${"999\r\nx\r\n".repeat(60)}1`);
    const started = Date.now();
    const [res, health] = await Promise.all([
      submit({ ...validFields(), attachment: file(bytes, "drawing.dxf") }),
      call(new Request("https://forms.example.com/health")),
    ]);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(health.status).toBe(200);
    // Not a DXF (no SECTION follows the comments): it is plain text, and mailed as such.
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    expect(await storedRow(id)).toMatchObject({
      attachment_name: "drawing.txt",
      attachment_type: "text/plain",
    });
    expect(mailedAttachment(fakes, id)?.filename).toBe("drawing.txt");
  });

  it("still reads a DXF that opens with comments", async () => {
    const bytes = concat(
      "999\r\nexported by CAD\r\n999\nsecond\n  0\r\nSECTION\r\n  2\r\nHEADER\r\n",
    );
    const res = await submit({ ...validFields(), attachment: file(bytes, "a.dxf") }, {}, KEEP);
    const { id } = (await res.json()) as { id: string };
    expect((await storedRow(id))?.attachment_type).toBe("image/vnd.dxf");
  });
});

const png = samples.png;
const exeEntry = (name: string) => ({ name, data: exe() });

/**
 * Files that would reach the staff under a name or type that runs: each is
 * refused with a code that says why, nothing is stored and nothing is mailed.
 */
describe("nothing that runs on a double-click reaches the staff", () => {
  const refused: [label: string, bytes: () => Uint8Array, code: string][] = [
    [
      "a ZIP entry 'setup.exe.' (Windows drops the dot)",
      () => zip([exeEntry("setup.exe.")]),
      "file_archive_program",
    ],
    [
      "a ZIP entry 'setup.exe ' (Windows drops the space)",
      () => zip([exeEntry("setup.exe ")]),
      "file_archive_program",
    ],
    [
      "a ZIP entry 'setup.exe\\0.txt' (C tools stop at NUL)",
      () => zip([exeEntry("setup.exe\0.txt")]),
      "file_archive_program",
    ],
    [
      "a harmless name with a Unicode Path extra field naming setup.exe",
      () =>
        zip([{ ...exeEntry("readme.txt"), extra: unicodePathExtra("readme.txt", "setup.exe") }]),
      "file_archive_program",
    ],
    [
      "a local header naming setup.exe under a harmless central name",
      () => zip([{ ...exeEntry("readme.txt"), localName: "setup.exe" }]),
      "file_archive_program",
    ],
    [
      "a nested inner.zip holding setup.exe",
      () => zip([{ name: "inner.zip", data: zip([exeEntry("setup.exe")]) }]),
      "file_archive_program",
    ],
    [
      "a ZIP holding offer.docm",
      () => zip([{ name: "offer.docm", data: samples.docx() }]),
      "file_archive_program",
    ],
    [
      "a ZIP holding invoice.url",
      () => zip([{ name: "invoice.url", data: "[InternetShortcut]\r\nURL=file://x/y.exe\r\n" }]),
      "file_archive_program",
    ],
    [
      "a ZIP holding invoice.lnk",
      () => zip([{ name: "docs/invoice.lnk", data: "L\0\0\0" }]),
      "file_archive_program",
    ],
    [
      "a ZIP holding a .scf",
      () => zip([{ name: "a.scf", data: "[Shell]\r\nCommand=2\r\n" }]),
      "file_archive_program",
    ],
    [
      "a ZIP holding an .hta",
      () => zip([{ name: "a.hta", data: "<script>x</script>" }]),
      "file_archive_program",
    ],
    [
      "a ZIP holding a .js",
      () => zip([{ name: "a\\b\\run.JS", data: "WScript.Echo(1)" }]),
      "file_archive_program",
    ],
    [
      "a ZIP holding a macOS app bundle",
      () => zip([{ name: "Viewer.app/Contents/MacOS/Viewer", data: exe() }]),
      "file_archive_program",
    ],
    [
      "a ZIP holding a Unix executable without extension",
      () => zip([{ name: "drawings/open-me", data: "#!/bin/sh\necho hi\n", unixMode: 0o100755 }]),
      "file_archive_program",
    ],
    [
      "a ZIP holding a symbolic link",
      () => zip([{ name: "link.pdf", data: "/etc/passwd", unixMode: 0o120777 }]),
      "file_archive_program",
    ],
    [
      "a ZIP hiding a local setup.exe its directory does not list",
      () => {
        const hidden = zip([exeEntry("setup.exe")]);
        return withHiddenBeforeDirectory(
          zip([{ name: "a.txt", data: "a" }]),
          hidden.subarray(0, 30 + 9 + 512),
        );
      },
      "file_archive_unreadable",
    ],
    [
      "a ZIP whose two entries share one local header",
      () => withOverlappingEntry(zip([{ name: "a.txt", data: "a" }])),
      "file_archive_unreadable",
    ],
    [
      "an encrypted ZIP",
      () => zip([{ name: "a.pdf", data: "x", encrypted: true }]),
      "file_archive_unreadable",
    ],
    [
      "a DOCX carrying VBA macros",
      () =>
        zip([
          { name: "[Content_Types].xml", data: "<Types/>" },
          { name: "word/document.xml", data: "<w:document/>" },
          { name: "word/vbaProject.bin", data: "\xd0\xcf\x11\xe0" },
        ]),
      "file_has_macros",
    ],
    [
      "an XLSX carrying an Excel 4.0 macro sheet",
      () =>
        zip([
          { name: "[Content_Types].xml", data: "<Types/>" },
          { name: "xl/workbook.xml", data: "<workbook/>" },
          { name: "xl/macrosheets/sheet1.xml", data: "<xm:macrosheet/>" },
        ]),
      "file_has_macros",
    ],
    [
      "an ODT carrying a Basic macro",
      () =>
        zip([
          { name: "mimetype", data: "application/vnd.oasis.opendocument.text" },
          { name: "content.xml", data: "<office:document-content/>" },
          { name: "Basic/Standard/Module1.xml", data: "<script:module/>" },
        ]),
      "file_has_macros",
    ],
    [
      "an ODS carrying a script",
      () =>
        zip([
          { name: "mimetype", data: "application/vnd.oasis.opendocument.spreadsheet" },
          { name: "content.xml", data: "<office:document-content/>" },
          { name: "Scripts/python/run.py", data: "import os" },
        ]),
      "file_has_macros",
    ],
    [
      "a DOCX with a program among its parts",
      () =>
        zip([
          { name: "[Content_Types].xml", data: "<Types/>" },
          { name: "word/document.xml", data: "<w:document/>" },
          exeEntry("word/media/setup.exe"),
        ]),
      "file_archive_program",
    ],
    [
      "a PNG with a ZIP holding setup.exe appended",
      () => concat(png(), zip([exeEntry("setup.exe")])),
      "file_hidden_content",
    ],
    [
      "a PNG with a ZIP appended whose end record is stripped",
      () => concat(png(), zip([exeEntry("setup.exe")]).slice(0, 600)),
      "file_hidden_content",
    ],
    [
      "a JPEG with a ZIP appended",
      () => concat(samples.jpeg(), zip([exeEntry("a.exe")])),
      "file_hidden_content",
    ],
    [
      "a GIF with a ZIP appended",
      () => concat(samples.gif(), zip([exeEntry("a.exe")])),
      "file_hidden_content",
    ],
    [
      "a PDF with a ZIP appended",
      () => concat(samples.pdf(), zip([exeEntry("a.exe")])),
      "file_hidden_content",
    ],
    [
      "a text file with a ZIP appended",
      () => concat(samples.txt(), zip([{ name: "a.txt", data: "a" }])),
      "file_type_not_allowed",
    ],
    [
      "an executable padded to 84 + 50n bytes with the matching count",
      () => {
        const b = new Uint8Array(84 + 50 * 20);
        b.set(exe().subarray(0, 80), 0);
        new DataView(b.buffer).setUint32(80, 20, true);
        b.set(exe().subarray(0, 50), 84);
        return b;
      },
      "file_type_not_allowed",
    ],
    [
      "random bytes of 84 + 50n bytes with the matching count",
      () => {
        const b = Uint8Array.from({ length: 84 + 50 * 40 }, (_, i) => (i * 7919 + 13) % 251);
        new DataView(b.buffer).setUint32(80, 40, true);
        return b;
      },
      "file_type_not_allowed",
    ],
    [
      "zeros of 84 + 50n bytes with the matching count",
      () => {
        const b = new Uint8Array(84 + 50 * 40);
        new DataView(b.buffer).setUint32(80, 40, true);
        return b;
      },
      "file_type_not_allowed",
    ],
    [
      "an executable with %PDF- in its first kilobyte",
      () => concat(exe().subarray(0, 200), samples.pdf()),
      "file_type_not_allowed",
    ],
  ];

  it.each(refused)("refuses %s", async (_label, bytes, code) => {
    const fakes = installFakes();
    const before = await countInquiries();
    const res = await submit({
      ...validFields(),
      _lang: "en",
      attachment: file(bytes(), "upload.zip"),
    });
    const [err, ...more] = await fieldError(res);
    expect(more).toEqual([]);
    expect(err).toMatchObject({ field: "attachment", code });
    expect(err!.message).not.toMatch(/\{\w+\}/);
    expect(await countInquiries()).toBe(before);
    expect(fakes.resend.requests).toHaveLength(0);
  });

  it("names the reason in Slovenian too", async () => {
    const res = await submit({
      ...validFields(),
      _lang: "sl",
      attachment: file(zip([exeEntry("setup.exe.")]), "risbe.zip"),
    });
    expect((await fieldError(res))[0]?.message).toMatch(/^Arhiv vsebuje program/);
  });

  it("says only that the type is not accepted where that kind is not accepted anyway", async () => {
    const res = await submit(
      { ...validFields(), _lang: "en", attachment: file(zip([exeEntry("a.exe")]), "a.zip") },
      {},
      { ATTACHMENT_TYPES: "pdf,png" },
    );
    expect((await fieldError(res))[0]).toMatchObject({
      code: "file_type_not_allowed",
      message: "This type of file is not accepted. Allowed types: PDF, PNG.",
    });
  });

  // What is accepted reaches the staff under a name of its real kind, and the
  // mail carries exactly that name and type.
  const accepted: [
    label: string,
    bytes: () => Uint8Array,
    sent: string,
    name: string,
    type: string,
  ][] = [
    [
      "a ZIP of drawings, a DOCX and a PDF",
      () =>
        zip([
          { name: "risbe/", data: "" },
          { name: "risbe/ohišje.step", data: samples.step() },
          { name: "risbe/ponudba.docx", data: samples.docx() },
          { name: "risbe/načrt.pdf", data: samples.pdf() },
          { name: "README", data: "see drawings", unixMode: 0o100644 },
        ]),
      "risbe.zip",
      "risbe.zip",
      "application/zip",
    ],
    [
      "a DOCX named offer.docm",
      () => samples.docx(),
      "offer.docm",
      "offer.docx",
      "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ],
    [
      "a text file named invoice.url",
      () => concat("[InternetShortcut]\r\nURL=https://example.com/\r\n"),
      "invoice.url",
      "invoice.txt",
      "text/plain",
    ],
    [
      "a PDF named setup.exe.pdf",
      () => samples.pdf(),
      "setup.exe.pdf",
      "setup_exe.pdf",
      "application/pdf",
    ],
    ["a PDF named setup.exe", () => samples.pdf(), "setup.exe", "setup.pdf", "application/pdf"],
    ["a PNG named photo.png.lnk", () => png(), "photo.png.lnk", "photo.png", "image/png"],
    [
      "an ODT whose library index lists no code",
      () =>
        zip([
          { name: "mimetype", data: "application/vnd.oasis.opendocument.text" },
          { name: "content.xml", data: "<office:document-content/>" },
          { name: "Basic/script-lc.xml", data: "<library:libraries/>" },
          { name: "Basic/Standard/script-lb.xml", data: "<library:library/>" },
        ]),
      "pismo.odt",
      "pismo.odt",
      "application/vnd.oasis.opendocument.text",
    ],
    ["a real binary STL", () => samples.stlBinary(), "part.stl", "part.stl", "model/stl"],
    [
      "a binary STL with unscaled normals, as numpy-stl writes them",
      () =>
        stlBinary([
          [
            [0, 0, 200],
            [0, 0, 0],
            [20, 0, 0],
            [20, 10, 0],
          ],
          [
            [0, 0, -200],
            [0, 0, 0],
            [0, 10, 0],
            [20, 10, 0],
          ],
        ]),
      "part.stl",
      "part.stl",
      "model/stl",
    ],
    [
      "a ZIP whose files are all marked executable, as copied from a USB stick",
      () =>
        zip([
          { name: "risbe/ohišje.step", data: samples.step(), unixMode: 0o100777 },
          { name: "risbe/načrt.pdf", data: samples.pdf(), unixMode: 0o100755 },
          { name: "risbe/", data: "", unixMode: 0o040755 },
        ]),
      "risbe.zip",
      "risbe.zip",
      "application/zip",
    ],
  ];

  it.each(accepted)("accepts %s", async (_label, bytes, sent, name, type) => {
    const fakes = installFakes();
    const content = bytes();
    const res = await submit({ ...validFields(), attachment: file(content, sent) });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    expect(await storedRow(id)).toMatchObject({ attachment_name: name, attachment_type: type });
    const mailed = mailedAttachment(fakes, id);
    expect(mailed).toMatchObject({ filename: name });
    expect(mailed?.content_type ?? type).toBe(type);
  });
});

/** Files as the programs that make and open them really write them. */
describe("attachments their readers open are accepted", () => {
  const cases: [
    label: string,
    bytes: () => Uint8Array,
    sent: string,
    name: string,
    type: string,
  ][] = [
    [
      "a PDF with CRLF before %PDF-",
      () => concat("\r\n", samples.pdf()),
      "ponudba.pdf",
      "ponudba.pdf",
      "application/pdf",
    ],
    [
      "a PDF with 900 bytes of junk before %PDF-",
      () => concat("x".repeat(900), samples.pdf()),
      "a.pdf",
      "a.pdf",
      "application/pdf",
    ],
    [
      "a UTF-16 LE text with a BOM",
      () => utf16("Mere: 120 × 80 mm\r\nKoličina: 200\r\n", "le"),
      "mere.txt",
      "mere.txt",
      "text/plain",
    ],
    [
      "a UTF-16 BE text with a BOM",
      () => utf16("Menge: 200 Stück\n", "be"),
      "menge.txt",
      "menge.txt",
      "text/plain",
    ],
    [
      "a UTF-8 text with a BOM",
      () => concat("\ufeffČrke: č š ž\n"),
      "crke.txt",
      "crke.txt",
      "text/plain",
    ],
    [
      "a text with a vertical tab and a form feed",
      () => concat("line one\vline two\fpage two\n"),
      "a.txt",
      "a.txt",
      "text/plain",
    ],
    [
      "a UTF-8 text longer than the sniffer's window",
      () => concat("Številka; opis; količina\r\n".repeat(6000)),
      "list.txt",
      "list.txt",
      "text/plain",
    ],
  ];

  it.each(cases)("accepts %s", async (_label, bytes, sent, name, type) => {
    const fakes = installFakes();
    const content = bytes();
    const res = await submit({ ...validFields(), attachment: file(content, sent) });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    expect(await storedRow(id)).toMatchObject({
      attachment_name: name,
      attachment_type: type,
      attachment_sha256: await sha256Hex(content),
    });
    const mail = fakes.resend.emails.find((e) => e.idempotencyKey === `inquiry-${id}`)!;
    expect(mailedAttachment(fakes, id)?.filename).toBe(name);
    // The staff get the file byte for byte, as the visitor's program wrote it.
    expect(await sha256Hex(FakeResend.attachmentBytes(mail))).toBe(await sha256Hex(content));
  });

  it.each([
    ["a Windows-1250 text", () => bin("Koli\xe8ina: 200 kosov\r\n")],
    ["a UTF-16 text without its BOM", () => utf16("Quantity: 200\r\n", "le").subarray(2)],
  ])("refuses %s and says to save it as UTF-8", async (_label, bytes) => {
    const res = await submit({ ...validFields(), _lang: "en", attachment: file(bytes(), "a.txt") });
    expect((await fieldError(res))[0]).toMatchObject({
      code: "file_text_encoding",
      message: expect.stringContaining("Save it as UTF-8"),
    });
  });

  it("refuses a text whose end is binary", async () => {
    const bytes = concat("text\n".repeat(20_000), new Uint8Array([0, 1, 2, 3]));
    const res = await submit({ ...validFields(), attachment: file(bytes, "a.txt") });
    expect((await fieldError(res))[0]?.code).toBe("file_type_not_allowed");
  });
});

describe("second review: what still ran on a double-click", () => {
  // Outlook's blocked-attachment list ("Blocked attachments in Outlook"), including the
  // entries a reviewer found accepted inside a ZIP.
  const outlookBlocked = (
    "msu wsb rdp search-ms searchConnector-ms appcontent-ms settingcontent-ms one onepkg iqy " +
    "slk mdb accdb mde accde ade adp mda mdw accda accdr mdt mdz vsmacros vsw udl theme " +
    "themepack deskthemepack cer crt der xht xhtml shtm shtml htc asp aspx hpj its bas pyzw " +
    "pyo pyc pyw xnk mcf grp prf pst library-ms diagcab xll xbap application gadget msh msh1 " +
    "msh2 mshxml msh1xml msh2xml ps1xml ps2 ps2xml psc1 psc2 psd1 psdm1 psm1 jnlp jar cpl inf " +
    "ins isp reg sct shb shs wsc wsf wsh appref-ms printerexport pssc cdxml tmp asx bgi cnt " +
    "fxp mad maf mag mam maq mar mas mat mau mav maw ops osd pcd plg prg vbp webpnp"
  ).split(" ");

  it("refuses every type on Outlook's blocked list inside a ZIP", async () => {
    const accepted: string[] = [];
    for (const ext of outlookBlocked) {
      const res = await submit({
        ...validFields(),
        _lang: "en",
        attachment: file(zip([{ name: `f.${ext}`, data: "x" }]), "f.zip"),
      });
      if (res.status !== 422) accepted.push(ext);
      else expect((await fieldError(res))[0]?.code, ext).toBe("file_archive_program");
    }
    expect(accepted).toEqual([]);
  });

  it("never lets a type on Outlook's blocked list show in the name the staff see", async () => {
    for (const ext of ["one", "wsb", "rdp", "settingcontent-ms", "cer", "accde", "iqy"]) {
      const res = await submit(
        { ...validFields(), attachment: file(samples.pdf(), `offer.${ext}.pdf`) },
        {},
        KEEP,
      );
      expect(res.status, ext).toBe(201);
      const { id } = (await res.json()) as { id: string };
      expect((await storedRow(id))?.attachment_name, ext).toBe(`offer_${ext}.pdf`);
    }
  });

  // Readers look for the end record further back than APPNOTE's 64 KiB + 22: Info-ZIP's
  // unzip still lists setup.exe behind 70 KiB of padding.
  const fronts: [string, () => Uint8Array][] = [
    ["JPEG", samples.jpeg],
    ["GIF", samples.gif],
    ["PDF", samples.pdf],
    ["WEBP", samples.webp],
    ["DWG", samples.dwg],
  ];
  const padded = (kib: number) => {
    const pad = new Uint8Array(kib * 1024);
    // Random-looking bytes without "P", so no end record hides in the padding itself.
    for (let i = 0; i < pad.length; i++) pad[i] = ((i * 2654435761) >>> 24) % 0x50;
    return pad;
  };
  it.each(fronts.flatMap(([label, make]) => [70, 200].map((kib) => [label, kib, make] as const)))(
    "refuses a %s with a ZIP holding setup.exe and %i KiB after it",
    async (_l, kib, make) => {
      const bytes = concat(make(), zip([exeEntry("setup.exe")]), padded(kib));
      const res = await submit({ ...validFields(), attachment: file(bytes, "photo.bin") });
      expect((await fieldError(res))[0]?.code).toBe("file_hidden_content");
    },
  );

  it("names Windows devices apart, after every trim and in every spelling", async () => {
    const cases: [string, string][] = [
      ["CON .pdf", "attachment_CON.pdf"],
      ["AUX .. .pdf", "attachment_AUX.pdf"],
      ["prn\u3000.pdf", "attachment_prn.pdf"],
      ["NUL\u00a0.pdf", "attachment_NUL.pdf"],
      ["com0.pdf", "attachment_com0.pdf"],
      ["LPT9.tar.pdf", "attachment_LPT9.tar.pdf"],
      ["CONIN$.pdf", "attachment_CONIN$.pdf"],
      ["conout$.pdf", "attachment_conout$.pdf"],
      ["CLOCK$.pdf", "attachment_CLOCK$.pdf"],
      ["console.pdf", "console.pdf"],
      ["COM10.pdf", "COM10.pdf"],
    ];
    for (const [name, safe] of cases) {
      const res = await submit(
        { ...validFields(), attachment: file(samples.pdf(), name) },
        {},
        KEEP,
      );
      expect(res.status, name).toBe(201);
      const { id } = (await res.json()) as { id: string };
      expect((await storedRow(id))?.attachment_name, name).toBe(safe);
    }
    // Superscript digits are device numbers too (kept or folded to plain digits, still apart).
    for (const name of ["COM\u00b9.pdf", "LPT\u00b2.pdf"]) {
      const res = await submit(
        { ...validFields(), attachment: file(samples.pdf(), name) },
        {},
        KEEP,
      );
      const { id } = (await res.json()) as { id: string };
      expect((await storedRow(id))?.attachment_name, name).toMatch(/^attachment_/);
    }
  });

  it("decodes an RFC 2047 name before taking its last path segment", async () => {
    // The base64 of "müller_ö_ß.pdf" holds two "/".
    const fakes = installFakes();
    const encoded = `=?UTF-8?B?${btoa(String.fromCharCode(...new TextEncoder().encode("müller_ö_ß.pdf")))}?=`;
    expect(encoded).toContain("/");
    const res = await submit({ ...validFields(), attachment: file(samples.pdf(), encoded) });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    expect((await storedRow(id))?.attachment_name).toBe("müller_ö_ß.pdf");
    expect(mailedAttachment(fakes, id)).toMatchObject({ filename: "müller_ö_ß.pdf" });
  });

  it.each([
    ["a ZIP entry that climbs out of the folder (zip-slip)", "../../Startup/readme.txt"],
    ["a ZIP entry with a Windows path climbing out", "docs\\..\\..\\readme.txt"],
    ["a ZIP entry with an absolute path", "/etc/profile.d/readme.txt"],
    ["a ZIP entry with a drive letter", "C:/Users/Public/readme.txt"],
    ["desktop.ini, which sets a folder's icon and handler", "risbe/desktop.ini"],
  ])("refuses %s", async (_label, name) => {
    const res = await submit({
      ...validFields(),
      attachment: file(zip([{ name, data: "x" }]), "risbe.zip"),
    });
    expect((await fieldError(res))[0]?.code).toBe("file_archive_program");
  });
});

describe("an Office document's declared content types", () => {
  const types = (overrides: string) =>
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
    '<Default Extension="xml" ContentType="application/xml"/>' +
    overrides +
    "</Types>";
  const docx = (contentTypes: string, deflated?: Uint8Array) =>
    zip([
      { name: "[Content_Types].xml", data: contentTypes, deflated },
      { name: "_rels/.rels", data: "<Relationships/>" },
      { name: "word/document.xml", data: "<w:document/>" },
      { name: "word/media/image9.bin", data: "Attribute VB_Name" },
    ]);
  const macroMain =
    '<Override PartName="/word/document.xml" ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/>';
  const renamedVba =
    '<Override PartName="/word/media/image9.bin" ContentType="application/vnd.ms-office.vbaProject"/>';
  const macroSheet =
    '<Override PartName="/word/a.xml" ContentType="application/vnd.ms-excel.macrosheet+xml"/>';

  it.each([
    ["a macro-enabled main part, stored", () => Promise.resolve(docx(types(macroMain)))],
    [
      "a macro-enabled main part, deflated",
      async () => docx(types(macroMain), await deflateRaw(types(macroMain))),
    ],
    [
      "a VBA project under another name, deflated",
      async () => docx(types(renamedVba), await deflateRaw(types(renamedVba))),
    ],
    ["an Excel 4.0 macro sheet", () => Promise.resolve(docx(types(macroSheet)))],
  ])("refuses %s", async (_label, make) => {
    const res = await submit({ ...validFields(), attachment: file(await make(), "offer.docx") });
    expect((await fieldError(res))[0]?.code).toBe("file_has_macros");
  });

  it("refuses content types that do not inflate as archive_unreadable", async () => {
    const res = await submit({
      ...validFields(),
      attachment: file(docx(types(""), new Uint8Array([0xff, 0xff, 0xff])), "offer.docx"),
    });
    expect((await fieldError(res))[0]?.code).toBe("file_archive_unreadable");
  });

  it("accepts a document whose deflated content types declare no macros", async () => {
    const fakes = installFakes();
    const res = await submit({
      ...validFields(),
      attachment: file(docx(types(""), await deflateRaw(types(""))), "offer.docx"),
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    expect(mailedAttachment(fakes, id)).toMatchObject({ filename: "offer.docx" });
  });
});
