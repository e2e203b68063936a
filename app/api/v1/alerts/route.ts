import { NextResponse } from "next/server";
import { z } from "zod";
import { fetchRecentAlerts } from "@/lib/events/alerts";
import { apiRoute } from "@/lib/http/api-route";

const limitSchema = z.coerce.number().int().min(1).max(100).default(20);

// GET /api/v1/alerts?limit=20 - the latest stock level changes (low, out, back in stock), newest first
export const GET = apiRoute(async (request: Request) => {
  const limit = limitSchema.parse(new URL(request.url).searchParams.get("limit") ?? undefined);
  return NextResponse.json({ alerts: await fetchRecentAlerts(limit) });
});
