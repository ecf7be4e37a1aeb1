import { AppError } from "../http/errors.ts";

/**
 * The last handler of an operator path: any method its routes did not take is
 * 405 with `Allow` naming those that exist (RFC 9110 §15.5.6), not a 404 that
 * would send the operator looking for a wrong URL. Register it after the
 * path's own routes and before a `/:id` route the path would also match.
 */
export function allowOnly(...methods: string[]): () => never {
  // A GET route answers HEAD too (Hono runs GET for it).
  const allow = methods.includes("GET") ? [...methods, "HEAD"] : methods;
  return () => {
    throw new AppError("method_not_allowed", { allow });
  };
}
