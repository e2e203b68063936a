import { z } from "zod";
import { ApiError, withErrors } from "@/lib/errors";
import { openProductFeed } from "@/lib/events/feed";
import { SSE_HEADERS } from "@/lib/events/sse";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

const eventIdSchema = z.string().regex(/^\d{1,19}$/, "must be a non-negative event id");
const productIdsSchema = z
  .string()
  .regex(/^\d{1,10}(,\d{1,10}){0,499}$/, "must be a comma-separated list of product ids (at most 500)");

function parseEventId(value: string | null, source: string) {
  if (value === null || value === "") return null;
  const result = eventIdSchema.safeParse(value);
  if (!result.success) throw new ApiError(400, "VALIDATION_FAILED", `${source} ${result.error.issues[0].message}`);
  return BigInt(result.data);
}

// GET /api/v1/stream/product-updates?productIds=1,5&lastEventId=N - the live feed (SSE)
export const GET = withErrors(async (request: Request) => {
  const params = new URL(request.url).searchParams;
  // EventSource's reconnect header wins over the query (which only seeds the first connection).
  const lastEventId =
    parseEventId(request.headers.get("last-event-id"), "Last-Event-ID") ??
    parseEventId(params.get("lastEventId"), "lastEventId");
  const productIdsParam = params.get("productIds");
  let productIds: Set<number> | null = null;
  if (productIdsParam !== null) {
    const result = productIdsSchema.safeParse(productIdsParam);
    if (!result.success) throw new ApiError(400, "VALIDATION_FAILED", `productIds ${result.error.issues[0].message}`);
    productIds = new Set(result.data.split(",").map(Number));
  }
  const stream = await openProductFeed({ lastEventId, productIds, signal: request.signal });
  return new Response(stream, { headers: SSE_HEADERS });
});
