// The feed under stress (guarantees 2, 5 and 8): retention and reset, a replay of a large gap, a
// client that never reads, coalesced writes, many connect/disconnect cycles, a database restart,
// graceful shutdown, metrics. Runs once per transport (node:http and the route handler).
import assert from "node:assert/strict";
import net from "node:net";
import { after, before, describe, test } from "node:test";
import { apiClient } from "./support/api";
import { eventually } from "./support/eventually";
import { openFeed } from "./support/sse";
import { rawRequest } from "./support/raw-http";
import { startStack, TRANSPORTS, type Server, type Stack, type Transport } from "../scripts/stack";

function resilienceSuite(transport: Transport) {
  let stack: Stack;
  let server: Server;

  const FEED = "/api/v1/stream/product-updates";
  const BUFFER_LIMIT = 64 * 1024;

  before(async () => {
    stack = await startStack({
      env: {
        SSE_MAX_BUFFER_BYTES: String(BUFFER_LIMIT),
        EVENT_RETENTION_DAYS: "30",
        SSE_HEARTBEAT_MS: "500",
        // The large replays below go past the default limit on purpose.
        FEED_REPLAY_MAX_EVENTS: "1000000",
      },
    });
    server = await stack.startServer({ transport });
  });
  after(() => stack?.stop());

  const metricsAuth = () => ({ authorization: `Bearer ${stack.metricsToken}` });

  test("/api/metrics speaks Prometheus text format", async () => {
    const response = await fetch(`${server.baseUrl}/api/metrics`, { headers: metricsAuth() });
    assert.match(response.headers.get("content-type") ?? "", /^text\/plain/);
    const text = await response.text();
    for (const name of [
      "stockpulse_open_streams",
      "stockpulse_events_delivered_total",
      "stockpulse_replays_total",
      "stockpulse_slow_clients_dropped_total",
      "stockpulse_listener_reconnects_total",
    ]) {
      assert.match(text, new RegExp(`^# TYPE ${name} `, "m"));
    }
  });

  test("history past the retention window is pruned; resuming from before it gets `event: reset`", async () => {
    const api = apiClient(server.baseUrl, stack.adminToken);
    for (let i = 0; i < 6; i++) await api.adjust(1, { delta: 1 });
    const events = await stack.db.productEvent.findMany({ orderBy: { id: "asc" } });
    const cut = events[3].id;
    await stack.db.productEvent.updateMany({
      where: { id: { lte: cut } },
      data: { createdAt: new Date(Date.now() - 40 * 24 * 60 * 60 * 1000) },
    });
    // A new instance prunes when it starts (and hourly after).
    const pruner = await stack.startServer({ transport });
    await eventually(async () => (await stack.db.productEvent.count({ where: { id: { lte: cut } } })) === 0, "pruning");

    const tooOld = await openFeed(`${pruner.baseUrl}${FEED}`, { "last-event-id": String(events[0].id) });
    await tooOld.closed;
    assert.ok(tooOld.frames.some((frame) => frame.event === "reset"));

    const retained = await openFeed(`${pruner.baseUrl}${FEED}`, { "last-event-id": String(cut) });
    await retained.waitFor(() => retained.events().length === 2, "the two retained events");
    assert.ok(!retained.frames.some((frame) => frame.event === "reset"));
    retained.close();
    await pruner.stop();
  });

  test("a client that stops reading during a replay is cut off; memory stays bounded; others are not delayed", async () => {
    // 40,000 events of ~450 bytes: a replay of ~18 MB that a non-reading client cannot take.
    const from = (await stack.db.productEvent.aggregate({ _max: { id: true } }))._max.id;
    await stack.db.$executeRaw`
      INSERT INTO "ProductEvent" ("productId", kind, sku, name, stock, "priceCents", "lowStockThreshold", version, actor, "stockLevel")
      SELECT 2, 'stock', 'SKU-2', repeat('x', 200), g, 100, 5, g, 'test', stock_level(g, 5) FROM generate_series(1, 40000) AS g`;
    const dropsBefore = await server.metric("stockpulse_slow_clients_dropped_total");
    await server.collectGarbage();
    const heapBefore = await server.metric("nodejs_heap_size_used_bytes");

    const stalled = net.connect(server.port, "127.0.0.1");
    stalled.pause(); // never reads a byte
    stalled.write(`GET ${FEED}?lastEventId=${from} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n`);

    const healthy = await openFeed(`${server.baseUrl}${FEED}?productIds=3`);
    await eventually(
      async () => (await server.metric("stockpulse_slow_clients_dropped_total")) > dropsBefore,
      "the stalled client to be dropped",
    );
    await apiClient(server.baseUrl, stack.adminToken).patch(3, { stock: 333 });
    await healthy.waitFor(() => healthy.events().some((event) => event.newStock === 333), "the live change");

    await server.collectGarbage();
    const heapAfter = await server.metric("nodejs_heap_size_used_bytes");
    assert.ok(heapAfter - heapBefore < 16 * 1024 * 1024, `heap grew by ${heapAfter - heapBefore} bytes`);
    healthy.close();
    stalled.destroy();
    await eventually(async () => (await server.metric("stockpulse_open_streams")) === 0, "streams released");
  });

  test("a client that missed thousands of changes resumes: the replay is paced by its reading", async () => {
    // 3,000 events of ~265 bytes (60-character names): ~800 KB, far past the 64 KiB buffer limit.
    const from = (await stack.db.productEvent.aggregate({ _max: { id: true } }))._max.id!;
    await stack.db.$executeRaw`
      INSERT INTO "ProductEvent" ("productId", kind, sku, name, stock, "priceCents", "lowStockThreshold", version, actor, "stockLevel")
      SELECT 6, 'stock', 'SKU-6', repeat('n', 60), g, 100, 5, g, 'test', stock_level(g, 5) FROM generate_series(1, 3000) AS g`;
    const dropsBefore = await server.metric("stockpulse_slow_clients_dropped_total");
    const reader = await openFeed(`${server.baseUrl}${FEED}?lastEventId=${from}`);
    await reader.waitFor(() => reader.events().length >= 3000, "3,000 replayed events", 60_000);
    await apiClient(server.baseUrl, stack.adminToken).patch(6, { stock: 6006 });
    await reader.waitFor(() => reader.events().some((event) => event.newStock === 6006), "the live change after it");
    const ids = reader.events().map((event) => BigInt(event.eventId));
    assert.equal(ids.length, 3001);
    ids.slice(0, 3000).forEach((id, i) => assert.equal(id, from + BigInt(i + 1)));
    assert.equal(await server.metric("stockpulse_slow_clients_dropped_total"), dropsBefore);
    reader.close();
  });

  test("changes that reach the hub in one turn go to each client as one write", async () => {
    const response = rawRequest(
      server.port,
      { path: `${FEED}?productIds=7` },
      (raw) => (raw.body().match(/^id: /gm) ?? []).length >= 50,
    );
    await eventually(async () => (await server.metric("stockpulse_open_streams")) >= 1, "the stream to open");
    // 50 events committed at once: PostgreSQL delivers their notifications together.
    await stack.db.$executeRaw`
      WITH event AS (
        INSERT INTO "ProductEvent" ("productId", kind, sku, name, stock, "priceCents", "lowStockThreshold", version, actor, "stockLevel")
        SELECT 7, 'stock', 'SKU-7', 'coalesced', g, 100, 5, g, 'test', stock_level(g, 5) FROM generate_series(1, 50) AS g
        RETURNING *
      )
      SELECT pg_notify('product_events', json_build_object(
        'eventId', id::text, 'productId', "productId", 'newStock', stock, 'newPrice', "priceCents",
        'version', version, 'kind', kind, 'at', to_char("createdAt" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
        'sku', sku, 'name', name, 'lowStockThreshold', "lowStockThreshold", 'delta', delta,
        'stockLevel', "stockLevel", 'previousStockLevel', "previousStockLevel")::text)
      FROM (SELECT * FROM event ORDER BY id) AS ordered`;
    const raw = await response;
    raw.close();
    const eventChunks = raw.chunks.filter((chunk) => chunk.includes("id: ")).length;
    // One write per turn of the event loop; the notifications may span a few socket reads.
    assert.ok(eventChunks <= 5, `50 events arrived in ${eventChunks} writes`);
    const stocks = [...raw.body().matchAll(/"newStock":(\d+)/g)].map((match) => Number(match[1]));
    assert.deepEqual(
      stocks,
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
  });

  test("1,000 connect/disconnect cycles leave no subscriber behind and the heap near its baseline", async () => {
    await server.collectGarbage();
    const heapBefore = await server.metric("nodejs_heap_size_used_bytes");
    for (let round = 0; round < 20; round++) {
      const readers = await Promise.all(Array.from({ length: 50 }, () => openFeed(`${server.baseUrl}${FEED}`)));
      await Promise.all(readers.map((reader) => reader.waitFor((frames) => frames.length > 0, "retry frame")));
      readers.forEach((reader) => reader.close());
    }
    await eventually(async () => (await server.metric("stockpulse_open_streams")) === 0, "every stream released");
    await server.collectGarbage();
    const heapAfter = await server.metric("nodejs_heap_size_used_bytes");
    assert.ok(heapAfter - heapBefore < 16 * 1024 * 1024, `heap grew by ${heapAfter - heapBefore} bytes`);
  });

  test("a PostgreSQL restart: open streams stay open (heartbeating) and no change is lost", async () => {
    const reader = await openFeed(`${server.baseUrl}${FEED}?productIds=4`);
    await reader.waitFor((frames) => frames.length > 0, "retry frame");
    await stack.restartDatabase();
    // The stream says the data may be stale while the database is away (guarantee 8).
    await reader.waitFor(
      (frames) => frames.some((frame) => frame.event === "status" && JSON.parse(frame.data!).live === false),
      "a status frame saying the feed is not live",
    );
    const pings = reader.frames.filter((frame) => frame.comment === "ping").length;
    await reader.waitFor(
      (frames) => frames.filter((frame) => frame.comment === "ping").length > pings,
      "a heartbeat after the restart",
    );
    const api = apiClient(server.baseUrl, stack.adminToken);
    // The app's pool and listener reconnect by themselves; retry the write until the pool has.
    await eventually(async () => (await api.patch(4, { stock: 404 })).status === 200, "a write after the restart");
    await reader.waitFor(() => reader.events().some((event) => event.newStock === 404), "the change after the restart");
    assert.ok(
      reader.frames.some((frame) => frame.comment === "ping"),
      "the stream heartbeated meanwhile",
    );
    await eventually(async () => (await fetch(`${server.baseUrl}/api/health`)).ok, "health back to ok");
    const statuses = reader.frames.filter((frame) => frame.event === "status").map((frame) => JSON.parse(frame.data!));
    assert.deepEqual(statuses.at(-1), { live: true });
    reader.close();
  });

  test("SIGTERM closes open streams with a retry hint and a shutdown event, then the server exits", async () => {
    const leaving = await stack.startServer({ transport });
    const reader = await openFeed(`${leaving.baseUrl}${FEED}`);
    await reader.waitFor((frames) => frames.length > 0, "retry frame");
    await leaving.stop(); // SIGTERM, and waits for the process to exit
    await reader.closed;
    const shutdown = reader.frames.find((frame) => frame.event === "shutdown");
    assert.ok(shutdown, "a shutdown event");
    assert.equal(shutdown.retry, 500);
  });
}

for (const transport of TRANSPORTS) describe(`over ${transport}`, () => resilienceSuite(transport));
