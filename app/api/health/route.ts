import { NextResponse } from "next/server";
import { feedEngine } from "@/lib/events/engine";
import { readiness } from "@/lib/health";

// GET /api/health - readiness with details for people: database, feed listener, open streams,
// which transport serves the feed and the Node.js version (probes: /api/health/live and /ready)
export async function GET() {
  const { ready, database, listener, draining } = await readiness();
  return NextResponse.json(
    {
      status: ready ? "ok" : "degraded",
      database,
      listener,
      draining,
      openStreams: feedEngine().hub.size,
      // Which transport serves the feed here: node:http under `npm start`, else the route handler.
      feedTransport: process.env.STOCKPULSE_FEED_TRANSPORT ?? "route handler",
      node: process.version,
    },
    { status: ready ? 200 : 503 },
  );
}
