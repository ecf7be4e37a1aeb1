// The worker as the benchmark and the end-to-end tests run it: src/index.ts's
// own handlers, its bindings slowed and failed by a plan (./entry.ts).
//   wrangler dev testing/worker.ts --var BINDING_PLAN:'{"latencyMs":20}'
import worker from "../src/index.ts";
import { instrumented } from "./entry.ts";

export default instrumented<Env>(worker);
