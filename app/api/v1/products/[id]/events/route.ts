import { NextResponse } from "next/server";
import { z } from "zod";
import { apiRoute } from "@/lib/http/api-route";
import { fetchProductHistory } from "@/lib/products/queries";
import { productIdSchema } from "@/lib/products/validation";

const limitSchema = z.coerce.number().int().min(1).max(1000).default(100);

// GET /api/v1/products/[id]/events?limit=100 - the product's recent changes, newest first
export const GET = apiRoute(async (request: Request, { params }: RouteContext<"/api/v1/products/[id]/events">) => {
  const id = productIdSchema.parse((await params).id);
  const limit = limitSchema.parse(new URL(request.url).searchParams.get("limit") ?? undefined);
  return NextResponse.json({ events: await fetchProductHistory(id, limit) });
});
