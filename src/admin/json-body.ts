import { AppError } from "../http/errors.ts";

/** A request's JSON body as an object; anything else is 400 `malformed_body`. */
export async function readJsonObject(request: Request): Promise<Record<string, unknown>> {
  try {
    const body: unknown = await request.json();
    if (typeof body === "object" && body !== null && !Array.isArray(body)) {
      return body as Record<string, unknown>;
    }
  } catch {
    // answered below
  }
  throw new AppError("malformed_body");
}
