import { NextResponse } from "next/server";
import { requireAdmin } from "@/lib/auth/guards";
import { readJson } from "@/lib/http/read-json";
import { apiRoute } from "@/lib/http/api-route";
import { idempotencyKey, idempotentWrite } from "@/lib/products/idempotency";
import { wakeWebhookDeliverer } from "@/lib/webhooks/deliverer";
import { createWebhook, listWebhooks } from "@/lib/webhooks/subscriptions";
import { createWebhookSchema } from "@/lib/webhooks/validation";

// GET /api/v1/webhooks - every webhook subscription, without secrets (admin)
export const GET = apiRoute(async (request: Request) => {
  await requireAdmin(request);
  return NextResponse.json({ webhooks: await listWebhooks() });
});

// POST /api/v1/webhooks - subscribe a URL; the answer holds the signing secret (admin); once per Idempotency-Key
export const POST = apiRoute(async (request: Request) => {
  const caller = await requireAdmin(request);
  const key = idempotencyKey(request);
  const body = await readJson(request);
  const input = createWebhookSchema.parse(body);
  const { status, ...reply } = await idempotentWrite(
    { caller, key, route: "POST /api/v1/webhooks", body },
    async (via) => ({ status: 201, body: await createWebhook(input, caller, via) }),
  );
  wakeWebhookDeliverer(); // after COMMIT: the change is visible to its pass
  return NextResponse.json(reply.body, { status, headers: reply.headers });
});
