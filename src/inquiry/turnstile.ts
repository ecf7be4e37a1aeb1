export const SITEVERIFY_URL = "https://challenges.cloudflare.com/turnstile/v0/siteverify";

/**
 * Server-side Turnstile check. Fails closed: a network error, a non-200 or an
 * unreadable answer all count as "not verified".
 */
export async function verifyTurnstile(
  token: string,
  secret: string,
  clientIp: string | null,
  fetcher: typeof fetch,
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
    const data = (await res.json()) as { success?: unknown };
    return data.success === true;
  } catch {
    return false;
  }
}
