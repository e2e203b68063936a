import { NextResponse } from "next/server";
import { requireAdmin } from "@/lib/auth/guards";
import { readJson } from "@/lib/http/read-json";
import { apiRoute } from "@/lib/http/api-route";
import { applyStocktake } from "@/lib/products/bulk";
import { idempotencyKey, idempotentWrite } from "@/lib/products/idempotency";
import { MAX_BULK_BODY_BYTES, stocktakeSchema } from "@/lib/products/validation";

export const dynamic = "force-dynamic";

// POST /api/v1/stocktakes - set up to 10,000 counted stock levels, all or nothing (admin); once per Idempotency-Key
export const POST = apiRoute(async (request: Request) => {
  const caller = await requireAdmin(request);
  const key = idempotencyKey(request);
  const body = await readJson(request, MAX_BULK_BODY_BYTES);
  const input = stocktakeSchema.parse(body);
  const { status, ...reply } = await idempotentWrite(
    { caller, key, route: "POST /api/v1/stocktakes", body },
    async (via) => ({ status: 200, body: await applyStocktake(input, caller, via) }),
  );
  return NextResponse.json(reply.body, { status, headers: reply.headers });
});
