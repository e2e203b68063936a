// Deep resumes under the replay budget (lib/events/replay-budget.ts): many streams resuming far
// behind at once read the event log a few pages at a time, per client address in rotation, so
// the rest of the instance (the pool's connections, the event loop) stays with everyone else.
// Each resumed stream still gets every event once, in order (guarantee 2). Runs once per
// transport, each on an instance started after the history was written (its recent log empty,
// so every resume reads the database, as after a restart).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { apiClient } from "./support/api";
import { eventually } from "./support/eventually";
import { openFeed, type FeedReader } from "./support/sse";
import { startStack, TRANSPORTS, type Stack, type Transport } from "../scripts/stack";

const FEED = "/api/v1/stream/product-updates";
const PRODUCTS = 500;
const STOCKTAKES = 5;
// More resumes than the pool has connections (lib/db.ts: 20): without a budget they take all.
const RESUMES = 24;

let stack: Stack;
let from: bigint;

before(async () => {
  stack = await startStack({
    env: {
      FEED_REPLAY_CONCURRENCY: "2",
      FEED_REPLAY_CONCURRENCY_PER_ADDRESS: "1",
      // X-Forwarded-For names the client: two client addresses from one test process.
      TRUSTED_PROXY_COUNT: "1",
      SSE_HEARTBEAT_MS: "120000",
    },
  });
  const rows = await stack.db.$queryRaw<Array<{ id: number }>>`
    INSERT INTO "Product" (sku, name, "priceCents", stock, "lowStockThreshold", "updatedAt")
    SELECT 'DEEP-' || lpad(g::text, 4, '0'), 'Deep resume ' || g, 100, 1000, 10, now()
    FROM generate_series(1, ${PRODUCTS}::int) AS g RETURNING id`;
  from = (await stack.db.productEvent.aggregate({ _max: { id: true } }))._max.id ?? BigInt(0);
  // 2,500 events: three pages of the log for each resume.
  const writer = await stack.startServer();
  for (let count = 1; count <= STOCKTAKES; count++) {
    const response = await fetch(`${writer.baseUrl}/api/v1/stocktakes`, {
      method: "POST",
      headers: { authorization: `Bearer ${stack.adminToken}`, "content-type": "application/json" },
      body: JSON.stringify({ items: rows.map((row) => ({ productId: row.id, count })), reason: "deep resume" }),
    });
    assert.equal(response.status, 200, await response.text());
  }
  await writer.stop();
});
after(() => stack?.stop());

/** Backends of the server's pool waiting on the test's lock of the event log. */
async function readsWaitingOnLock(database: pg.Client): Promise<number> {
  const { rows } = await database.query<{ waiting: number }>(
    `SELECT count(*)::int AS waiting FROM pg_stat_activity
     WHERE wait_event_type = 'Lock' AND query LIKE '%ProductEvent%' AND pid <> pg_backend_pid()`,
  );
  return rows[0].waiting;
}

const hasEvent = (feed: FeedReader, id: string) => feed.events().some((event) => event.eventId === id);

function budgetSuite(transport: Transport) {
  test(
    "deep resumes take at most the budget's connections, one address does not hold up another, and each gets every event once in order",
    {
      timeout: 180_000,
    },
    async () => {
      const server = await stack.startServer({ transport });
      const live = await openFeed(`${server.baseUrl}${FEED}`);
      // The event log locked: every read of it waits in the database, holding its connection.
      const database = new pg.Client({ connectionString: stack.databaseUrl });
      await database.connect();
      await database.query(`BEGIN; LOCK TABLE "ProductEvent" IN ACCESS EXCLUSIVE MODE`);
      // Each from its own id: streams that resume from one id share the pages they read.
      const resume = (address: string, after: bigint) =>
        openFeed(`${server.baseUrl}${FEED}`, { "last-event-id": String(after), "x-forwarded-for": address });
      const crowd = await Promise.all(
        Array.from({ length: RESUMES - 1 }, (_, index) => resume("192.0.2.1", from + BigInt(1 + index))),
      );
      const other = await resume("198.51.100.7", from);

      // One read in the database per address (FEED_REPLAY_CONCURRENCY_PER_ADDRESS=1, 2 in all);
      // the other 22 wait their turn in the server, not on the pool.
      await eventually(
        async () =>
          (await readsWaitingOnLock(database)) === 2 &&
          (await server.metric("stockpulse_replay_reads_waiting")) === RESUMES - 2,
        "two reads in the database and the rest waiting for a turn",
      );
      // The pool still has connections for everyone else: the readiness probe reads the database.
      const ready = await fetch(`${server.baseUrl}/api/health/ready`);
      assert.equal(ready.status, 200, await ready.text());
      await database.query("COMMIT");
      await database.end();

      // A write made now reaches the live client while the resumes still read their history.
      const written = await apiClient(server.baseUrl, stack.adminToken).adjust(1, {
        delta: 1,
        reason: "during resumes",
      });
      assert.equal(written.status, 200);
      const write = (await stack.db.productEvent.aggregate({ _max: { id: true } }))._max.id!.toString();
      await live.waitFor(() => hasEvent(live, write), "the write's event on the live stream");
      assert.ok(
        crowd.filter((feed) => hasEvent(feed, write)).length < crowd.length,
        "the live client had the write before every resume had caught up",
      );
      // The other address gets its turns in rotation: it catches up before the crowd has.
      await other.waitFor(() => hasEvent(other, write), "the other address's resume to catch up", 60_000);
      assert.ok(
        crowd.filter((feed) => hasEvent(feed, write)).length < crowd.length,
        "the other address caught up before all of the crowd's resumes",
      );

      const expected = (
        await stack.db.productEvent.findMany({
          where: { id: { gt: from } },
          orderBy: { id: "asc" },
          select: { id: true },
        })
      ).map((event) => event.id);
      assert.equal(expected.at(-1)?.toString(), write);
      for (const [index, feed] of [other, ...crowd].entries()) {
        await feed.waitFor(() => hasEvent(feed, write), "every resume to catch up", 120_000);
        assert.deepEqual(
          feed.events().map((event) => event.eventId),
          expected.filter((id) => id > from + BigInt(index)).map(String),
        );
        feed.close();
      }
      live.close();
      await server.stop();
    },
  );
}

function conflatedSuite(transport: Transport) {
  test("?catchUp=latest: each changed product's newest event in id order, the frames those events had, then every event", async () => {
    const server = await stack.startServer({ transport });
    const bad = await fetch(`${server.baseUrl}${FEED}?catchUp=some`, { headers: { "last-event-id": String(from) } });
    assert.equal(bad.status, 400);
    assert.match(
      ((await bad.json()) as { error: { message: string } }).error.message,
      /catchUp must be all .* or latest/,
    );

    const exact = await openFeed(`${server.baseUrl}${FEED}`, { "last-event-id": String(from) });
    const latest = await openFeed(`${server.baseUrl}${FEED}?catchUp=latest`, { "last-event-id": String(from) });
    const newest = (await stack.db.productEvent.aggregate({ _max: { id: true } }))._max.id!.toString();
    await exact.waitFor(() => hasEvent(exact, newest), "the exact catch-up");
    await latest.waitFor(() => hasEvent(latest, newest), "the conflated catch-up");
    const all = exact.events();
    const newestOf = new Map(all.map((event) => [event.productId, event]));
    const expected = all.filter((event) => newestOf.get(event.productId) === event);
    assert.ok(expected.length < all.length, "some products changed more than once");
    assert.deepEqual(latest.events(), expected);
    // Byte for byte the frames of those events, as the exact stream had them.
    const frameOf = new Map(exact.frames.filter((frame) => frame.id).map((frame) => [frame.id, frame.data]));
    for (const frame of latest.frames.filter((frame) => frame.id)) assert.equal(frame.data, frameOf.get(frame.id));

    // Then the live feed, every event.
    for (let i = 0; i < 2; i++)
      assert.equal((await apiClient(server.baseUrl, stack.adminToken).adjust(2, { delta: 1 })).status, 200);
    const after = (
      await stack.db.productEvent.findMany({ where: { id: { gt: BigInt(newest) } }, orderBy: { id: "asc" } })
    ).map((event) => event.id.toString());
    assert.equal(after.length, 2);
    await latest.waitFor(() => hasEvent(latest, after[1]), "both writes");
    assert.deepEqual(
      latest
        .events()
        .slice(expected.length)
        .map((event) => event.eventId),
      after,
    );
    exact.close();
    latest.close();
    await server.stop();
  });
}

for (const transport of TRANSPORTS)
  describe(`deep resumes under the replay budget (${transport})`, () => budgetSuite(transport));
for (const transport of TRANSPORTS) describe(`conflated catch-up (${transport})`, () => conflatedSuite(transport));
