import { NextResponse } from "next/server";
import { withErrors } from "@/lib/errors";
import { readiness } from "@/lib/health";

// GET /api/health/ready - 200 while this instance can serve (database, feed listener, not
// draining after SIGTERM), else 503
export const GET = withErrors(async () => {
  const { ready, ...checks } = await readiness();
  return NextResponse.json({ status: ready ? "ready" : "not ready", ...checks }, { status: ready ? 200 : 503 });
});
