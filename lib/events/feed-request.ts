// What a feed request asks for, read the same way by both transports: which products, and
// after which event id to resume. Bad values are a 400 that names the parameter.
import { z } from "zod";
import { ApiError } from "@/lib/errors";

export type FeedRequest = {
  /** Resume after this event id; null starts with the live feed only. */
  lastEventId: bigint | null;
  /** Limit to these products; null for all. */
  productIds: ReadonlySet<number> | null;
  /**
   * How a resume catches up: `all`, every event after the id (the default, exact); `latest`, only
   * the newest event of each product changed since, then every event as usual.
   */
  catchUp: CatchUp;
};

export const catchUpSchema = z.enum(["all", "latest"], "must be all (every event) or latest (each product's newest)");
export type CatchUp = z.infer<typeof catchUpSchema>;

const INT32_MAX = 2_147_483_647;
const INT64_MAX = BigInt("9223372036854775807");
export const MAX_FILTER_PRODUCTS = 500;

export const eventIdSchema = z
  .string()
  .regex(/^\d{1,19}$/, "must be a non-negative event id")
  .transform((value) => BigInt(value))
  .refine((id) => id <= INT64_MAX, "must be an event id no larger than 9223372036854775807");

export const productIdsSchema = z
  .string()
  .regex(
    new RegExp(`^\\d{1,10}(,\\d{1,10}){0,${MAX_FILTER_PRODUCTS - 1}}$`),
    `must be a comma-separated list of product ids (at most ${MAX_FILTER_PRODUCTS})`,
  )
  .transform((value) => value.split(",").map(Number))
  .refine((ids) => ids.every((id) => id >= 1 && id <= INT32_MAX), `must list product ids between 1 and ${INT32_MAX}`);

function parse<T>(schema: z.ZodType<T, string>, value: string, source: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new ApiError(400, "VALIDATION_FAILED", `${source} ${result.error.issues[0].message}`);
  return result.data;
}

/** Reads the query string and the `Last-Event-ID` header (which wins: EventSource sends it on reconnect). */
export function parseFeedRequest(query: URLSearchParams, lastEventIdHeader: string | null): FeedRequest {
  const fromHeader = lastEventIdHeader ? parse(eventIdSchema, lastEventIdHeader, "Last-Event-ID") : null;
  const fromQuery = query.get("lastEventId") ? parse(eventIdSchema, query.get("lastEventId")!, "lastEventId") : null;
  const ids = query.get("productIds");
  const catchUp = query.get("catchUp");
  return {
    lastEventId: fromHeader ?? fromQuery,
    productIds: ids === null ? null : new Set(parse(productIdsSchema, ids, "productIds")),
    catchUp: catchUp === null ? "all" : parse(catchUpSchema, catchUp, "catchUp"),
  };
}
