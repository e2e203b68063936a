import { NextResponse } from "next/server";
import { apiRoute } from "@/lib/http/api-route";
import { stockAdjustmentRequest } from "@/lib/products/requests";

// POST /api/v1/products/[id]/stock-adjustments - add or remove stock atomically (admin).
// `npm start` serves this from node:http instead (lib/products/transport-node.ts): same steps.
export const POST = apiRoute(
  async (request: Request, { params }: RouteContext<"/api/v1/products/[id]/stock-adjustments">) => {
    const { status, body, headers } = await stockAdjustmentRequest(request, (await params).id);
    return NextResponse.json(body, { status, headers });
  },
);
