import { NextResponse } from "next/server";
import { requireReader } from "@/lib/auth/guards";
import { apiRoute } from "@/lib/http/api-route";
import { fetchProductHistory } from "@/lib/products/queries";
import type { z } from "zod";
import type { productHistorySchema } from "@/lib/products/dto";
import { historyLimitSchema, productIdSchema } from "@/lib/products/validation";

// GET /api/v1/products/[id]/events?limit=100 - the product's recent changes, newest first; who
// and why only for staff and tokens
export const GET = apiRoute(async (request: Request, { params }: RouteContext<"/api/v1/products/[id]/events">) => {
  const { seesAudit } = await requireReader(request, { audit: true });
  const id = productIdSchema.parse((await params).id);
  const limit = historyLimitSchema.parse(new URL(request.url).searchParams.get("limit") ?? undefined);
  const history: z.infer<typeof productHistorySchema> = { events: await fetchProductHistory(id, limit, seesAudit) };
  return NextResponse.json(history);
});
