import { NextResponse } from "next/server";
import { requireAdmin } from "@/lib/auth/guards";
import { readJson } from "@/lib/http/read-json";
import { apiRoute } from "@/lib/http/api-route";
import { createWebhook, listWebhooks } from "@/lib/webhooks/subscriptions";
import { createWebhookSchema } from "@/lib/webhooks/validation";

// GET /api/v1/webhooks - every webhook subscription, without secrets (admin)
export const GET = apiRoute(async (request: Request) => {
  await requireAdmin(request);
  return NextResponse.json({ webhooks: await listWebhooks() });
});

// POST /api/v1/webhooks - subscribe a URL; the answer holds the signing secret, this once (admin)
export const POST = apiRoute(async (request: Request) => {
  const actor = await requireAdmin(request);
  const input = createWebhookSchema.parse(await readJson(request));
  return NextResponse.json(await createWebhook(input, actor), { status: 201 });
});
