// Threshold events: every feed event and history entry says the product's stock level after the
// change and before it (ok / low / out), computed in the write's own statement from the row as
// it locked it, so the previous level is right even when writers race.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import type { FeedEvent } from "../lib/events/feed-event";
import { productHistoryEntrySchema } from "../lib/products/dto";
import { apiClient, type Api } from "./support/api";
import { eventually } from "./support/eventually";
import { openFeed, type FeedReader } from "./support/sse";
import { startStack, type Server, type Stack } from "../scripts/stack";

const FEED = "/api/v1/stream/product-updates";

let stack: Stack;
let server: Server;
let api: Api;

before(async () => {
  stack = await startStack();
  server = await stack.startServer();
  api = apiClient(server.baseUrl, stack.adminToken);
});
after(() => stack?.stop());

const levels = (events: FeedEvent[]) => events.map((event) => [event.previousStockLevel, event.stockLevel]);

async function newProduct(sku: string, stock: number, lowStockThreshold: number): Promise<number> {
  const created = await api.call("POST", "/api/v1/products", {
    sku,
    name: sku,
    priceCents: 100,
    stock,
    lowStockThreshold,
  });
  assert.equal(created.status, 201);
  return created.body.id;
}

/** Each event's previous level is the level the one before it left (id order, one product). */
function assertChained(events: Array<{ stockLevel: string; previousStockLevel: string | null }>) {
  for (let i = 1; i < events.length; i++) {
    assert.equal(events[i].previousStockLevel, events[i - 1].stockLevel, `event ${i} of ${events.length}`);
  }
}

describe("stock levels on the feed", () => {
  test("crossings ok -> low -> out -> ok arrive live and replay byte-identical; history has them too", async () => {
    const from = (await api.products()).body.lastEventId as string;
    const reader = await openFeed(`${server.baseUrl}${FEED}?lastEventId=${from}`);
    const id = await newProduct("LVL-CROSS-1", 20, 5);
    const feedFor = (feed: FeedReader) => feed.events().filter((event) => event.productId === id);
    await api.adjust(id, { delta: -2, reason: "sale" }); // 18: ok -> ok
    await api.adjust(id, { delta: -13, reason: "sale" }); // 5: ok -> low (at the threshold)
    await api.adjust(id, { delta: -5, reason: "sale" }); // 0: low -> out
    await api.adjust(id, { delta: 30, reason: "restock" }); // 30: out -> ok
    await api.patch(id, { lowStockThreshold: 40 }); // threshold moves past the stock: ok -> low
    await reader.waitFor(() => feedFor(reader).length >= 6, "six events");
    assert.deepEqual(levels(feedFor(reader)), [
      [null, "ok"],
      ["ok", "ok"],
      ["ok", "low"],
      ["low", "out"],
      ["out", "ok"],
      ["ok", "low"],
    ]);

    const replay = await openFeed(`${server.baseUrl}${FEED}?lastEventId=${from}&productIds=${id}`);
    await replay.waitFor(() => replay.events().length >= 6, "six replayed events");
    const data = (feed: FeedReader) =>
      feed.frames.filter((frame) => frame.id && JSON.parse(frame.data!).productId === id).map((frame) => frame.data);
    assert.deepEqual(data(replay), data(reader));

    const history = await api.call("GET", `/api/v1/products/${id}/events`);
    for (const entry of history.body.events) productHistoryEntrySchema.parse(entry);
    assert.deepEqual(
      history.body.events.map((entry: { previousStockLevel: string | null; stockLevel: string }) => [
        entry.previousStockLevel,
        entry.stockLevel,
      ]),
      levels(feedFor(reader)).reverse(),
    );
    reader.close();
    replay.close();
  });

  test("a write that waited for the row lock takes its previous level from the row as committed meanwhile", async () => {
    // A transaction holds the row and changes it while the API's write waits. The write's
    // statement began before that commit: a previous level read from its snapshot would be
    // the older one ('ok' here), the locked row says 'low'.
    for (const [index, [what, write, expected]] of (
      [
        ["stock adjustment", (id: number) => api.adjust(id, { delta: -3 }), ["low", "out"]],
        ["PATCH", (id: number) => api.patch(id, { stock: 50 }), ["low", "ok"]],
      ] as const
    ).entries()) {
      const id = await newProduct(`LVL-LOCK-${index}`, 20, 5);
      const holder = new pg.Client({ connectionString: stack.databaseUrl });
      await holder.connect();
      try {
        const holderPid = (await holder.query("SELECT pg_backend_pid() AS pid")).rows[0].pid as number;
        await holder.query("BEGIN");
        await holder.query(`SELECT 1 FROM "Product" WHERE id = $1 FOR UPDATE`, [id]);
        const waiting = write(id);
        // Asked outside the holder's transaction: a transaction sees pg_stat_activity as it first read it.
        await eventually(async () => {
          const [{ blocked }] = await stack.db.$queryRaw<Array<{ blocked: number }>>`
            SELECT count(*)::int AS blocked FROM pg_stat_activity WHERE ${holderPid}::int = ANY(pg_blocking_pids(pid))`;
          return blocked > 0;
        }, `the ${what} to wait for the row lock`);
        await holder.query(`UPDATE "Product" SET stock = 3, version = version + 1 WHERE id = $1`, [id]);
        await holder.query("COMMIT");
        const answer = await waiting;
        assert.equal(answer.status, 200, JSON.stringify(answer.body));
        const [event] = await stack.db.productEvent.findMany({
          where: { productId: id },
          orderBy: { id: "desc" },
          take: 1,
        });
        assert.deepEqual([event.previousStockLevel, event.stockLevel], expected, what);
      } finally {
        await holder.end();
      }
    }
  });

  test("concurrent writers: each event's previous level is the level the event before it left", async () => {
    const id = await newProduct("LVL-RACE-1", 10, 5);
    const from = (await api.products()).body.lastEventId as string;
    const reader = await openFeed(`${server.baseUrl}${FEED}?productIds=${id}&lastEventId=${from}`);
    const stocks = [0, 3, 10];
    await Promise.all([
      ...Array.from({ length: 30 }, (_, i) => api.patch(id, { stock: stocks[i % 3] })),
      ...Array.from({ length: 30 }, (_, i) => api.adjust(id, { delta: i % 2 ? 4 : 1 })),
    ]);
    const committed = await stack.db.productEvent.findMany({
      where: { productId: id, id: { gt: BigInt(from) } },
      orderBy: { id: "asc" },
    });
    assert.ok(committed.length >= 40, `${committed.length} events`);
    assert.ok(new Set(committed.map((event) => event.stockLevel)).size === 3, "all three levels were visited");
    assertChained(committed);
    await reader.waitFor(() => reader.events().length >= committed.length, "every event on the feed");
    assertChained(reader.events());
    reader.close();
  });
});
