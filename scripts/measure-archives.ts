// `npm run measure:archives`: what the hostile uploads of the third review cost
// the worker's own isolate under `wrangler dev` (local workerd), each beside an
// ordinary upload of the same size (a PDF), through POST /inquiry:
// - ZIPs whose 1,000 and 10,000 directory entries all point at one local
//   header with a 64 KiB name and a 64 KiB Unicode Path extra field: answered
//   4xx in under 1 s, the isolate's memory growing by under 16 MB, and the
//   next inquiry served;
// - a .docx whose [Content_Types].xml (about 250 KB) inflates to 250 MB, and
//   19 parts with 500 KB headers: the isolate's CPU within 3x the ordinary
//   upload's.
// CPU and memory come from the isolate over the inspector (scripts/lib/isolate-probe.ts).
// Exits non-zero when a bound is missed.
import { rmSync } from "node:fs";
import { deflateRawSync } from "node:zlib";
import { sharedLocalHeaderZip, zip } from "../tests/file-samples.ts";
import { startDev, type DevServer } from "./lib/dev-server.ts";
import { connectIsolate, type IsolateProbe } from "./lib/isolate-probe.ts";

process.env.X_LOCAL_OBSERVABILITY = "false";
const MB = 1024 * 1024;
const REPEAT = Number(process.env.REPEAT ?? 5);

let seq = 0;
const ip = () => {
  seq++;
  return `198.18.${(seq >> 8) & 255}.${seq & 255}`;
};

const FIELDS = {
  name: "Ana Novak",
  phone: "+386 41 123 456",
  service: "CNC machining",
  message: "Prosimo za ponudbo.",
};

/** A multipart body of the form's fields and `file`, every part's headers padded by `pad` bytes. */
function body(
  file: Uint8Array,
  fileName: string,
  pad = 0,
  extraParts = 0,
): Uint8Array<ArrayBuffer> {
  const b = "b0undary";
  const padding = pad > 0 ? `X-Pad: ${"p".repeat(pad)}\r\n` : "";
  const text = (name: string, value: string) =>
    `--${b}\r\nContent-Disposition: form-data; name="${name}"\r\n${padding}\r\n${value}\r\n`;
  const fields = { ...FIELDS, email: `ana.${++seq}@primer.si` };
  let head = Object.entries(fields)
    .map(([k, v]) => text(k, v))
    .join("");
  for (let i = 0; i < extraParts; i++) head += text(`_x${i}`, "v");
  head +=
    `--${b}\r\nContent-Disposition: form-data; name="attachment"; filename="${fileName}"\r\n` +
    `Content-Type: application/octet-stream\r\n\r\n`;
  const enc = new TextEncoder();
  const h = enc.encode(head);
  const t = enc.encode(`\r\n--${b}--\r\n`);
  const out = new Uint8Array(h.length + file.length + t.length);
  out.set(h);
  out.set(file, h.length);
  out.set(t, h.length + file.length);
  return out;
}

/** A PDF of `size` bytes: the ordinary upload a hostile one is compared with. */
function pdf(size: number): Uint8Array {
  const out = new Uint8Array(size).fill(0x20);
  out.set(new TextEncoder().encode("%PDF-1.7\n"), 0);
  out.set(new TextEncoder().encode("\n%%EOF\n"), size - 7);
  return out;
}

/** The answer's status; 0 when the worker closed the connection before the body was sent whole (it answered early). */
async function post(dev: DevServer, payload: Uint8Array<ArrayBuffer>): Promise<number> {
  let res: Response;
  try {
    res = await fetch(`${dev.direct}/inquiry`, {
      method: "POST",
      headers: {
        "content-type": "multipart/form-data; boundary=b0undary",
        accept: "application/json",
        "cf-connecting-ip": ip(),
      },
      body: payload,
    });
  } catch {
    return 0;
  }
  await res.arrayBuffer();
  return res.status;
}

interface Figures {
  status: number;
  wallMs: number;
  cpuMs: number;
  growthMb: number;
}

/** `REPEAT` posts of a body `make` builds: the last status, wall time and CPU per post, memory growth. */
async function measure(
  dev: DevServer,
  isolate: IsolateProbe,
  make: () => Uint8Array<ArrayBuffer>,
): Promise<Figures> {
  const payloads = Array.from({ length: REPEAT }, make);
  await post(dev, make()); // warm
  await new Promise((r) => setTimeout(r, 300));
  await isolate.start();
  const idle = await isolate.stop();
  await isolate.start();
  let status = 0;
  const t0 = performance.now();
  for (const p of payloads) status = await post(dev, p);
  const wallMs = (performance.now() - t0) / REPEAT;
  const f = await isolate.stop();
  return {
    status,
    wallMs,
    cpuMs: f.cpuMs / REPEAT,
    growthMb: (f.peakBytes - idle.peakBytes) / MB,
  };
}

const failures: string[] = [];
const row = (label: string, f: Figures) =>
  console.log(
    `${label.padEnd(44)} ${String(f.status).padStart(3)}  ${f.wallMs.toFixed(0).padStart(5)} ms  ` +
      `CPU ${f.cpuMs.toFixed(2).padStart(7)} ms  isolate memory +${f.growthMb.toFixed(1)} MB`,
  );

const dir = ".bench/measure-archives";
rmSync(dir, { recursive: true, force: true });
const dev = await startDev({
  port: 18961,
  persistTo: dir,
  extraArgs: ["--inspector-port", "19961"],
});
const isolate = await connectIsolate(19961);
try {
  console.log(`each figure per request, ${REPEAT} requests`);
  for (const entries of [1_000, 10_000]) {
    const hostile = sharedLocalHeaderZip(entries);
    const kb = Math.round(hostile.length / 1000);
    const h = await measure(dev, isolate, () => body(hostile, "parts.zip"));
    row(`ZIP, ${entries} entries on one header (${kb} KB)`, h);
    row(
      `  ordinary PDF of the same size`,
      await measure(dev, isolate, () => body(pdf(hostile.length), "p.pdf")),
    );
    if (h.status < 400 || h.status >= 500)
      failures.push(`${entries} entries: answered ${h.status}`);
    if (h.wallMs >= 1000) failures.push(`${entries} entries: ${h.wallMs.toFixed(0)} ms`);
    if (h.growthMb >= 16) failures.push(`${entries} entries: +${h.growthMb.toFixed(1)} MB`);
  }

  const bomb = zip([
    {
      name: "[Content_Types].xml",
      data: "x",
      deflated: new Uint8Array(deflateRawSync(Buffer.alloc(250 * MB))),
      declaredSize: 4000,
    },
    { name: "word/document.xml", data: "<w:document/>" },
  ]);
  const b = await measure(dev, isolate, () => body(bomb, "offer.docx"));
  const bo = await measure(dev, isolate, () => body(pdf(bomb.length), "p.pdf"));
  row(`docx, Content_Types inflating to 250 MB (${Math.round(bomb.length / 1000)} KB)`, b);
  row(`  ordinary PDF of the same size`, bo);
  if (b.cpuMs > 3 * bo.cpuMs) failures.push(`inflate bomb: CPU ${b.cpuMs.toFixed(2)} ms > 3x`);

  const headers = body(new Uint8Array(0), "empty.pdf", 500_000, 13);
  const p = await measure(dev, isolate, () => body(new Uint8Array(0), "empty.pdf", 500_000, 13));
  const po = await measure(dev, isolate, () => body(pdf(headers.length), "p.pdf"));
  row(`19 parts with 500 KB headers (${(headers.length / MB).toFixed(1)} MB)`, p);
  row(`  ordinary PDF of the same size`, po);
  // 0: refused before the whole body was sent (the 413 comes while the client still writes).
  if (![0, 400, 413].includes(p.status)) failures.push(`part headers: answered ${p.status}`);
  if (p.cpuMs > 3 * po.cpuMs) failures.push(`part headers: CPU ${p.cpuMs.toFixed(2)} ms > 3x`);

  const next = await post(dev, body(pdf(1000), "p.pdf"));
  console.log(`afterwards an ordinary inquiry: ${next}`);
  if (next !== 201) failures.push(`the next inquiry: ${next}`);
} finally {
  isolate.close();
  dev.stop();
}
if (failures.length > 0) {
  console.error(`missed: ${failures.join("; ")}`);
  process.exit(1);
}
