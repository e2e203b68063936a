import { NextResponse } from "next/server";
import { apiRoute } from "@/lib/http/api-route";
import { archiveRequest } from "@/lib/products/requests";

// POST /api/v1/products/[id]/archive - archive a product: it leaves the default list and takes no writes (admin); once per Idempotency-Key
export const POST = apiRoute(async (request: Request, { params }: RouteContext<"/api/v1/products/[id]/archive">) => {
  const { status, body, headers } = await archiveRequest(request, (await params).id, true);
  return NextResponse.json(body, { status, headers });
});
