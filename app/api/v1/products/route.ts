import { NextResponse } from "next/server";
import { requireAdmin, requireReader } from "@/lib/auth/guards";
import { readJson } from "@/lib/http/read-json";
import { apiRoute } from "@/lib/http/api-route";
import { idempotencyKey, idempotentWrite } from "@/lib/products/idempotency";
import { createProduct } from "@/lib/products/mutations";
import { fetchProductSnapshot } from "@/lib/products/queries";
import { createProductSchema, productListQuerySchema } from "@/lib/products/validation";

// GET /api/v1/products?sku=&archived= - the active products (or archived, or all; or the one with that exact sku) and the last event id the list reflects
export const GET = apiRoute(async (request: Request) => {
  await requireReader(request);
  const { searchParams } = new URL(request.url);
  const filter = productListQuerySchema.parse({
    sku: searchParams.getAll("sku"),
    archived: searchParams.getAll("archived"),
  });
  return NextResponse.json(await fetchProductSnapshot(filter));
});

// POST /api/v1/products - create a product (admin); once per Idempotency-Key
export const POST = apiRoute(async (request: Request) => {
  const caller = await requireAdmin(request);
  const key = idempotencyKey(request);
  const body = await readJson(request);
  const input = createProductSchema.parse(body);
  const { status, ...reply } = await idempotentWrite(
    { caller, key, route: "POST /api/v1/products", body },
    async (via) => ({ status: 201, body: await createProduct(input, caller, via) }),
  );
  return NextResponse.json(reply.body, { status, headers: reply.headers });
});
