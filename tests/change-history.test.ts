// History that says what changed: every event lists the fields it changed with their values
// before and after (`changes`), recorded in the write's own statement from the row as it locked
// it, so under concurrent writers each event's before is the after of the product's event before
// it. The history, the feed (live and replayed alike), the CSV export and webhooks carry the same
// list; events older than the recorded values get them from the migration's backfill.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { parse } from "csv-parse/sync";
import pg from "pg";
import type { FeedEvent } from "../lib/events/feed-event";
import type { FieldChange } from "../lib/products/changes";
import { productHistoryEntrySchema, type ProductHistoryEntry } from "../lib/products/dto";
import { apiClient, type Api } from "./support/api";
import { eventually } from "./support/eventually";
import { openFeed, type FeedReader } from "./support/sse";
import { startReceiver, type Receiver } from "./support/webhook-receiver";
import { startStack, type Server, type Stack } from "../scripts/stack";

const FEED = "/api/v1/stream/product-updates";

let stack: Stack;
let server: Server;
let api: Api;
let receiver: Receiver;

before(async () => {
  receiver = await startReceiver();
  stack = await startStack({ env: { WEBHOOK_ALLOW_PRIVATE_ADDRESSES: "true" } });
  server = await stack.startServer();
  api = apiClient(server.baseUrl, stack.adminToken);
});
after(async () => {
  await stack?.stop();
  await receiver?.close();
});

let skuCount = 0;
type NewProduct = { name?: string; priceCents?: number; stock?: number; lowStockThreshold?: number };
async function newProduct(fields: NewProduct = {}): Promise<{ id: number; sku: string }> {
  const sku = `CHG-${process.pid}-${++skuCount}`;
  const created = await api.call("POST", "/api/v1/products", {
    sku,
    name: fields.name ?? `Changes ${sku}`,
    priceCents: fields.priceCents ?? 1000,
    stock: fields.stock ?? 10,
    lowStockThreshold: fields.lowStockThreshold ?? 5,
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body;
}

/** The product's history, oldest first (every event: it is one page). */
async function historyOf(id: number): Promise<ProductHistoryEntry[]> {
  const answer = await api.call("GET", `/api/v1/products/${id}/events?limit=1000`);
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  const events = answer.body.events as ProductHistoryEntry[];
  for (const event of events) productHistoryEntrySchema.parse(event);
  return events.reverse();
}

const newest = async (id: number) => (await historyOf(id)).at(-1)!;
const lastEventId = async () => (await api.products()).body.lastEventId as string;

type State = Pick<ProductHistoryEntry, "name" | "sku" | "priceCents" | "stock" | "lowStockThreshold">;
const stateOf = ({ name, sku, priceCents, stock, lowStockThreshold }: State): State => ({
  name,
  sku,
  priceCents,
  stock,
  lowStockThreshold,
});

/**
 * Replays the events' changes from the first (created) event on: each change's before must be
 * the state the events before it left, and after applying the changes the state must be the
 * event's own state after (so a field not listed did not change).
 */
function assertChained(events: Array<State & { kind: string; changes: FieldChange[] | null }>) {
  assert.equal(events[0].kind, "created");
  let state: Record<string, unknown> = {};
  for (const [index, event] of events.entries()) {
    assert.ok(event.changes, `event ${index} lists its changes`);
    for (const change of event.changes) {
      assert.equal(change.before, index === 0 ? null : state[change.field], `event ${index}: ${change.field} before`);
      assert.notEqual(change.before, change.after, `event ${index}: ${change.field} changed`);
      state = { ...state, [change.field]: change.after };
    }
    assert.deepEqual(state, stateOf(event), `event ${index}: the state after its changes`);
  }
}

describe("what each write records", () => {
  test("an edit of the price alone lists only the price, with its value before and after", async () => {
    const { id } = await newProduct({ priceCents: 899, stock: 23 });
    assert.equal((await api.patch(id, { priceCents: 949 })).status, 200);
    const event = await newest(id);
    assert.equal(event.kind, "price");
    assert.deepEqual(event.changes, [{ field: "priceCents", before: 899, after: 949 }]);
  });

  test("a stock adjustment lists the stock before and after, and its delta", async () => {
    const { id } = await newProduct({ stock: 23 });
    assert.equal((await api.adjust(id, { delta: 50, reason: "delivery" })).status, 200);
    const event = await newest(id);
    assert.deepEqual(
      { delta: event.delta, reason: event.reason, changes: event.changes },
      { delta: 50, reason: "delivery", changes: [{ field: "stock", before: 23, after: 73 }] },
    );
  });

  test("an edit of several fields lists each that changed, not the ones sent unchanged", async () => {
    const { id, sku } = await newProduct({ name: "Tea", priceCents: 450, lowStockThreshold: 5 });
    const answer = await api.patch(id, { name: "Green tea", sku, priceCents: 450, lowStockThreshold: 3 });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.deepEqual((await newest(id)).changes, [
      { field: "name", before: "Tea", after: "Green tea" },
      { field: "lowStockThreshold", before: 5, after: 3 },
    ]);
  });

  test("created lists every field with no before; archive and restore change no field", async () => {
    const { id, sku } = await newProduct({ name: "Mugs", priceCents: 1200, stock: 6, lowStockThreshold: 2 });
    assert.equal((await api.call("POST", `/api/v1/products/${id}/archive`, { reason: "seasonal" })).status, 200);
    assert.equal((await api.call("POST", `/api/v1/products/${id}/restore`, {})).status, 200);
    const [created, archived, restored] = await historyOf(id);
    assert.deepEqual(created.changes, [
      { field: "name", before: null, after: "Mugs" },
      { field: "sku", before: null, after: sku },
      { field: "priceCents", before: null, after: 1200 },
      { field: "stock", before: null, after: 6 },
      { field: "lowStockThreshold", before: null, after: 2 },
    ]);
    assert.deepEqual(
      [archived.kind, archived.changes, restored.kind, restored.changes],
      ["archived", [], "restored", []],
    );
  });

  test("bulk adjustments, stocktakes and a price list record the values before too", async () => {
    const a = await newProduct({ stock: 10, priceCents: 500 });
    const b = await newProduct({ stock: 20, priceCents: 700 });
    const bulk = await api.call("POST", "/api/v1/stock-adjustments", {
      reason: "delivery",
      items: [
        { productId: a.id, delta: 5 },
        { sku: b.sku, delta: -4 },
      ],
    });
    assert.equal(bulk.status, 200, JSON.stringify(bulk.body));
    const count = await api.call("POST", "/api/v1/stocktakes", {
      reason: "count",
      items: [
        { productId: a.id, count: 12 },
        { productId: b.id, count: 16 },
      ],
    });
    assert.equal(count.status, 200, JSON.stringify(count.body));
    const prices = await fetch(`${server.baseUrl}/api/v1/imports?kind=prices&reason=supplier%20list`, {
      method: "POST",
      headers: { authorization: `Bearer ${stack.adminToken}`, "content-type": "text/csv" },
      body: `sku,price\n${a.sku},5.25\n${b.sku},7.00\n`,
    });
    assert.equal(prices.status, 200, await prices.text());
    const changes = async (id: number) => (await historyOf(id)).slice(1).map((event) => event.changes);
    assert.deepEqual(await changes(a.id), [
      [{ field: "stock", before: 10, after: 15 }],
      [{ field: "stock", before: 15, after: 12 }],
      [{ field: "priceCents", before: 500, after: 525 }],
    ]);
    // b's count is its stock already and its price is unchanged: neither makes an event.
    assert.deepEqual(await changes(b.id), [[{ field: "stock", before: 20, after: 16 }]]);
  });
});

describe("concurrent writers", () => {
  test("a write that waited for the row lock takes its before from the row as committed meanwhile", async () => {
    // A transaction holds the row and changes it while the API's write waits. The write's
    // statement began before that commit: values before read from its snapshot would be the
    // older ones, the locked row has the holder's.
    const cases = [
      ["stock adjustment", (id: number) => api.adjust(id, { delta: -3 }), [{ field: "stock", before: 40, after: 37 }]],
      [
        "price edit",
        (id: number) => api.patch(id, { priceCents: 999 }),
        [{ field: "priceCents", before: 1500, after: 999 }],
      ],
      [
        "stock count",
        (id: number) => api.patch(id, { stock: 50, name: "Counted" }),
        [
          { field: "name", before: "Held", after: "Counted" },
          { field: "stock", before: 40, after: 50 },
        ],
      ],
    ] as const;
    for (const [what, write, expected] of cases) {
      const { id } = await newProduct({ stock: 20, priceCents: 1000 });
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
        await holder.query(
          `UPDATE "Product" SET stock = 40, "priceCents" = 1500, name = 'Held', version = version + 1 WHERE id = $1`,
          [id],
        );
        await holder.query("COMMIT");
        const answer = await waiting;
        assert.equal(answer.status, 200, JSON.stringify(answer.body));
        assert.deepEqual((await newest(id)).changes, expected, what);
      } finally {
        await holder.end();
      }
    }
  });

  test("many concurrent writes of every kind: each event's before is the after of the event before it, live and replayed", async () => {
    const { id, sku } = await newProduct({ stock: 500, priceCents: 1000, lowStockThreshold: 5 });
    const from = await lastEventId();
    const live = await openFeed(`${server.baseUrl}${FEED}?productIds=${id}`);
    await live.waitFor((frames) => frames.some((frame) => frame.retry !== undefined), "the live stream to open");
    const writes = [
      ...Array.from({ length: 60 }, (_, i) => () => api.adjust(id, { delta: i % 3 === 0 ? 7 : -2 })),
      ...Array.from({ length: 10 }, (_, i) => () => api.patch(id, { priceCents: 1000 + i })),
      ...Array.from({ length: 6 }, (_, i) => () => api.patch(id, { stock: 300 + i, lowStockThreshold: 4 + (i % 2) })),
      ...Array.from({ length: 6 }, (_, i) => () => api.patch(id, { name: `Racing ${i % 2}` })),
      ...Array.from(
        { length: 6 },
        (_, i) => () => api.call("POST", "/api/v1/stock-adjustments", { items: [{ sku, delta: i + 1 }] }),
      ),
      ...Array.from(
        { length: 6 },
        (_, i) => () =>
          api.call("POST", "/api/v1/stocktakes", { reason: "count", items: [{ productId: id, count: 400 + i }] }),
      ),
    ];
    const answers = await Promise.all(writes.map((write) => write()));
    for (const answer of answers) assert.equal(answer.status, 200, JSON.stringify(answer.body));

    const events = await historyOf(id);
    assert.ok(events.length >= 80, `${events.length} events`);
    assertChained(events);

    // The feed carries the same lists: live frames (built in the write's statement) and replayed
    // ones (built from the rows) alike.
    const expected = events.slice(1).map((event) => ({ eventId: event.eventId, changes: event.changes }));
    const replay = await openFeed(`${server.baseUrl}${FEED}?productIds=${id}&lastEventId=${from}`);
    for (const [what, reader] of [
      ["live", live],
      ["replayed", replay],
    ] as const) {
      // A live stream may also get the product's creation: its notification can reach the hub
      // after the stream subscribed. What is compared starts after the snapshot's id, as a client's would.
      const after = (reader: FeedReader) => reader.events().filter((event) => BigInt(event.eventId) > BigInt(from));
      await reader.waitFor(() => after(reader).length >= expected.length, `every event ${what}`);
      const frames: FeedEvent[] = after(reader);
      assert.deepEqual(
        frames.map((event) => ({ eventId: event.eventId, changes: event.changes })),
        expected,
        what,
      );
      reader.close();
    }
  });
});

describe("where the changes go", () => {
  test("the CSV export has the fields changed and each one's value before", async () => {
    const { id } = await newProduct({ name: "=Tea", priceCents: 899, stock: 23 });
    await api.adjust(id, { delta: 50, reason: "delivery" });
    await api.patch(id, { priceCents: 949 });
    await api.patch(id, { name: "Green tea", lowStockThreshold: 3 });
    const response = await fetch(`${server.baseUrl}/api/v1/events.csv?productId=${id}`, {
      headers: { authorization: `Bearer ${stack.adminToken}` },
    });
    assert.equal(response.status, 200);
    const rows: Array<Record<string, string>> = parse(await response.text(), { bom: true, columns: true });
    const columns = [
      "kind",
      "changed",
      "name",
      "previousName",
      "previousSku",
      "priceMinorUnits",
      "previousPriceMinorUnits",
      "previousPrice",
      "stock",
      "previousStock",
      "delta",
      "lowStockThreshold",
      "previousLowStockThreshold",
    ];
    assert.deepEqual(
      rows.map((row) => columns.map((column) => row[column])),
      [
        // A name that a spreadsheet would run is text in the before column too.
        ["update", "name lowStockThreshold", "Green tea", "'=Tea", "", "949", "", "", "73", "", "", "3", "5"],
        ["price", "priceCents", "'=Tea", "", "", "949", "899", "8.99", "73", "", "", "5", ""],
        ["stock", "stock", "'=Tea", "", "", "899", "", "", "73", "23", "50", "5", ""],
        [
          "created",
          "name sku priceCents stock lowStockThreshold",
          "'=Tea",
          "",
          "",
          "899",
          "",
          "",
          "23",
          "",
          "",
          "5",
          "",
        ],
      ],
    );
  });

  test("webhooks carry each event's changes, as the history has them", async () => {
    const { id } = await newProduct({ priceCents: 899, stock: 23 });
    const hook = await api.call("POST", "/api/v1/webhooks", { url: receiver.url("/changes"), productIds: [id] });
    assert.equal(hook.status, 201, JSON.stringify(hook.body));
    await api.adjust(id, { delta: 50 });
    await api.patch(id, { priceCents: 949, name: "Renamed" });
    const expected = (await historyOf(id))
      .slice(1)
      .map((event) => ({ eventId: event.eventId, changes: event.changes }));
    assert.deepEqual(
      expected.map((event) => event.changes),
      [
        [{ field: "stock", before: 23, after: 73 }],
        [
          { field: "name", before: `Changes CHG-${process.pid}-${skuCount}`, after: "Renamed" },
          { field: "priceCents", before: 899, after: 949 },
        ],
      ],
    );
    const received = () =>
      receiver
        .requests("/changes")
        .flatMap((request) => (JSON.parse(request.body) as { events: FeedEvent[] }).events)
        .map((event) => ({ eventId: event.eventId, changes: event.changes }));
    await eventually(async () => received().length >= expected.length, "both events delivered");
    assert.deepEqual(received(), expected);
  });
});

describe("events recorded before the values before were kept", () => {
  test("the migration's backfill takes them from the product's event before; an oldest kept event it cannot rebuild stays unknown", async () => {
    const { id } = await newProduct({ name: "Old", priceCents: 100, stock: 10 });
    await api.adjust(id, { delta: -4 });
    await api.patch(id, { priceCents: 150, name: "Older" });
    await api.call("POST", `/api/v1/products/${id}/archive`, {});
    const recorded = await historyOf(id);
    const { id: pruned } = await newProduct({ stock: 10 });
    await api.adjust(pruned, { delta: 2 });
    await api.patch(pruned, { priceCents: 1 });
    await api.patch(pruned, { stock: 3 });

    // As the events were before the migration: no values before. The pruned product lost its
    // created event (and the adjustment after it) to retention.
    const prunedEvents = await historyOf(pruned);
    await stack.db.$executeRaw`
      UPDATE "ProductEvent" SET "previousSku" = NULL, "previousName" = NULL, "previousStock" = NULL,
        "previousPriceCents" = NULL, "previousLowStockThreshold" = NULL
      WHERE "productId" IN (${id}::int, ${pruned}::int)`;
    await stack.db
      .$executeRaw`DELETE FROM "ProductEvent" WHERE id <= ${BigInt(prunedEvents[1].eventId)} AND "productId" = ${pruned}::int`;
    assert.ok((await historyOf(id)).every((event) => event.kind === "created" || event.changes === null));

    const migration = fs.readFileSync(
      path.join(
        import.meta.dirname,
        "..",
        "prisma",
        "migrations",
        "20261208120000_event_previous_values",
        "migration.sql",
      ),
      "utf8",
    );
    const backfill = migration
      .split(";")
      .map((statement) => statement.replace(/^--.*$/gm, "").trim())
      .find((statement) => statement.startsWith("UPDATE"));
    assert.ok(backfill, "the migration has a backfill");
    await stack.db.$executeRawUnsafe(backfill);

    assert.deepEqual(await historyOf(id), recorded, "the backfill gives back what the writes recorded");
    const [price, count] = await historyOf(pruned);
    assert.deepEqual([price.changes, count.changes], [null, [{ field: "stock", before: 12, after: 3 }]]);
  });
});
