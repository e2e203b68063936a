import { NextResponse } from "next/server";

// GET /api/health/live - the process answers; nothing else is checked (a database outage is no
// reason to restart it)
export function GET() {
  return NextResponse.json({ status: "ok" });
}
