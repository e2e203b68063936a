// The write-path floor: a minimal node:http server that does what StockPulse's
// POST /api/v1/products/{id}/stock-adjustments does with nothing in between: check the bearer
// token (SHA-256 + timingSafeEqual, as lib/auth/guards.ts), read and check the same JSON body,
// run the same single SQL statement as lib/products/mutations.ts commitChange (row update, the
// event-order advisory lock, the ProductEvent insert, pg_notify) through a plain pg.Pool, and
// answer with the product. It also serves the feed as bench/floor-sse.ts does (one LISTEN,
// frame encoded once, `res.write` to every matching client, `?productIds=` honoured), so that
// the benchmark's open streams load it the same way. Only for bench/writes.ts.
import { createHash, timingSafeEqual } from "node:crypto";
import http from "node:http";
import pg from "pg";

const port = Number(process.env.PORT);
const EVENT_ORDER_LOCK = 7_310_001; // lib/products/mutations.ts
const INT32_MAX = 2_147_483_647;
const MAX_BODY_BYTES = 16 * 1024;

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 20 });
const sha256 = (value: string) => createHash("sha256").update(value).digest();
const tokenDigest = sha256(process.env.ADMIN_API_TOKEN ?? "");

// lib/products/mutations.ts adjustStock + commitChange, as one parameterised statement.
const ADJUST = `
  WITH changed AS (
    UPDATE "Product" SET stock = stock + $2::int, version = version + 1, "updatedAt" = now()
    WHERE id = $1::int AND stock::bigint + $2::int BETWEEN 0 AND ${INT32_MAX}::int
    RETURNING *, stock - $2::int AS "previousStock", "lowStockThreshold" AS "previousLowStockThreshold"),
  ordered AS (SELECT pg_advisory_xact_lock(${EVENT_ORDER_LOCK}::bigint) FROM changed),
  event AS (
    INSERT INTO "ProductEvent"
      ("productId", kind, sku, name, stock, "priceCents", "lowStockThreshold", version, delta, reason, actor,
       "stockLevel", "previousStockLevel",
       "previousSku", "previousName", "previousStock", "previousPriceCents", "previousLowStockThreshold")
    SELECT c.id, 'stock'::varchar, c.sku, c.name, c.stock, c."priceCents", c."lowStockThreshold", c.version,
           $2::int, $3::varchar, $4::varchar,
           stock_level(c.stock, c."lowStockThreshold"), stock_level(c."previousStock", c."previousLowStockThreshold"),
           c.sku, c.name, c."previousStock", c."priceCents", c."previousLowStockThreshold"
    FROM changed c, ordered
    RETURNING id, "createdAt", "stockLevel", "previousStockLevel"
  ),
  notified AS (
    SELECT pg_notify('product_events', json_build_object(
      'eventId', e.id::text, 'productId', c.id, 'newStock', c.stock, 'newPrice', c."priceCents",
      'version', c.version, 'kind', 'stock'::text,
      'at', to_char(e."createdAt" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
      'sku', c.sku, 'name', c.name, 'lowStockThreshold', c."lowStockThreshold", 'delta', $2::int,
      'stockLevel', e."stockLevel", 'previousStockLevel', e."previousStockLevel",
      'changes', json_build_array(json_build_object('field', 'stock', 'before', c."previousStock", 'after', c.stock))
    )::text)
    FROM changed c, event e
  )
  SELECT c.*, (SELECT count(*) FROM notified) AS notifications FROM changed c`;

type Feed = { response: http.ServerResponse; productIds: Set<number> | null };
const clients = new Set<Feed>();
const encoder = new TextEncoder();

const listener = new pg.Client({ connectionString: process.env.DATABASE_URL });
await listener.connect();
await listener.query("LISTEN product_events");
listener.on("notification", (message) => {
  const { eventId, productId } = JSON.parse(message.payload!) as { eventId: string; productId: number };
  const frame = encoder.encode(`id: ${eventId}\ndata: ${message.payload}\n\n`);
  for (const client of clients) {
    if (!client.productIds || client.productIds.has(productId)) client.response.write(frame);
  }
});
const ping = encoder.encode(": ping\n\n");
setInterval(() => clients.forEach((client) => client.response.write(ping)), 15_000).unref();

function json(response: http.ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  response.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
  response.end(text);
}
const fail = (response: http.ServerResponse, status: number, code: string) =>
  json(response, status, { error: { code, message: code } });

async function adjust(request: http.IncomingMessage, response: http.ServerResponse, id: number) {
  const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? "");
  if (!bearer || !timingSafeEqual(sha256(bearer[1]), tokenDigest)) return fail(response, 401, "UNAUTHENTICATED");
  if (!/^application\/json\s*(;|$)/i.test(request.headers["content-type"] ?? "")) {
    return fail(response, 415, "UNSUPPORTED_MEDIA_TYPE");
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.byteLength;
    if (size > MAX_BODY_BYTES) return fail(response, 413, "BODY_TOO_LARGE");
    chunks.push(chunk);
  }
  let body: { delta?: unknown; reason?: unknown };
  try {
    body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    return fail(response, 400, "INVALID_JSON");
  }
  const { delta, reason } = body ?? {};
  const reasonText = typeof reason === "string" ? reason.trim() : undefined;
  if (
    typeof body !== "object" ||
    Object.keys(body).some((key) => key !== "delta" && key !== "reason") ||
    !Number.isInteger(delta) ||
    delta === 0 ||
    Math.abs(delta as number) > INT32_MAX ||
    (reason !== undefined && (!reasonText || reasonText.length > 200))
  ) {
    return fail(response, 400, "VALIDATION_FAILED");
  }
  const { rows } = await pool.query(ADJUST, [id, delta, reasonText ?? null, "api:default"]);
  if (rows.length === 0) return fail(response, 409, "INSUFFICIENT_STOCK");
  const product = rows[0];
  json(response, 200, {
    id: product.id,
    sku: product.sku,
    name: product.name,
    priceCents: product.priceCents,
    stock: product.stock,
    lowStockThreshold: product.lowStockThreshold,
    version: product.version,
    updatedAt: product.updatedAt.toISOString(),
  });
}

const ADJUST_PATH = /^\/api\/v1\/products\/(\d{1,10})\/stock-adjustments$/;

http
  .createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://floor");
    if (url.pathname === "/api/health") return response.end("ok");
    const write = ADJUST_PATH.exec(url.pathname);
    if (write && request.method === "POST") {
      adjust(request, response, Number(write[1])).catch((error) => {
        console.error(error);
        if (!response.headersSent) fail(response, 500, "INTERNAL");
      });
      return;
    }
    if (url.pathname !== "/api/v1/stream/product-updates") return fail(response, 404, "NOT_FOUND");
    const ids = url.searchParams.get("productIds");
    response.writeHead(200, {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-cache, no-transform",
      "X-Accel-Buffering": "no",
    });
    response.write("retry: 2000\n\n");
    const client: Feed = { response, productIds: ids ? new Set(ids.split(",").map(Number)) : null };
    clients.add(client);
    request.on("close", () => clients.delete(client));
  })
  .listen(port, "127.0.0.1");

// Exit normally on SIGINT so that `--cpu-prof` can write its profile.
process.on("SIGINT", () => process.exit(0));
