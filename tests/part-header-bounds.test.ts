import { beforeEach, describe, expect, it } from "vitest";
import { MAX_PART_HEADER_BYTES } from "../src/inquiry/multipart.ts";
import { call, countInquiries, installFakes, submit, testIp, validFields } from "./helpers.ts";

beforeEach(() => {
  installFakes();
});

const B = "----bound";

/** A multipart body of the valid fields, each part's headers padded by `pad` bytes in a header of its own. */
function body(fields: Record<string, string>, pad: number, extra = ""): string {
  const parts = Object.entries(fields).map(
    ([k, v]) =>
      `--${B}\r\nContent-Disposition: form-data; name="${k}"${extra}\r\n` +
      (pad > 0 ? `X-Pad: ${"p".repeat(pad)}\r\n` : "") +
      `\r\n${v}\r\n`,
  );
  return parts.join("") + `--${B}--\r\n`;
}

async function post(payload: string, lang: "sl" | "en") {
  return call(
    new Request("https://forms.example.com/inquiry", {
      method: "POST",
      headers: {
        "content-type": `multipart/form-data; boundary=${B}`,
        accept: "application/json",
        "accept-language": lang,
        "cf-connecting-ip": testIp(),
      },
      body: payload,
    }),
  );
}

describe("a part's headers are capped at a few KiB (browsers send under 1 KiB)", () => {
  it("19 parts with 500 KB headers (a 9.5 MB body, under its limit): 413 in the visitor's language, nothing stored, the next one served", async () => {
    const before = await countInquiries();
    // The six fields of a valid inquiry and 13 more that are never stored (`_…`): 19 parts.
    const many = () =>
      Object.fromEntries([
        ...Object.entries(validFields()),
        ...Array.from({ length: 13 }, (_, i) => [`_x${i}`, "v"]),
      ]);
    const en = await post(body(many(), 500_000), "en");
    expect(en.status).toBe(413);
    const enBody = (await en.json()) as { code: string; message: string };
    expect(enBody.code).toBe("payload_too_large");
    const sl = await post(body(many(), 500_000), "sl");
    expect(sl.status).toBe(413);
    const slBody = (await sl.json()) as { code: string; message: string };
    expect(slBody.code).toBe("payload_too_large");
    expect(slBody.message).not.toBe(enBody.message);
    expect(await countInquiries()).toBe(before);
    expect((await submit(validFields())).status).toBe(201);
  });

  it("one header just over the cap is refused; headers of a couple of KiB are read as usual", async () => {
    expect(MAX_PART_HEADER_BYTES).toBeLessThanOrEqual(16 * 1024);
    const over = await post(body(validFields(), 16 * 1024), "en");
    expect(over.status).toBe(413);
    const ok = await post(body(validFields(), 2048), "en");
    expect(ok.status).toBe(201);
    // A 255-character file-name-like value percent-encoded as RFC 5987 allows: ~2.3 KiB.
    const long = `; filename*=UTF-8''${"%C5%A1".repeat(255)}`;
    const named = await post(body({ note: "x" }, 0, long) + "", "en");
    // Not a field of the form: a validation answer, not a refusal of the headers.
    expect(named.status).toBe(422);
  });
});
