// The floor: a minimal node:http SSE server doing the same fan-out as StockPulse from the same
// PostgreSQL notifications (one LISTEN connection, frame encoded once, written to every socket
// without awaiting). Only for bench/fanout.ts.
import http from "node:http";
import pg from "pg";

const port = Number(process.env.PORT);
const clients = new Set<http.ServerResponse>();
const encoder = new TextEncoder();

const listener = new pg.Client({ connectionString: process.env.DATABASE_URL });
await listener.connect();
await listener.query("LISTEN product_events");
listener.on("notification", (message) => {
  const { eventId } = JSON.parse(message.payload!) as { eventId: string };
  const frame = encoder.encode(`id: ${eventId}\ndata: ${message.payload}\n\n`);
  for (const client of clients) client.write(frame);
});

const ping = encoder.encode(": ping\n\n");
setInterval(() => clients.forEach((client) => client.write(ping)), 15_000).unref();

http
  .createServer((request, response) => {
    if (request.url === "/api/health") return response.end("ok");
    response.writeHead(200, {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-cache, no-transform",
      "X-Accel-Buffering": "no",
    });
    response.write("retry: 2000\n\n");
    clients.add(response);
    request.on("close", () => clients.delete(response));
  })
  .listen(port, "127.0.0.1");

// Exit normally on SIGINT so that `--cpu-prof` can write its profile.
process.on("SIGINT", () => process.exit(0));
