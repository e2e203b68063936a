import { NextResponse } from "next/server";
import { requireAdmin } from "@/lib/auth/guards";
import { readJson, withErrors } from "@/lib/errors";
import { adjustStock } from "@/lib/products/mutations";
import { productIdSchema, stockAdjustmentSchema } from "@/lib/products/validation";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ id: string }> };

// POST /api/v1/products/[id]/stock-adjustments - add or remove stock atomically (admin)
export const POST = withErrors(async (request: Request, { params }: Context) => {
  const actor = await requireAdmin(request);
  const id = productIdSchema.parse((await params).id);
  const input = stockAdjustmentSchema.parse(await readJson(request));
  return NextResponse.json(await adjustStock(id, input, actor));
});
