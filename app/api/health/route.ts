import { NextResponse } from "next/server";
import { db } from "@/lib/db";
import { feedEngine } from "@/lib/events/engine";

export const dynamic = "force-dynamic";

// GET /api/health - liveness, database reachability and the feed listener's state
export async function GET() {
  const { listener, hub } = feedEngine();
  const database = await db.$queryRaw`SELECT 1`.then(() => "ok" as const).catch(() => "unreachable" as const);
  const healthy = database === "ok" && listener.state === "listening";
  return NextResponse.json(
    {
      status: healthy ? "ok" : "degraded",
      database,
      listener: listener.state,
      openStreams: hub.size,
      // Which transport serves the feed here: node:http under `npm start`, else the route handler.
      feedTransport: process.env.STOCKPULSE_FEED_TRANSPORT ?? "route handler",
    },
    { status: healthy ? 200 : 503 },
  );
}
