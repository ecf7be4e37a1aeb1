import { Hono } from "hono/tiny";
import type { AppEnv } from "../http/app.ts";
import { json, page } from "../http/respond.ts";
import { getQuarantined, releaseQuarantined } from "../store/spam.ts";
import { workerKey } from "./key.ts";
import { releaseConfirmPage, releaseDeadPage, releasedPage } from "./pages.ts";
import { validRelease } from "./release.ts";
import { formToken } from "./render-token.ts";

/**
 * The spam digest's release links. GET shows a confirmation
 * page and changes nothing: mail-security scanners follow links. Only the
 * page's POST releases the inquiry to be mailed as usual (pending, due now;
 * the next scheduled run sends it). A link whose inquiry is not quarantined
 * any more, or whose signature is wrong, answers 404 and changes nothing.
 */
export function spamRoutes(now: () => number) {
  const route = new Hono<AppEnv>();

  // A render-time token for /embed.js on a company's own page. Not a secret (anyone can
  // read the reference form's), so any origin may read it; never cached.
  route.get("/token", async (c) => {
    const t = await formToken(c.env.DB, now());
    return json(t ? { ok: true, t } : { ok: false }, t ? 200 : 503, {
      "access-control-allow-origin": "*",
    });
  });

  route.get("/release/:id/:sig", async (c) => {
    const lang = c.get("config").defaultLang;
    const { id, sig } = c.req.param();
    const row = (await validRelease(await workerKey(c.env.DB), id, sig))
      ? await getQuarantined(c.env.DB, id)
      : null;
    if (!row) return page(releaseDeadPage(lang), 404);
    return page(releaseConfirmPage(lang, row, c.req.path));
  });

  route.post("/release/:id/:sig", async (c) => {
    const lang = c.get("config").defaultLang;
    const { id, sig } = c.req.param();
    const released =
      (await validRelease(await workerKey(c.env.DB), id, sig)) &&
      (await releaseQuarantined(c.env.DB, id, now()));
    if (!released) return page(releaseDeadPage(lang), 404);
    return page(releasedPage(lang));
  });

  return route;
}
