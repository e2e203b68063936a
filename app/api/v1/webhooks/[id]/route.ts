import { NextResponse } from "next/server";
import { requireAdmin } from "@/lib/auth/guards";
import { readJson } from "@/lib/http/read-json";
import { apiRoute } from "@/lib/http/api-route";
import { idempotencyKey, idempotentWrite } from "@/lib/products/idempotency";
import { wakeWebhookDeliverer } from "@/lib/webhooks/deliverer";
import { deleteWebhook, fetchWebhook, updateWebhook } from "@/lib/webhooks/subscriptions";
import { updateWebhookSchema, webhookIdSchema } from "@/lib/webhooks/validation";

// GET /api/v1/webhooks/[id] - one subscription: status, cursor, why it is paused (admin)
export const GET = apiRoute(async (request: Request, { params }: RouteContext<"/api/v1/webhooks/[id]">) => {
  await requireAdmin(request);
  return NextResponse.json(await fetchWebhook(webhookIdSchema.parse((await params).id)));
});

// PATCH /api/v1/webhooks/[id] - pause or resume, change the URL, kinds or products (admin)
export const PATCH = apiRoute(async (request: Request, { params }: RouteContext<"/api/v1/webhooks/[id]">) => {
  const caller = await requireAdmin(request);
  const id = webhookIdSchema.parse((await params).id);
  const key = idempotencyKey(request);
  const body = await readJson(request);
  const patch = updateWebhookSchema.parse(body);
  const { status, ...reply } = await idempotentWrite(
    { caller, key, route: `PATCH /api/v1/webhooks/${id}`, body },
    async (via) => ({ status: 200, body: await updateWebhook(id, patch, caller, via) }),
  );
  wakeWebhookDeliverer(); // after COMMIT: the change is visible to its pass
  return NextResponse.json(reply.body, { status, headers: reply.headers });
});

// DELETE /api/v1/webhooks/[id] - unsubscribe, with its delivery log (admin)
export const DELETE = apiRoute(async (request: Request, { params }: RouteContext<"/api/v1/webhooks/[id]">) => {
  const caller = await requireAdmin(request);
  await deleteWebhook(webhookIdSchema.parse((await params).id), caller);
  return new Response(null, { status: 204 });
});
