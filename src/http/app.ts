import type { Config } from "../config/config.ts";
import type { TypedValues } from "../pages/form.ts";
import type { Audience } from "./respond.ts";

/** Hono's typing of this worker: its bindings and what middleware hands to routes. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
    config: Config;
    audience: Audience;
    /** What a successful request did, for the technical log ("stored", "honeypot"). */
    outcome: string;
    /** What a browser's form post typed, once its body has been read. */
    typed: TypedValues;
  };
}
