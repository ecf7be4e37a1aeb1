// The resend SDK imports a MIME parser (for received mail) and a webhook
// verifier at load time. This worker only sends, so wrangler.toml aliases both
// to this module: it keeps ~80 KB of minified code out of the deployed worker.
const unused = (): never => {
  throw new Error("not bundled: this worker only sends mail");
};

export default class PostalMime {
  static parse = unused;
}

export class Webhook {
  constructor() {
    unused();
  }
}
