// `npm run measure:multipart`: CPU and memory of reading a multipart body with
// workerd's request.formData() against the worker's streaming reader
// (src/inquiry/multipart.ts), for a 1 MB and a 10 MB file beside the text
// fields. Each reader runs in its own fresh `wrangler dev` (local workerd);
// CPU is the workerd process's user+system time per request, memory its peak
// RSS above what it used before the first body. bench/multipart/ has the worker.
import { rmSync } from "node:fs";
import { cpuMs, rss, sampleRss, startDev } from "./lib/dev-server.ts";

process.env.X_LOCAL_OBSERVABILITY = "false";
const MB = 1024 * 1024;
const enc = new TextEncoder();

function body(fileBytes: number): Uint8Array<ArrayBuffer> {
  const file = new Uint8Array(fileBytes);
  for (let i = 0; i < fileBytes; i += 65536) crypto.getRandomValues(file.subarray(i, i + 65536));
  const text = (name: string, value: string) =>
    `--b0undary\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  const head = enc.encode(
    text("name", "Ana Novak") +
      text("email", "ana@primer.si") +
      text("service", "Welding") +
      text("message", "Potrebujemo ponudbo.\r\n".repeat(50)) +
      '--b0undary\r\nContent-Disposition: form-data; name="attachment"; filename="p.pdf"\r\n' +
      "Content-Type: application/pdf\r\n\r\n",
  );
  const tail = enc.encode("\r\n--b0undary--\r\n");
  const out = new Uint8Array(head.length + file.length + tail.length);
  out.set(head);
  out.set(file, head.length);
  out.set(tail, head.length + file.length);
  return out;
}

async function post(base: string, path: string, payload: Uint8Array<ArrayBuffer>): Promise<void> {
  const res = await fetch(`${base}${path}`, {
    method: "POST",
    headers: { "content-type": "multipart/form-data; boundary=b0undary" },
    body: payload,
  });
  const answer = (await res.json()) as { fileBytes?: number };
  if (process.env.SHOW) console.log(JSON.stringify(answer));
  if (res.status !== 200 || !answer.fileBytes) throw new Error(`${path}: ${res.status}`);
}

const cases = [
  { label: "1 MB ", bytes: 1 * MB, requests: 60, concurrency: 1 },
  { label: "10 MB", bytes: 10 * MB, requests: 20, concurrency: 1 },
  { label: "10 MB x4 at once", bytes: 10 * MB, requests: 20, concurrency: 4 },
];

for (const [i, path] of (process.env.PATHS ?? "/formdata,/stream").split(",").entries()) {
  for (const c of cases) {
    const dir = `.bench/multipart-${i}`;
    rmSync(dir, { recursive: true, force: true });
    const dev = await startDev({
      port: 18931 + i,
      persistTo: dir,
      config: "bench/multipart/wrangler.toml",
    });
    try {
      const payload = body(c.bytes);
      for (let w = 0; w < 3; w++) await post(dev.direct, path, payload);
      await new Promise((r) => setTimeout(r, 300));
      const before = rss(dev.pid);
      const sampler = sampleRss(dev.pid, 5);
      const cpu0 = cpuMs(dev.pid);
      let next = 0;
      await Promise.all(
        Array.from({ length: c.concurrency }, async () => {
          while (next++ < c.requests) await post(dev.direct, path, payload);
        }),
      );
      const cpu = (cpuMs(dev.pid) - cpu0) / c.requests;
      const peak = sampler.stop();
      console.log(
        `${path.padEnd(9)} ${c.label.padEnd(16)} CPU ${cpu.toFixed(1).padStart(6)} ms/request, ` +
          `peak RSS +${((peak - before) / MB).toFixed(0)} MB over ${(before / MB).toFixed(0)} MB`,
      );
    } finally {
      dev.stop();
    }
  }
}
