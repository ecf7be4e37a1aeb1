import { beforeEach, describe, expect, it } from "vitest";
import { MAX_NAME_BYTES, readEntry, readZip } from "../src/inquiry/zip-archive.ts";
import { concat, samples, sharedLocalHeaderZip, zip } from "./file-samples.ts";
import { countInquiries, file, installFakes, submit, validFields } from "./helpers.ts";

beforeEach(() => {
  installFakes();
});

/** POST /inquiry with `bytes` as the attachment: the status and the file's error code. */
async function upload(bytes: Uint8Array, name: string) {
  const res = await submit({ ...validFields(), attachment: file(bytes, name, "application/zip") });
  const body = (await res.json()) as { errors?: { code: string }[] };
  return { status: res.status, code: body.errors?.[0]?.code };
}

describe("archive reader bounds (the review's hostile ZIPs, through POST /inquiry)", () => {
  it.each([1_000, 10_000])(
    "%i directory entries sharing one local header with a 64 KiB name: 422, and the next inquiry is served",
    async (entries) => {
      const before = await countInquiries();
      const hostile = sharedLocalHeaderZip(entries);
      expect(await upload(hostile, "parts.zip")).toEqual({
        status: 422,
        code: "file_archive_unreadable",
      });
      // The same bytes behind a PDF: a second format in one file.
      expect(await upload(concat(samples.pdf(), hostile), "offer.pdf")).toEqual({
        status: 422,
        code: "file_hidden_content",
      });
      expect(await countInquiries()).toBe(before);
      const next = await submit(validFields());
      expect(next.status).toBe(201);
    },
  );

  it("shared local headers are refused before a name is read: the reader's answer holds no names", () => {
    expect(readZip(sharedLocalHeaderZip(2, 10))).toEqual({ state: "unreadable" });
  });

  it("a name longer than any file system takes is unreadable; one at the bound is read", () => {
    const at = zip([{ name: "a".repeat(MAX_NAME_BYTES - 4) + ".txt", data: "x" }]);
    const over = zip([{ name: "a".repeat(MAX_NAME_BYTES) + ".txt", data: "x" }]);
    expect(readZip(at).state).toBe("found");
    expect(readZip(over)).toEqual({ state: "unreadable" });
  });

  it("the names of one archive are decoded within one budget: 300 entries of 4 KiB names are too many", async () => {
    const many = zip(
      Array.from({ length: 300 }, (_, i) => ({
        name: `${String(i).padStart(4, "0")}${"n".repeat(4000)}.txt`,
        data: "x",
      })),
    );
    expect(readZip(many)).toEqual({ state: "unreadable" });
    expect(await upload(many, "names.zip")).toEqual({
      status: 422,
      code: "file_archive_unreadable",
    });
    // Ordinary archives stay well inside it: 2,000 entries of 60-byte paths.
    const ordinary = zip(
      Array.from({ length: 2000 }, (_, i) => ({
        name: `drawings/part-${String(i).padStart(5, "0")}-revision-b-final-version.txt`,
        data: "x",
      })),
    );
    expect(readZip(ordinary).state).toBe("found");
  });
});

/** Raw deflate (RFC 1951) of `bytes` zero bytes, made in 1 MiB pieces. */
async function deflatedZeros(bytes: number): Promise<Uint8Array> {
  const piece = new Uint8Array(1024 * 1024);
  let left = bytes;
  const source = new ReadableStream<Uint8Array>({
    pull(c) {
      if (left <= 0) return c.close();
      c.enqueue(piece.subarray(0, Math.min(left, piece.length)));
      left -= piece.length;
    },
  });
  return new Uint8Array(
    await new Response(source.pipeThrough(new CompressionStream("deflate-raw"))).arrayBuffer(),
  );
}

describe("the macro check inflates [Content_Types].xml only up to its cap", () => {
  // A [Content_Types].xml of ~250 KB that inflates to 250 MB, declaring itself small.
  const bomb = deflatedZeros(250 * 1024 * 1024).then((deflated) =>
    zip([
      { name: "[Content_Types].xml", data: "x", deflated, declaredSize: 4000 },
      { name: "word/document.xml", data: "<w:document/>" },
    ]),
  );

  it("is refused as unreadable through POST /inquiry, and the next inquiry is served", async () => {
    expect(await upload(await bomb, "offer.docx")).toEqual({
      status: 422,
      code: "file_archive_unreadable",
    });
    expect((await submit(validFields())).status).toBe(201);
  });

  it("the inflater is fed in slices and no more once the cap is passed", async () => {
    const archive = await bomb;
    const read = readZip(archive);
    if (read.state !== "found") throw new Error("the bomb must read as an archive");
    const entry = read.directory.entries[0]!;
    let fed = 0;
    // The real inflater, its input counted as each write reaches it.
    const counting = () => {
      const inflater = new DecompressionStream("deflate-raw");
      const into = inflater.writable.getWriter();
      const writable = new WritableStream<BufferSource>(
        {
          write(chunk) {
            fed += chunk.byteLength;
            return into.write(chunk);
          },
          close: () => into.close(),
          abort: (why) => into.abort(why),
        },
        { highWaterMark: 1 },
      );
      return { writable, readable: inflater.readable };
    };
    expect(await readEntry(archive, entry, 256 * 1024, counting)).toBeNull();
    // The inflater hands its output over in small pieces as it is read, taking
    // input as it goes: feeding stops at the cap, after a small part of the entry.
    expect(fed).toBeGreaterThan(0);
    expect(fed).toBeLessThanOrEqual(64 * 1024);
    expect(entry.compressed).toBeGreaterThan(200_000);
    // An honest entry still reads whole through the same slicing.
    const text = "<Types>" + "<Default/>".repeat(5000) + "</Types>";
    const honest = zip([
      {
        name: "[Content_Types].xml",
        data: text,
        deflated: new Uint8Array(
          await new Response(
            new Blob([text]).stream().pipeThrough(new CompressionStream("deflate-raw")),
          ).arrayBuffer(),
        ),
      },
    ]);
    const h = readZip(honest);
    if (h.state !== "found") throw new Error("an honest archive must read");
    const bytes = await readEntry(honest, h.directory.entries[0]!, 256 * 1024);
    expect(new TextDecoder().decode(bytes!)).toBe(text);
  });
});
