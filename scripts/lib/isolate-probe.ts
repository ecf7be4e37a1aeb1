// What the worker's own isolate costs under `wrangler dev`, apart from the
// simulated D1, R2 and rate limiter that run in the same workerd process (each
// in isolates of their own, which a deployed worker is not billed for).
// It talks the Chrome DevTools Protocol to the isolate through wrangler's
// inspector proxy (`wrangler dev --inspector-port`):
// - CPU: a sampling CPU profile (Profiler.start/stop). Samples in the worker's
//   JavaScript, the built-ins it calls and its garbage collection count;
//   "(program)" (the thread outside this isolate's JavaScript: workerd's own
//   C++, other isolates, waiting) and "(idle)" do not. Work workerd's C++ does
//   for the isolate outside a JavaScript call (piping a stream, for example) is
//   therefore not counted: the figure is a lower bound of what Cloudflare bills.
// - Memory: Runtime.getHeapUsage polled while the load runs: the V8 heap in
//   use plus ArrayBuffer backing stores and workerd's own objects, which is
//   what the 128 MB per isolate limit is about.

import { writeFileSync } from "node:fs";

/** Microseconds between CPU samples. */
const INTERVAL_US = 250;
const ORIGIN = "http://localhost"; // wrangler's inspector proxy refuses other origins

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface IsolateFigures {
  /** Milliseconds in the worker's JavaScript, the built-ins it called and its GC. */
  cpuMs: number;
  /** Of that, garbage collection. */
  gcMs: number;
  /** Milliseconds sampled as "(program)": the thread outside this isolate's JavaScript. */
  programMs: number;
  /** Samples in the isolate's JavaScript (for judging the figure's resolution). */
  samples: number;
  /** Peak of V8 heap used + ArrayBuffer backing stores + workerd's objects, in bytes. */
  peakBytes: number;
}

export interface IsolateProbe {
  /** Starts the CPU profile and the memory polling. */
  start(): Promise<void>;
  /** Stops both and sums what they saw. */
  stop(): Promise<IsolateFigures>;
  close(): void;
}

/** Connects to the worker's isolate behind `wrangler dev --inspector-port <port>`. */
export async function connectIsolate(
  inspectorPort: number,
  /** Where to write the CPU profile (`.cpuprofile`, opens in Chrome DevTools), if anywhere. */
  profileTo?: string,
): Promise<IsolateProbe> {
  const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json()) as {
    webSocketDebuggerUrl: string;
  }[];
  const url = targets[0]?.webSocketDebuggerUrl;
  if (!url) throw new Error("no inspector target");
  // Node's WebSocket (undici) takes headers as an extension of the standard options.
  const ws = new WebSocket(url, { headers: { origin: ORIGIN } } as unknown as string[]);
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener("open", () => resolve(), { once: true });
    ws.addEventListener("error", () => reject(new Error("inspector connection failed")), {
      once: true,
    });
  });
  let nextId = 1;
  const waiting = new Map<number, (result: unknown) => void>();
  ws.addEventListener("message", (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown };
    // workerd answers some commands (Profiler.enable, .start) by echoing them, without `result`.
    if (message.id !== undefined) {
      waiting.get(message.id)?.(message.result);
      waiting.delete(message.id);
    }
  });
  const send = <T>(method: string, params: object = {}) =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(
        () => reject(new Error(`inspector: no answer to ${method}`)),
        30_000,
      );
      waiting.set(id, (result) => {
        clearTimeout(timer);
        resolve(result as T);
      });
      ws.send(JSON.stringify({ id, method, params }));
    });

  await send("Profiler.enable");
  await send("Profiler.setSamplingInterval", { interval: INTERVAL_US });
  let peak = 0;
  let polling: ReturnType<typeof setInterval> | undefined;
  let inFlight = false;
  const sampleHeap = async () => {
    if (inFlight) return;
    inFlight = true;
    const h = await send<{
      usedSize: number;
      embedderHeapUsedSize?: number;
      backingStorageSize?: number;
    }>("Runtime.getHeapUsage");
    peak = Math.max(peak, h.usedSize + (h.embedderHeapUsedSize ?? 0) + (h.backingStorageSize ?? 0));
    inFlight = false;
  };

  return {
    async start() {
      peak = 0;
      await sampleHeap();
      // An isolate that workerd ends stops answering: its peak so far stands.
      polling = setInterval(() => {
        sampleHeap().catch(() => {
          inFlight = false;
        });
      }, 20);
      await send("Profiler.start");
    },
    async stop() {
      clearInterval(polling);
      await sampleHeap();
      const { profile } = await send<{ profile: Profile }>("Profiler.stop");
      if (profileTo) writeFileSync(profileTo, JSON.stringify(profile));
      const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame.functionName]));
      // workerd enters and leaves the isolate around each piece of work; a
      // sample that falls outside it is dropped and its time added to the next
      // sample's delta, so the deltas add up to wall time, not CPU. The samples
      // are counted instead, each standing for one sampling interval.
      let cpuUs = 0;
      let gcUs = 0;
      let programUs = 0;
      let samples = 0;
      for (const sample of profile.samples) {
        const name = byId.get(sample) ?? "";
        if (name === "(idle)" || name === "(root)") continue;
        if (name === "(program)") programUs += INTERVAL_US;
        else {
          cpuUs += INTERVAL_US;
          samples++;
          if (name === "(garbage collector)") gcUs += INTERVAL_US;
        }
      }
      return {
        cpuMs: cpuUs / 1000,
        gcMs: gcUs / 1000,
        programMs: programUs / 1000,
        peakBytes: peak,
        samples,
      };
    },
    close() {
      clearInterval(polling);
      ws.close();
    },
  };
}
