import { NextResponse } from "next/server";
import { withErrors } from "@/lib/errors";

// GET /api/health/live - the process answers; nothing else is checked (a database outage is no
// reason to restart it)
export const GET = withErrors(async () => NextResponse.json({ status: "ok" }));
