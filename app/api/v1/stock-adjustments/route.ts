import { NextResponse } from "next/server";
import { requireAdmin } from "@/lib/auth/guards";
import { readJson } from "@/lib/http/read-json";
import { apiRoute } from "@/lib/http/api-route";
import { applyStockAdjustments } from "@/lib/products/bulk";
import { idempotencyKey, idempotentWrite } from "@/lib/products/idempotency";
import { bulkAdjustmentSchema, MAX_BULK_BODY_BYTES } from "@/lib/products/validation";

export const dynamic = "force-dynamic";

// POST /api/v1/stock-adjustments - up to 10,000 stock adjustments, all or nothing (admin); once per Idempotency-Key
export const POST = apiRoute(async (request: Request) => {
  const caller = await requireAdmin(request);
  const key = idempotencyKey(request);
  const body = await readJson(request, MAX_BULK_BODY_BYTES);
  const input = bulkAdjustmentSchema.parse(body);
  const { status, ...reply } = await idempotentWrite(
    { caller, key, route: "POST /api/v1/stock-adjustments", body },
    async (via) => ({ status: 200, body: await applyStockAdjustments(input, caller, via) }),
  );
  return NextResponse.json(reply.body, { status, headers: reply.headers });
});
