// Kept apart from query.ts (which throws ApiError, so imports next/server): product and webhook
// validation use this, and they are loaded by the browser and by the test runner too.
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
