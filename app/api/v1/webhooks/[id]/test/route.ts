import { NextResponse } from "next/server";
import { requireAdmin } from "@/lib/auth/guards";
import { apiRoute } from "@/lib/http/api-route";
import { idempotencyKey, idempotentCall } from "@/lib/products/idempotency";
import { recordTestEvent, sendTestEvent, testClaimMs } from "@/lib/webhooks/subscriptions";
import { webhookIdSchema } from "@/lib/webhooks/validation";

// POST /api/v1/webhooks/[id]/test - send a signed test request now; answers its log entry (admin)
export const POST = apiRoute(async (request: Request, { params }: RouteContext<"/api/v1/webhooks/[id]/test">) => {
  const caller = await requireAdmin(request);
  const id = webhookIdSchema.parse((await params).id);
  const key = idempotencyKey(request);
  // No body: a retry with the key gets the first attempt's log entry instead of sending again.
  // Not idempotentWrite: the request to the endpoint must not run inside a transaction.
  const { status, ...reply } = await idempotentCall(
    { caller, key, route: `POST /api/v1/webhooks/${id}/test`, body: null },
    testClaimMs(),
    () => sendTestEvent(id),
    async (result, via) => ({ status: 200, body: await recordTestEvent(id, result, via) }),
  );
  return NextResponse.json(reply.body, { status, headers: reply.headers });
});
