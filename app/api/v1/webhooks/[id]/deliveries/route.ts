import { NextResponse } from "next/server";
import { requireAdmin } from "@/lib/auth/guards";
import { apiRoute } from "@/lib/http/api-route";
import { listDeliveries } from "@/lib/webhooks/subscriptions";
import { deliveriesQuerySchema, webhookIdSchema } from "@/lib/webhooks/validation";

// GET /api/v1/webhooks/[id]/deliveries?limit=20&before=<id> - the delivery log, newest first (admin)
export const GET = apiRoute(async (request: Request, { params }: RouteContext<"/api/v1/webhooks/[id]/deliveries">) => {
  await requireAdmin(request);
  const id = webhookIdSchema.parse((await params).id);
  const search = new URL(request.url).searchParams;
  const { limit, before } = deliveriesQuerySchema.parse({
    limit: search.get("limit") ?? undefined,
    before: search.get("before") ?? undefined,
  });
  return NextResponse.json(await listDeliveries(id, limit, before));
});
