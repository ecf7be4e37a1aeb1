import type { Config } from "../config/config.ts";
import type { Audience } from "./respond.ts";

/** Hono's typing of this worker: its bindings and what middleware hands to routes. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
    config: Config;
    audience: Audience;
    /** What a successful request did, for the technical log ("stored", "honeypot"). */
    outcome: string;
  };
}
