import { NextResponse } from "next/server";
import { requireAdmin } from "@/lib/auth/guards";
import { readJson } from "@/lib/http/read-json";
import { apiRoute } from "@/lib/http/api-route";
import { replayWebhook } from "@/lib/webhooks/subscriptions";
import { replaySchema, webhookIdSchema } from "@/lib/webhooks/validation";

// POST /api/v1/webhooks/[id]/replay - deliver again from a retained event id on (admin)
export const POST = apiRoute(async (request: Request, { params }: RouteContext<"/api/v1/webhooks/[id]/replay">) => {
  await requireAdmin(request);
  const id = webhookIdSchema.parse((await params).id);
  const { fromEventId } = replaySchema.parse(await readJson(request));
  return NextResponse.json(await replayWebhook(id, fromEventId));
});
