import { NextResponse } from "next/server";
import { requireAdmin, requireReader } from "@/lib/auth/guards";
import { readJson } from "@/lib/http/read-json";
import { apiRoute } from "@/lib/http/api-route";
import { updateProduct } from "@/lib/products/mutations";
import { fetchProduct } from "@/lib/products/queries";
import { productIdSchema, updateProductSchema } from "@/lib/products/validation";

// GET /api/v1/products/[id] - one product
export const GET = apiRoute(async (request: Request, { params }: RouteContext<"/api/v1/products/[id]">) => {
  await requireReader(request);
  const id = productIdSchema.parse((await params).id);
  return NextResponse.json(await fetchProduct(id));
});

// PATCH /api/v1/products/[id] - set fields, optionally only at an expected version (admin)
export const PATCH = apiRoute(async (request: Request, { params }: RouteContext<"/api/v1/products/[id]">) => {
  const actor = await requireAdmin(request);
  const id = productIdSchema.parse((await params).id);
  const input = updateProductSchema.parse(await readJson(request));
  return NextResponse.json(await updateProduct(id, input, actor));
});
