// A whole number in the query string, kept apart from lib/http/query.ts: it needs zod only, and the
// validation modules that use it are imported by the browser tests too (e2e/admin-list.spec.ts
// reads MAX_BULK_ITEMS), whose loader cannot resolve lib/errors.ts's `next/server`.
import { z } from "zod";

/**
 * A whole number given in the query string, such as a page's `limit`: decimal digits only, since
 * Number() would also read "1e3" as 1000, "0x10" as 16 and " 5" or "5.0" as 5. Describe it in
 * OpenAPI with io "output" (an integer with its bounds and default).
 */
export function queryWholeNumber(name: string, { min, max, fallback }: { min: number; max: number; fallback: number }) {
  const notWhole = `${name} must be a whole number written in decimal digits`;
  return z
    .string()
    .regex(/^\d+$/, notWhole)
    .pipe(
      z.coerce
        .number<string>()
        .int(notWhole)
        .min(min, `${name} must be at least ${min}`)
        .max(max, `${name} must be at most ${max}`),
    )
    .default(fallback);
}
