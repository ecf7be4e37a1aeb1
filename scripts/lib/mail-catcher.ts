// The local mail catcher: a Node HTTP server on 127.0.0.1 that answers Resend's
// API with the one fake (tests/fakes/resend.ts) and shows what it accepted as a
// browsable mailbox. `npm run dev` points the worker at it (RESEND_BASE_URL),
// and the browser, load and benchmark runs use it as their fake Resend.
//
//   POST /emails                       Resend's send call, checked as Resend checks it
//   GET  /                             the mailbox, and the failure switch
//   GET  /messages/ID                  one mail: headers, HTML part (sandboxed), text part
//   GET  /messages/ID/html             the HTML part alone, under a CSP sandbox
//   GET  /messages/ID/attachments/N    an attachment, as a download
//   GET  /_control                     {"refusing":null|403|422|500|"hang"}
//   POST /_control  mode=accept|403|422|500|hang   flips the failure switch (form or JSON);
//                   hang holds each send unanswered until the worker's send timeout gives
//                   up (at most MAX_HELD at once; released on the next switch and on close)
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { FakeResend, type FakeResendOptions, type RefuseMode } from "../../tests/fakes/resend.ts";
import {
  HTML_PART_CSP,
  PAGE_CSP,
  attachmentDisposition,
  listPage,
  messagePage,
  notFoundPage,
} from "./mailbox-pages.ts";

export interface MailCatcher {
  /** The base URL, for RESEND_BASE_URL and for a browser. */
  url: string;
  fake: FakeResend;
  /** Requests the server is still answering (a simulated timeout holds one open). */
  inFlight: () => number;
  close: () => Promise<void>;
}

const MODES: Record<string, RefuseMode | null> = {
  accept: null,
  403: 403,
  422: 422,
  500: 500,
  hang: "hang",
};

function send(
  res: ServerResponse,
  status: number,
  body: string | Uint8Array,
  headers: Record<string, string>,
) {
  res.writeHead(status, { "x-content-type-options": "nosniff", ...headers });
  res.end(body);
}

const page = (res: ServerResponse, status: number, html: string) =>
  send(res, status, html, {
    "content-type": "text/html; charset=utf-8",
    "content-security-policy": PAGE_CSP,
    // Not no-referrer: with it a browser sends `Origin: null`, and the switch's form is refused.
    "referrer-policy": "same-origin",
    "cache-control": "no-store",
  });

const json = (res: ServerResponse, status: number, value: unknown) =>
  send(res, status, JSON.stringify(value), { "content-type": "application/json" });

async function readText(req: IncomingMessage, limit = 64 * 1024): Promise<string | null> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * Starts the catcher on 127.0.0.1:`port` (0: any free port). `apiKey` is the key
 * the worker must send; `fetch` fetches `path` attachments (default: the network).
 */
export async function startMailCatcher(
  options: { port?: number } & FakeResendOptions = {},
): Promise<MailCatcher> {
  const { port = 0, ...fakeOptions } = options;
  const fake = new FakeResend(fakeOptions);
  let inFlight = 0;
  let origins: string[] = [];

  async function control(req: IncomingMessage, res: ServerResponse) {
    if (req.method === "GET") return json(res, 200, { refusing: fake.refusing });
    // Only the mailbox's own form (or a tool without an Origin) may flip the switch.
    const from = req.headers.origin;
    if (from !== undefined && !origins.includes(from)) {
      return json(res, 403, { error: "cross-origin" });
    }
    const text = await readText(req);
    const type = req.headers["content-type"] ?? "";
    let mode: unknown;
    try {
      mode = type.startsWith("application/json")
        ? (JSON.parse(text ?? "") as { mode?: unknown }).mode
        : new URLSearchParams(text ?? "").get("mode");
    } catch {
      mode = undefined;
    }
    const key = String(mode);
    if (!(key in MODES)) {
      return json(res, 400, { error: 'mode must be "accept", "403", "422", "500" or "hang"' });
    }
    const status = MODES[key]!;
    if (status === null) fake.stopFailing();
    else fake.refuseAll(status);
    if (
      type.startsWith("application/x-www-form-urlencoded") &&
      req.headers.accept?.includes("html")
    ) {
      return send(res, 303, "", { location: "/" });
    }
    return json(res, 200, { refusing: fake.refusing });
  }

  function mailbox(path: string, res: ServerResponse): boolean {
    if (path === "/") {
      page(res, 200, listPage(fake.emails, fake.refusing, fake.requests));
      return true;
    }
    const m = /^\/messages\/([0-9a-f-]{1,64})(?:\/(html|attachments\/(\d{1,3})))?$/.exec(path);
    if (!m) return false;
    const email = fake.emails.find((e) => e.id === m[1]);
    if (!email) {
      page(res, 404, notFoundPage());
      return true;
    }
    if (m[2] === undefined) page(res, 200, messagePage(email));
    else if (m[2] === "html") {
      send(res, 200, String(email.body.html ?? ""), {
        "content-type": "text/html; charset=utf-8",
        "content-security-policy": HTML_PART_CSP,
        "referrer-policy": "no-referrer",
      });
    } else {
      const file = email.attachments[Number(m[3])];
      if (!file) page(res, 404, notFoundPage());
      else {
        send(res, 200, file.bytes, {
          "content-type": file.contentType ?? "application/octet-stream",
          "content-disposition": attachmentDisposition(file.filename),
          "content-security-policy": "sandbox; default-src 'none'",
        });
      }
    }
    return true;
  }

  const server: Server = createServer(async (req, res) => {
    inFlight++;
    try {
      const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
      if (path === "/_control") return await control(req, res);
      if ((req.method === "GET" || req.method === "HEAD") && mailbox(path, res)) return;
      // Everything else is Resend's API, answered by the fake (404/405 in Resend's words).
      const hasBody = req.method !== "GET" && req.method !== "HEAD";
      // The worker giving up (its send timeout closes the connection) ends a held send.
      const gone = new AbortController();
      res.on("close", () => {
        if (!res.writableFinished) gone.abort();
      });
      const request = new Request(`http://127.0.0.1${req.url}`, {
        signal: gone.signal,
        method: req.method,
        headers: req.headers as Record<string, string>,
        body: hasBody ? (Readable.toWeb(req) as ReadableStream) : undefined,
        duplex: "half",
      } as RequestInit);
      const response = await fake.handle(request);
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    } catch {
      // A simulated network failure: drop the connection without an answer.
      req.socket.destroy();
    } finally {
      inFlight--;
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  const actualPort = typeof address === "object" && address ? address.port : port;
  origins = [`http://127.0.0.1:${actualPort}`, `http://localhost:${actualPort}`];
  return {
    url: origins[0]!,
    fake,
    inFlight: () => inFlight,
    close: () =>
      new Promise<void>((resolve) => {
        fake.releaseHeld();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
