// The worker's `Env` for the Node scripts that reuse worker code (the deploy
// check runs src/config/config.ts): there the names come from wrangler.toml
// at run time, so any name is allowed. The worker itself is checked against
// the generated src/worker-configuration.d.ts.
interface Env {
  [name: string]: unknown;
}
