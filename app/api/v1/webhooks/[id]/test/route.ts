import { NextResponse } from "next/server";
import { requireAdmin } from "@/lib/auth/guards";
import { apiRoute } from "@/lib/http/api-route";
import { sendTestEvent } from "@/lib/webhooks/subscriptions";
import { webhookIdSchema } from "@/lib/webhooks/validation";

// POST /api/v1/webhooks/[id]/test - send a signed test request now; answers its log entry (admin)
export const POST = apiRoute(async (request: Request, { params }: RouteContext<"/api/v1/webhooks/[id]/test">) => {
  await requireAdmin(request);
  return NextResponse.json(await sendTestEvent(webhookIdSchema.parse((await params).id)));
});
