import { NextResponse } from "next/server";
import { requireReader } from "@/lib/auth/guards";
import { alertsLimitSchema, fetchRecentAlerts } from "@/lib/events/alerts";
import { apiRoute } from "@/lib/http/api-route";

// GET /api/v1/alerts?limit=20 - the latest stock level changes (low, out, back in stock), newest first
export const GET = apiRoute(async (request: Request) => {
  await requireReader(request);
  const limit = alertsLimitSchema.parse(new URL(request.url).searchParams.get("limit") ?? undefined);
  return NextResponse.json({ alerts: await fetchRecentAlerts(limit) });
});
