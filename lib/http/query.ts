// Query strings read strictly: an unknown parameter or one given twice is a 400 naming it, never
// ignored or guessed (a mistyped filter would silently widen an export or skip a check).
import { ApiError } from "@/lib/errors";

/** The query string as zod schemas of arrays take it: every parameter with all its values. */
export function queryValues(params: URLSearchParams): Record<string, string[]> {
  const values: Record<string, string[]> = {};
  for (const key of new Set(params.keys())) values[key] = params.getAll(key);
  return values;
}

/** A 400 naming each query parameter that is not one of `known`. */
export function rejectUnknownParameters(params: URLSearchParams, known: string[]) {
  const unknown = [...new Set(params.keys())].filter((key) => !known.includes(key));
  if (unknown.length === 0) return;
  const message =
    known.length > 0 ? `unknown query parameter; use ${known.join(", ")}` : "unknown query parameter; this takes none";
  throw new ApiError(400, "VALIDATION_FAILED", unknown.map((key) => `${key}: ${message}`).join("; "), {
    issues: unknown.map((path) => ({ path, message })),
  });
}

/**
 * The query string as one value per parameter, for routes whose parameters each take one value:
 * an unknown parameter or one given twice is a 400 naming it (a guess, the last value, would
 * silently export or import something else than asked).
 */
export function singleValuedQuery(params: URLSearchParams, known: string[]): Record<string, string> {
  rejectUnknownParameters(params, known);
  const repeated = [...new Set(params.keys())].filter((key) => params.getAll(key).length > 1);
  if (repeated.length > 0) {
    const issues = repeated.map((path) => ({ path, message: `give ${path} once` }));
    throw new ApiError(400, "VALIDATION_FAILED", issues.map((issue) => `${issue.path}: ${issue.message}`).join("; "), {
      issues,
    });
  }
  return Object.fromEntries(params);
}
