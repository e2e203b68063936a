import { NextResponse } from "next/server";
import { requireAdmin, requireReader } from "@/lib/auth/guards";
import { readJson } from "@/lib/http/read-json";
import { apiRoute } from "@/lib/http/api-route";
import { createProduct } from "@/lib/products/mutations";
import { fetchProductSnapshot } from "@/lib/products/queries";
import { createProductSchema, productListQuerySchema } from "@/lib/products/validation";

// GET /api/v1/products?sku= - every product (or the one with that exact sku) and the last event id the list reflects
export const GET = apiRoute(async (request: Request) => {
  await requireReader(request);
  const filter = productListQuerySchema.parse({ sku: new URL(request.url).searchParams.getAll("sku") });
  return NextResponse.json(await fetchProductSnapshot(filter));
});

// POST /api/v1/products - create a product (admin)
export const POST = apiRoute(async (request: Request) => {
  const actor = await requireAdmin(request);
  const input = createProductSchema.parse(await readJson(request));
  return NextResponse.json(await createProduct(input, actor), { status: 201 });
});
