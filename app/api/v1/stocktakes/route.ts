import { NextResponse } from "next/server";
import { requireAdmin } from "@/lib/auth/guards";
import { readJson } from "@/lib/errors";
import { apiRoute } from "@/lib/http/api-route";
import { applyStocktake } from "@/lib/products/bulk";
import { MAX_BULK_BODY_BYTES, stocktakeSchema } from "@/lib/products/validation";

export const dynamic = "force-dynamic";

// POST /api/v1/stocktakes - set up to 1,000 counted stock levels, all or nothing (admin)
export const POST = apiRoute(async (request: Request) => {
  const actor = await requireAdmin(request);
  const input = stocktakeSchema.parse(await readJson(request, MAX_BULK_BODY_BYTES));
  return NextResponse.json(await applyStocktake(input, actor));
});
