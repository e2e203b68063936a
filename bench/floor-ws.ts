// The alternative the shop weighed: a `ws` WebSocket broadcast of the same PostgreSQL
// notifications (one LISTEN connection, one frame prepared per event). Only for bench/fanout.ts.
import http from "node:http";
import pg from "pg";
import { WebSocket, WebSocketServer } from "ws";

const port = Number(process.env.PORT);
const server = http.createServer((request, response) => response.end("ok"));
const wss = new WebSocketServer({ server, perMessageDeflate: false });

const listener = new pg.Client({ connectionString: process.env.DATABASE_URL });
await listener.connect();
await listener.query("LISTEN product_events");
listener.on("notification", (message) => {
  const payload = Buffer.from(message.payload!);
  for (const client of wss.clients) if (client.readyState === WebSocket.OPEN) client.send(payload, { binary: false });
});

server.listen(port, "127.0.0.1");

// Exit normally on SIGINT so that `--cpu-prof` can write its profile.
process.on("SIGINT", () => process.exit(0));
