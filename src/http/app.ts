import type { Config } from "../config/config.ts";
import type { TypedValues } from "../pages/form.ts";
import type { Lang } from "../i18n/lang.ts";
import type { BackLink } from "../pages/error.ts";

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

/** How the visitor wants to be answered, decided once per request. */
export interface Audience {
  lang: Lang;
  html: boolean;
  /** Where an HTML error page's "back" link goes; null: no link, only the advice. */
  back: BackLink | null;
  /** The request came from the worker's own reference form. */
  fromOwnPage: boolean;
}
