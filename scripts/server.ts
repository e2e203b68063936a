// The production server that `npm start` runs: a Next.js custom server (Next's documented
// `next()` + `getRequestHandler()`) that hands the live feed, GET/HEAD
// /api/v1/stream/product-updates, and the write path's hot request, POST
// /api/v1/products/{id}/stock-adjustments, to node:http transports and everything else to Next. The
// route handler is the same feed through a web ReadableStream; it serves `next dev` and plain
// `next start`. Why two: docs/benchmarks.md (Next's stream pipe costs several times the CPU and
// memory per stream of writing to the socket).
//
//   node --import tsx scripts/server.ts [--port 3000] [--hostname 0.0.0.0]
//
// SIGTERM/SIGINT: /api/health/ready answers 503 and open streams get a shutdown frame (clients
// resume on another instance); after SHUTDOWN_DRAIN_MS (default 0) the server stops accepting,
// in-flight requests finish, then the process exits.
import "../lib/supported-node";
import http from "node:http";
import path from "node:path";
import { parseArgs } from "node:util";
import next from "next";

const { values } = parseArgs({
  options: { port: { type: "string", default: process.env.PORT ?? "3000" }, hostname: { type: "string" } },
});
const port = Number(values.port);
const root = path.join(import.meta.dirname, "..");
const STOP_GRACE_MS = 10_000;

process.env.STOCKPULSE_FEED_TRANSPORT = "node:http";
const app = next({ dev: false, dir: root, port, hostname: values.hostname ?? "localhost" });
const handle = app.getRequestHandler();
// Next's instrumentation (instrumentation-node.ts) runs here: it validates the environment,
// creates the first admin and starts the feed engine, all on globalThis. The feed modules are
// loaded only after it, so this file's copy of them shares that one engine and database client.
await app.prepare();
const { FEED_PATH, handleFeedRequest } = await import("@/lib/events/transport-node");
const { feedEngine } = await import("@/lib/events/engine");
const { handleStockAdjustment, stockAdjustmentTarget } = await import("@/lib/products/transport-node");
const { startDraining } = await import("@/lib/health");
const { stopWebhookDeliverer } = await import("@/lib/webhooks/deliverer");
const { env } = await import("@/lib/env");
const { refuseUnsupportedMethod } = await import("@/lib/http/unsupported-methods");
const { isExportPath } = await import("@/lib/products/csv");
const { log, withRequest } = await import("@/lib/log");
const { proxyIdTrusted, REQUEST_ID_HEADER, requestIdFor } = await import("@/lib/http/request-id");
const exportStallMs = env().EXPORT_STALL_TIMEOUT_MS;
const proxyIdsTrusted = proxyIdTrusted();

const server = http.createServer((req, res) => {
  // Every request gets its id here, whichever transport serves it: in the response header, and in
  // the request header for Next (proxy.ts and the route handlers take it from there, as they take
  // the peer from X-Forwarded-For below).
  const sent = req.headers[REQUEST_ID_HEADER];
  const requestId = requestIdFor(typeof sent === "string" ? sent : undefined, proxyIdsTrusted);
  req.headers[REQUEST_ID_HEADER] = requestId;
  res.setHeader("X-Request-Id", requestId);
  const path = req.url?.split("?", 1)[0] ?? "/";
  withRequest({ requestId, method: req.method ?? "GET", path }, () => serve(req, res, path));
});

function serve(req: http.IncomingMessage, res: http.ServerResponse, path: string) {
  if (refuseUnsupportedMethod(req, res)) return;
  if (path === FEED_PATH) return void handleFeedRequest(req, res);
  const adjusted = stockAdjustmentTarget(req);
  if (adjusted !== null) void handleStockAdjustment(req, res, adjusted);
  else {
    // An export whose client stops reading is cut here, where its socket is: Next's pipe waits
    // for a 'drain' that never comes, so the route's own stall check cannot close the connection.
    // Node's response timeout is the socket's inactivity: no byte taken by the client for that long.
    if (isExportPath(req.url)) res.setTimeout(exportStallMs, () => res.destroy());
    // This server is one more hop: it appends the connecting address to X-Forwarded-For, as a
    // proxy does, so Next's routes see the peer even when a client sent the header itself
    // (lib/http/client-address.ts takes the client from the right, past trusted proxies).
    const peer = req.socket.remoteAddress;
    const forwarded = req.headers["x-forwarded-for"];
    if (peer) req.headers["x-forwarded-for"] = forwarded ? `${forwarded}, ${peer}` : peer;
    void handle(req, res);
  }
}

server.listen(port, values.hostname, () => {
  log.info(
    `production server on http://${values.hostname ?? "localhost"}:${port} (feed: node:http, Node.js ${process.version})`,
  );
});

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  // Readiness answers 503 from now on; streams move to other instances at once. Everything else
  // is still served for SHUTDOWN_DRAIN_MS, so a balancer polling /api/health/ready stops sending
  // new requests before this instance stops accepting them.
  startDraining();
  stopWebhookDeliverer();
  const engine = feedEngine();
  engine.hub.shutdown();
  const drainMs = env().SHUTDOWN_DRAIN_MS;
  if (drainMs > 0) {
    log.info(`draining for ${drainMs} ms (SHUTDOWN_DRAIN_MS) before closing`);
    await new Promise((resolve) => setTimeout(resolve, drainMs));
    engine.hub.shutdown(); // streams opened meanwhile
  }
  void engine.listener.stop();
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  setTimeout(() => {
    server.closeAllConnections();
    process.exit(0);
  }, STOP_GRACE_MS).unref();
}
for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, () => void stop());
