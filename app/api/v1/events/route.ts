import { NextResponse } from "next/server";
import type { z } from "zod";
import { requireReader } from "@/lib/auth/guards";
import { apiRoute } from "@/lib/http/api-route";
import type { productHistorySchema } from "@/lib/products/dto";
import { fetchHistoryPage, historyQuerySchema, parseHistoryQuery } from "@/lib/products/history";

// GET /api/v1/events?productId=&actor=&reason=&kind=&from=&to=&before=&after=&limit= - a page of
// the shop's history, newest first; who and why only for staff and tokens
export const GET = apiRoute(async (request: Request) => {
  const { seesAudit } = await requireReader(request, { audit: true });
  const query = parseHistoryQuery(historyQuerySchema, new URL(request.url).searchParams, seesAudit);
  const page: z.infer<typeof productHistorySchema> = await fetchHistoryPage(query, seesAudit);
  return NextResponse.json(page);
});
