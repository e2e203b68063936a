import { NextResponse } from "next/server";
import { requireAdmin } from "@/lib/auth/guards";
import { readJson } from "@/lib/http/read-json";
import { apiRoute } from "@/lib/http/api-route";
import { idempotencyKey, idempotentWrite } from "@/lib/products/idempotency";
import { wakeWebhookDeliverer } from "@/lib/webhooks/deliverer";
import { replayWebhook } from "@/lib/webhooks/subscriptions";
import { replaySchema, webhookIdSchema } from "@/lib/webhooks/validation";

// POST /api/v1/webhooks/[id]/replay - deliver again from a retained event id on (admin)
export const POST = apiRoute(async (request: Request, { params }: RouteContext<"/api/v1/webhooks/[id]/replay">) => {
  const caller = await requireAdmin(request);
  const id = webhookIdSchema.parse((await params).id);
  const key = idempotencyKey(request);
  const body = await readJson(request);
  const { fromEventId } = replaySchema.parse(body);
  const { status, ...reply } = await idempotentWrite(
    { caller, key, route: `POST /api/v1/webhooks/${id}/replay`, body },
    async (via) => ({ status: 200, body: await replayWebhook(id, fromEventId, via) }),
  );
  wakeWebhookDeliverer(); // after COMMIT: the change is visible to its pass
  return NextResponse.json(reply.body, { status, headers: reply.headers });
});
