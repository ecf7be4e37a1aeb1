// `npm run measure:upload`: the workerd process's memory while a visitor
// tries to upload 100 MB (over the 10 MiB limit), once with Content-Length
// and once chunked. Both must be refused with 413 and memory must stay bounded.
import { rmSync } from "node:fs";
import { rss, sampleRss, startDev } from "./lib/dev-server.ts";

const MB = 1024 * 1024;
const dir = ".bench/upload-memory";
rmSync(dir, { recursive: true, force: true });
const dev = await startDev({ port: 8792, persistTo: dir });

const PREFIX = new TextEncoder().encode(
  '--b\r\nContent-Disposition: form-data; name="attachment"; filename="big.pdf"\r\n\r\n%PDF-1.7\n',
);

function body(total) {
  let sent = 0;
  const chunk = new Uint8Array(256 * 1024).fill(0x41);
  return new ReadableStream({
    start(c) {
      c.enqueue(PREFIX);
    },
    pull(c) {
      if (sent >= total) return c.close();
      c.enqueue(chunk);
      sent += chunk.length;
    },
  });
}

async function attempt(label, withLength) {
  await new Promise((r) => setTimeout(r, 500));
  const before = rss(dev.pid);
  const sampler = sampleRss(dev.pid, 5);
  const headers = { "content-type": "multipart/form-data; boundary=b", accept: "application/json" };
  if (withLength) headers["content-length"] = String(PREFIX.length + 100 * MB);
  let status;
  try {
    const res = await fetch(`${dev.base}/inquiry`, {
      method: "POST",
      headers,
      body: body(100 * MB),
      duplex: "half",
    });
    status = `${res.status} ${(await res.json()).code}`;
  } catch (err) {
    status = `connection closed by the worker (${err.cause?.code ?? err.message})`;
  }
  await new Promise((r) => setTimeout(r, 300));
  const peak = sampler.stop();
  console.log(
    `${label}: ${status}; workerd RSS ${(before / MB).toFixed(0)} MB before, peak ${(peak / MB).toFixed(0)} MB (+${((peak - before) / MB).toFixed(0)} MB)`,
  );
}

try {
  await attempt("100 MB with Content-Length", true);
  await attempt("100 MB chunked          ", false);
  const ok = await fetch(`${dev.base}/health`);
  console.log(`afterwards /health: ${ok.status}`);
} finally {
  dev.stop();
}
