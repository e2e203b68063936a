import { NextResponse } from "next/server";
import { requireAdmin } from "@/lib/auth/guards";
import { readJson } from "@/lib/errors";
import { apiRoute } from "@/lib/http/api-route";
import { applyStockAdjustments } from "@/lib/products/bulk";
import { bulkAdjustmentSchema, MAX_BULK_BODY_BYTES } from "@/lib/products/validation";

export const dynamic = "force-dynamic";

// POST /api/v1/stock-adjustments - up to 1,000 stock adjustments, all or nothing (admin)
export const POST = apiRoute(async (request: Request) => {
  const actor = await requireAdmin(request);
  const input = bulkAdjustmentSchema.parse(await readJson(request, MAX_BULK_BODY_BYTES));
  return NextResponse.json(await applyStockAdjustments(input, actor));
});
