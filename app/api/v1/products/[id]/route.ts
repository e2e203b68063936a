import { NextResponse } from "next/server";
import { requireAdmin, requireReader } from "@/lib/auth/guards";
import { readJson } from "@/lib/http/read-json";
import { apiRoute } from "@/lib/http/api-route";
import { idempotencyKey, idempotentWrite } from "@/lib/products/idempotency";
import { updateProduct } from "@/lib/products/mutations";
import { fetchProduct } from "@/lib/products/queries";
import { parseProductIdParam, updateProductSchema } from "@/lib/products/validation";

// GET /api/v1/products/[id] - one product
export const GET = apiRoute(async (request: Request, { params }: RouteContext<"/api/v1/products/[id]">) => {
  await requireReader(request);
  const id = parseProductIdParam((await params).id);
  return NextResponse.json(await fetchProduct(id));
});

// PATCH /api/v1/products/[id] - set fields, optionally only at an expected version (admin); once per Idempotency-Key
export const PATCH = apiRoute(async (request: Request, { params }: RouteContext<"/api/v1/products/[id]">) => {
  const caller = await requireAdmin(request);
  const key = idempotencyKey(request);
  const id = parseProductIdParam((await params).id);
  const body = await readJson(request);
  const input = updateProductSchema.parse(body);
  const { status, ...reply } = await idempotentWrite(
    { caller, key, route: `PATCH /api/v1/products/${id}`, body },
    async (via) => ({ status: 200, body: await updateProduct(id, input, caller, via) }),
  );
  return NextResponse.json(reply.body, { status, headers: reply.headers });
});
