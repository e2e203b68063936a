import { NextResponse } from "next/server";
import { feedEngine } from "@/lib/events/engine";
import type { Health } from "@/lib/api/schemas";
import { withErrors } from "@/lib/errors";
import { readiness } from "@/lib/health";

// GET /api/health - readiness with details for people: database, feed listener, open streams,
// which transport serves the feed and the Node.js version (probes: /api/health/live and /ready)
export const GET = withErrors(async () => {
  const { ready, database, listener, draining } = await readiness();
  const health: Health = {
    status: ready ? "ok" : "degraded",
    database,
    listener,
    draining,
    openStreams: feedEngine().hub.size,
    // Which transport serves the feed here: node:http under `npm start`, else the route handler.
    feedTransport: process.env.STOCKPULSE_FEED_TRANSPORT === "node:http" ? "node:http" : "route handler",
    node: process.version,
  };
  return NextResponse.json(health, { status: ready ? 200 : 503 });
});
