import { rmSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";
import { startDev, type DevServer } from "../scripts/lib/dev-server.ts";
import { startFakeResendServer, type FakeResendServer } from "./resend-server.ts";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const API_KEY = "re_e2e_0123456789";

export interface Stack {
  dev: DevServer;
  resend: FakeResendServer;
  browser: Browser;
  stop: () => Promise<void>;
}

/** The worker under `wrangler dev`, mailing a fake Resend, and a headless Chromium. */
export async function startStack(port: number, vars: Record<string, string> = {}): Promise<Stack> {
  const resend = await startFakeResendServer(API_KEY);
  const persistTo = `.e2e/state-${port}`;
  rmSync(persistTo, { recursive: true, force: true });
  const dev = await startDev({
    port,
    persistTo,
    // These tests are about the form, not about spam, so the filter is off: no score
    // (too_fast beside a test's link, say) tags a mail a test reads.
    vars: { RESEND_API_KEY: API_KEY, RESEND_BASE_URL: resend.url, SPAM_FILTER: "off", ...vars },
  });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    // As root in a sandbox with no network: no Chrome sandbox, no background traffic.
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return {
    dev,
    resend,
    browser,
    stop: async () => {
      await browser.close();
      dev.stop();
      await resend.close();
    },
  };
}
