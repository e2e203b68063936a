import { apiRoute } from "@/lib/http/api-route";
import { feedResponse } from "@/lib/events/transport-web";

export const runtime = "nodejs";

// GET /api/v1/stream/product-updates?productIds=1,5&lastEventId=N - the live feed (SSE).
// `npm start` serves this path from node:http instead (lib/events/transport-node.ts): same feed.
export const GET = apiRoute(feedResponse);
export const HEAD = apiRoute(feedResponse);
