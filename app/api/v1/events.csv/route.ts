import { requireReader } from "@/lib/auth/guards";
import { apiRoute } from "@/lib/http/api-route";
import { csvResponse, historyColumns } from "@/lib/products/csv";
import {
  historyExportQuerySchema,
  historyRowPages,
  parseHistoryQuery,
  requireFilteredProduct,
} from "@/lib/products/history";

// GET /api/v1/events.csv?productId=&actor=&reason=&kind=&from=&to= - every matching event as CSV,
// newest first, streamed; actor and reason columns only for staff and tokens
export const GET = apiRoute(async (request: Request) => {
  const { seesAudit } = await requireReader(request, { audit: true });
  const filter = parseHistoryQuery(historyExportQuerySchema, new URL(request.url).searchParams, seesAudit);
  await requireFilteredProduct(filter);
  const name = filter.productId === undefined ? "history" : `history-product-${filter.productId}`;
  return csvResponse(request, name, historyColumns(seesAudit), historyRowPages(filter));
});
