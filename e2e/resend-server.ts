// The fake Resend as a real HTTP server on 127.0.0.1, for the browser, load
// and benchmark runs against `wrangler dev`. Same class as in the workerd tests.
import { createServer, type Server } from "node:http";
import { Readable } from "node:stream";
import { FakeResend } from "../tests/fakes/resend.ts";

export interface FakeResendServer {
  url: string;
  fake: FakeResend;
  /** Requests the server is still answering (a simulated timeout holds one open). */
  inFlight: () => number;
  close: () => Promise<void>;
}

export async function startFakeResendServer(apiKey?: string, port = 0): Promise<FakeResendServer> {
  const fake = new FakeResend(apiKey);
  let inFlight = 0;
  const server: Server = createServer(async (req, res) => {
    inFlight++;
    try {
      const hasBody = req.method !== "GET" && req.method !== "HEAD";
      const request = new Request(`http://127.0.0.1${req.url}`, {
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
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const address = server.address();
  const actualPort = typeof address === "object" && address ? address.port : port;
  return {
    url: `http://127.0.0.1:${actualPort}`,
    fake,
    inFlight: () => inFlight,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
