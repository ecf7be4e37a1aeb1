/** Quality the Accept header gives a media type (0 when it is not listed). */
function quality(accept: string, type: string): number {
  for (const part of accept.slice(0, 1024).split(",")) {
    const [media = "", ...params] = part.trim().toLowerCase().split(";");
    if (media.trim() !== type) continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    const value = q ? Number(q.slice(2)) : 1;
    return Number.isFinite(value) ? value : 0;
  }
  return 0;
}

/**
 * A browser's form navigation asks for text/html and gets pages; fetch() with
 * Accept: application/json, a JSON body, or a client that states no
 * preference (curl's *\/*) gets JSON.
 */
export function wantsHtml(request: Request): boolean {
  const type = (request.headers.get("content-type") ?? "").toLowerCase();
  if (type.startsWith("application/json")) return false;
  const accept = request.headers.get("accept") ?? "";
  const htmlQ = quality(accept, "text/html");
  return htmlQ > 0 && htmlQ >= quality(accept, "application/json");
}
