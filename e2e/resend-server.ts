// The fake Resend as a real HTTP server on 127.0.0.1, for the browser, load and
// benchmark runs against `wrangler dev`: the same mail catcher `npm run dev`
// starts, so these runs meet the same checks and the same mailbox.
import { startMailCatcher, type MailCatcher } from "../scripts/lib/mail-catcher.ts";

export type FakeResendServer = MailCatcher;

export function startFakeResendServer(apiKey?: string, port = 0): Promise<FakeResendServer> {
  return startMailCatcher({ apiKey, port });
}
