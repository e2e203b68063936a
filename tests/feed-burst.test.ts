// A burst through the feed (guarantees 2 and 5): one bulk change of thousands of products is
// megabytes per client, far past the per-client buffer limit. A client that falls behind it
// catches up at its own pace and stays open, with every event once and in order; one that stops
// reading is still cut. Runs once per transport (node:http and the route handler).
import assert from "node:assert/strict";
import http from "node:http";
import { after, before, describe, test } from "node:test";
import { eventually } from "./support/eventually";
import { openFeed } from "./support/sse";
import { startStack, TRANSPORTS, type Server, type Stack, type Transport } from "../scripts/stack";

const FEED = "/api/v1/stream/product-updates";
const BUFFER_LIMIT = 64 * 1024;
// ~650 bytes an event: ~5.2 MB, more than the buffer limit and the kernel's socket buffers can
// take for a client that does not read (the sender's grows to net.ipv4.tcp_wmem's 4 MiB at most).
const PRODUCTS = 8000;

/** A feed client over node:http that can stop and start reading; it collects the events' ids. */
function pausableFeed(url: string) {
  const ids: bigint[] = [];
  const frames: string[] = [];
  let response: http.IncomingMessage | null = null;
  let text = "";
  let ended = false;
  const opened = new Promise<void>((resolve, reject) => {
    const request = http.get(url, { headers: { accept: "text/event-stream" } }, (res) => {
      response = res;
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        text += chunk;
        let end: number;
        while ((end = text.indexOf("\n\n")) >= 0) {
          const frame = text.slice(0, end);
          text = text.slice(end + 2);
          frames.push(frame);
          const id = /^id: (\d+)$/m.exec(frame);
          if (id) ids.push(BigInt(id[1]));
        }
      });
      res.on("close", () => (ended = true));
      res.on("error", () => (ended = true));
      resolve();
    });
    request.on("error", reject);
  });
  return {
    ids,
    frames,
    opened,
    ended: () => ended,
    pause: () => response!.pause(),
    resume: () => response!.resume(),
    close: () => response?.destroy(),
  };
}

function burstSuite(transport: Transport) {
  let stack: Stack;
  let server: Server;
  let productIds: number[] = [];
  let count = 100;

  before(async () => {
    stack = await startStack({
      env: {
        SSE_MAX_BUFFER_BYTES: String(BUFFER_LIMIT),
        // A client that takes nothing for 2 heartbeats is cut: far longer than the tests pause.
        SSE_HEARTBEAT_MS: "60000",
      },
    });
    const rows = await stack.db.$queryRaw<Array<{ id: number }>>`
      INSERT INTO "Product" (sku, name, "priceCents", stock, "lowStockThreshold", "updatedAt")
      SELECT 'BURST-' || lpad(g::text, 5, '0'), repeat('b', 190) || g, 100, 1000, 10, now()
      FROM generate_series(1, ${PRODUCTS}::int) AS g RETURNING id`;
    productIds = rows.map((row) => row.id);
    server = await stack.startServer({ transport });
  });
  after(() => stack?.stop());

  /** One stocktake of every burst product: PRODUCTS events in one transaction. Its last id. */
  async function stocktake(target: Server): Promise<bigint> {
    count++;
    const response = await fetch(`${target.baseUrl}/api/v1/stocktakes`, {
      method: "POST",
      headers: { authorization: `Bearer ${stack.adminToken}`, "content-type": "application/json" },
      body: JSON.stringify({ items: productIds.map((productId) => ({ productId, count })), reason: "burst" }),
    });
    const answer = (await response.json()) as { changed: number; lastEventId: string };
    assert.equal(response.status, 200, JSON.stringify(answer).slice(0, 500));
    assert.equal(answer.changed, PRODUCTS);
    return BigInt(answer.lastEventId);
  }

  test("a client that falls behind a burst catches up on the same stream: every event once, in order", async () => {
    const dropsBefore = await server.metric("stockpulse_slow_clients_dropped_total");
    const behindBefore = await server.metric("stockpulse_clients_behind_total");
    const lagging = pausableFeed(`${server.baseUrl}${FEED}`);
    await lagging.opened;
    lagging.pause();
    const reader = await openFeed(`${server.baseUrl}${FEED}`);
    await eventually(async () => (await server.metric("stockpulse_open_streams")) >= 2, "both streams open");
    const from = (await stack.db.productEvent.aggregate({ _max: { id: true } }))._max.id ?? BigInt(0);

    const last = await stocktake(server);
    await reader.waitFor(() => reader.events().at(-1)?.eventId === String(last), "the whole burst", 60_000);
    // The paused client is past its buffer limit now: cut (before) or catching up (now).
    await eventually(
      async () =>
        (await server.metric("stockpulse_slow_clients_dropped_total")) > dropsBefore ||
        (await server.metric("stockpulse_clients_behind_total")) > behindBefore,
      "the paused client to fall behind",
    );
    lagging.resume();
    await eventually(async () => lagging.ended() || lagging.ids.at(-1) === last, "the paused client to catch up", 600);

    assert.equal(lagging.ended(), false, "the stream stayed open");
    const expected = await stack.db.productEvent.findMany({
      where: { id: { gt: from } },
      orderBy: { id: "asc" },
      select: { id: true },
    });
    assert.equal(expected.length, PRODUCTS);
    assert.deepEqual(
      lagging.ids,
      expected.map((event) => event.id),
    );
    assert.equal(await server.metric("stockpulse_slow_clients_dropped_total"), dropsBefore);

    // Caught up, it is live again: the next change arrives on the same stream.
    const next = await stocktake(server);
    await eventually(async () => lagging.ended() || lagging.ids.at(-1) === next, "the next burst", 600);
    assert.equal(lagging.ended(), false);
    assert.equal(lagging.ids.length, 2 * PRODUCTS);
    lagging.close();
    reader.close();
  });

  test("an instance started over existing history: a live client that falls behind gets only what came after it", async () => {
    // History exists before the instance starts; its first live client has no resume id.
    await stocktake(server);
    // A smaller buffer limit: the very first batch the instance hands out (one socket read of
    // notifications, ~64 KiB) is past it, before any live write.
    const fresh = await stack.startServer({ transport, env: { SSE_MAX_BUFFER_BYTES: "32768" } });
    const lagging = pausableFeed(`${fresh.baseUrl}${FEED}`);
    await lagging.opened;
    await eventually(async () => (await fresh.metric("stockpulse_open_streams")) >= 1, "the stream open");
    const from = (await stack.db.productEvent.aggregate({ _max: { id: true } }))._max.id ?? BigInt(0);
    const last = await stocktake(fresh);
    await eventually(async () => lagging.ended() || lagging.ids.includes(last), "the client to catch up", 600);
    assert.equal(lagging.ended(), false, "the stream stayed open");
    const expected = await stack.db.productEvent.findMany({
      where: { id: { gt: from } },
      orderBy: { id: "asc" },
      select: { id: true },
    });
    assert.ok((await fresh.metric("stockpulse_clients_behind_total")) >= 1, "the client fell behind");
    assert.equal(lagging.ids[0], expected[0].id, "the first event is the first after the client connected");
    assert.deepEqual(
      lagging.ids,
      expected.map((event) => event.id),
    );
    lagging.close();
    await fresh.stop();
  });

  test("a filtered client behind two bursts in a row: its products' events, once each, in order", async () => {
    // The smallest buffer limit: every batch of its products is past it, so it catches up (from
    // the hub's log, filtered) while the second burst arrives.
    const tight = await stack.startServer({ transport, env: { SSE_MAX_BUFFER_BYTES: "1024" } });
    const mine = productIds.filter((_, index) => index % 16 === 5);
    const filtered = pausableFeed(`${tight.baseUrl}${FEED}?productIds=${mine.join(",")}`);
    await filtered.opened;
    await eventually(async () => (await tight.metric("stockpulse_open_streams")) >= 1, "the stream open");
    const from = (await stack.db.productEvent.aggregate({ _max: { id: true } }))._max.id ?? BigInt(0);
    await stocktake(tight);
    await stocktake(tight);
    const expected = await stack.db.productEvent.findMany({
      where: { id: { gt: from }, productId: { in: mine } },
      orderBy: { id: "asc" },
      select: { id: true },
    });
    assert.equal(expected.length, 2 * mine.length);
    const last = expected.at(-1)!.id;
    await eventually(async () => filtered.ended() || filtered.ids.includes(last), "the client to catch up", 600);
    assert.equal(filtered.ended(), false, "the stream stayed open");
    assert.ok((await tight.metric("stockpulse_clients_behind_total")) >= 1, "the client fell behind");
    assert.equal(await tight.metric("stockpulse_slow_clients_dropped_total"), 0);
    assert.deepEqual(
      filtered.ids,
      expected.map((event) => event.id),
    );
    filtered.close();
    await tight.stop();
  });

  test("a client behind by more than the hub's log holds: from the database, then the log, every event once", async () => {
    const lagging = pausableFeed(`${server.baseUrl}${FEED}`);
    await lagging.opened;
    lagging.pause();
    await eventually(async () => (await server.metric("stockpulse_open_streams")) >= 1, "the stream open");
    const from = (await stack.db.productEvent.aggregate({ _max: { id: true } }))._max.id ?? BigInt(0);
    // 6 bursts of ~5.2 MB: twice the log's 16 MiB, which drops the front (past what the paused
    // client and its socket buffers took) before it reads again.
    let last = BigInt(0);
    for (let burst = 0; burst < 6; burst++) last = await stocktake(server);
    lagging.resume();
    await eventually(async () => lagging.ended() || lagging.ids.includes(last), "the client to catch up", 1200);
    assert.equal(lagging.ended(), false, "the stream stayed open");
    const expected = await stack.db.productEvent.findMany({
      where: { id: { gt: from } },
      orderBy: { id: "asc" },
      select: { id: true },
    });
    assert.equal(expected.length, 6 * PRODUCTS);
    assert.deepEqual(
      lagging.ids,
      expected.map((event) => event.id),
    );
    lagging.close();
  });

  test("a database outage while a client catches up: live:true only after every event it missed, and it is not cut", async () => {
    const dropsBefore = await server.metric("stockpulse_slow_clients_dropped_total");
    const behindBefore = await server.metric("stockpulse_clients_behind_total");
    const reconnectsBefore = await server.metric("stockpulse_listener_reconnects_total");
    const lagging = pausableFeed(`${server.baseUrl}${FEED}`);
    await lagging.opened;
    lagging.pause();
    await eventually(async () => (await server.metric("stockpulse_open_streams")) >= 1, "the stream open");
    const from = (await stack.db.productEvent.aggregate({ _max: { id: true } }))._max.id ?? BigInt(0);
    const last = await stocktake(server);
    await eventually(
      async () => (await server.metric("stockpulse_clients_behind_total")) > behindBefore,
      "the client behind",
    );
    // The listener loses the database and comes back while the client is still behind.
    await stack.db.$queryRawUnsafe(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'stockpulse-listener'`,
    );
    await eventually(
      async () => (await server.metric("stockpulse_listener_reconnects_total")) > reconnectsBefore,
      "the listener to reconnect",
    );
    await eventually(
      async () => (await (await fetch(`${server.baseUrl}/api/health`)).json()).status === "ok",
      "health back to ok",
    );
    lagging.resume();
    await eventually(
      async () =>
        lagging.ended() ||
        lagging.frames.some((frame) => frame.startsWith("event: status") && frame.includes('"live":true')),
      "live again",
      600,
    );
    await eventually(async () => lagging.ended() || lagging.ids.includes(last), "the client to catch up", 600);
    assert.equal(lagging.ended(), false, "the stream stayed open");
    assert.equal(await server.metric("stockpulse_slow_clients_dropped_total"), dropsBefore);
    const expected = await stack.db.productEvent.findMany({ where: { id: { gt: from } }, orderBy: { id: "asc" } });
    assert.deepEqual(
      lagging.ids,
      expected.map((event) => event.id),
    );
    // The status frames in order, each placed after the events before it.
    const liveAt = lagging.frames.findIndex(
      (frame) => frame.startsWith("event: status") && frame.includes('"live":true'),
    );
    const lastAt = lagging.frames.findIndex((frame) => frame.startsWith(`id: ${last}\n`));
    assert.ok(lastAt < liveAt, `live:true (frame ${liveAt}) after the last event it missed (frame ${lastAt})`);
    lagging.close();
  });

  test("a client that stops reading in a burst is still cut, and the server's memory stays bounded", async () => {
    // A short heartbeat: the stall limit (2 heartbeats) passes within the test.
    const quick = await stack.startServer({ transport, env: { SSE_HEARTBEAT_MS: "500" } });
    await quick.collectGarbage();
    const heapBefore = await quick.metric("nodejs_heap_size_used_bytes");
    const stalled = pausableFeed(`${quick.baseUrl}${FEED}`);
    await stalled.opened;
    stalled.pause();
    await eventually(async () => (await quick.metric("stockpulse_open_streams")) >= 1, "the stream open");
    await stocktake(quick);
    await stocktake(quick);
    await eventually(async () => (await quick.metric("stockpulse_slow_clients_dropped_total")) === 1, "the cut");
    await eventually(async () => (await quick.metric("stockpulse_open_streams")) === 0, "the stream released");
    await quick.collectGarbage();
    const heapAfter = await quick.metric("nodejs_heap_size_used_bytes");
    // The hub's recent log (at most 16 MiB of frames) holds both bursts; nothing per client does.
    assert.ok(heapAfter - heapBefore < 32 * 1024 * 1024, `heap grew by ${heapAfter - heapBefore} bytes`);
    stalled.close();
    await quick.stop();
  });
}

for (const transport of TRANSPORTS) describe(`a burst through the feed (${transport})`, () => burstSuite(transport));
