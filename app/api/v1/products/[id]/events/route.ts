import { NextResponse } from "next/server";
import type { z } from "zod";
import { requireReader } from "@/lib/auth/guards";
import { apiRoute } from "@/lib/http/api-route";
import type { productHistorySchema } from "@/lib/products/dto";
import { fetchHistoryPage, parseHistoryQuery, productHistoryQuerySchema } from "@/lib/products/history";
import { parseProductIdParam } from "@/lib/products/validation";

// GET /api/v1/products/[id]/events?limit=&before=&after=&actor=&reason=&kind=&from=&to= - a page
// of the product's history, newest first; who and why only for staff and tokens
export const GET = apiRoute(async (request: Request, { params }: RouteContext<"/api/v1/products/[id]/events">) => {
  const { seesAudit } = await requireReader(request, { audit: true });
  const productId = parseProductIdParam((await params).id);
  const query = parseHistoryQuery(productHistoryQuerySchema, new URL(request.url).searchParams, seesAudit);
  const page: z.infer<typeof productHistorySchema> = await fetchHistoryPage({ ...query, productId }, seesAudit);
  return NextResponse.json(page);
});
