import { NextResponse } from "next/server";
import { apiRoute } from "@/lib/http/api-route";
import { archiveRequest } from "@/lib/products/requests";

// POST /api/v1/products/[id]/restore - restore an archived product to the default list (admin); once per Idempotency-Key
export const POST = apiRoute(async (request: Request, { params }: RouteContext<"/api/v1/products/[id]/restore">) => {
  const { status, body, headers } = await archiveRequest(request, (await params).id, false);
  return NextResponse.json(body, { status, headers });
});
