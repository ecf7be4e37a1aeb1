export const SITEVERIFY_URL = "https://challenges.cloudflare.com/turnstile/v0/siteverify";

/**
 * Server-side Turnstile check, as Cloudflare's "Server-side validation" page
 * describes it (developers.cloudflare.com/turnstile/get-started/server-side-validation/).
 * Passes only when siteverify answers `success: true` **and** its `hostname`,
 * "the hostname for which the challenge was served", is one of `hostnames` (the
 * worker's own host and those of `ALLOWED_ORIGINS`): a token solved on some
 * other site that shares the widget does not count. Fails closed: a network
 * error, a non-200, an unreadable answer or a missing hostname all count as
 * "not verified". Tokens have at most 2048 characters (same page).
 */
export async function verifyTurnstile(
  token: string,
  secret: string,
  clientIp: string | null,
  fetcher: typeof fetch,
  hostnames: readonly string[],
): Promise<boolean> {
  if (token.length > 2048) return false;
  const body = new FormData();
  body.set("secret", secret);
  body.set("response", token);
  if (clientIp) body.set("remoteip", clientIp);
  try {
    const res = await fetcher(SITEVERIFY_URL, {
      method: "POST",
      body,
      signal: AbortSignal.timeout(5000),
    });
    if (!res.ok) return false;
    const data = (await res.json()) as { success?: unknown; hostname?: unknown };
    return (
      data.success === true &&
      typeof data.hostname === "string" &&
      hostnames.includes(data.hostname.toLowerCase())
    );
  } catch {
    return false;
  }
}

/** The hostnames a Turnstile challenge may have been served on: the worker's own and each allowed origin's. */
export function turnstileHostnames(
  requestUrl: string,
  allowedOrigins: readonly string[],
): string[] {
  return [requestUrl, ...allowedOrigins].map((u) => new URL(u).hostname.toLowerCase());
}
