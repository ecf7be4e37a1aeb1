// The resend SDK imports a MIME parser (for received mail) at load time. This
// worker only sends, so wrangler.toml aliases it to this module: it keeps
// about 65 KB of minified code out of the deployed worker. (The SDK's other
// load-time import, the webhook verifier, is real: POST /webhooks/resend uses it.)
const unused = (): never => {
  throw new Error("not bundled: this worker only sends mail");
};

export default class PostalMime {
  static parse = unused;
}
