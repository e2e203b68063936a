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
import { startStack, TRANSPORTS, type Server, type Stack, type Transport } from "../scripts/stack";

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

async function metric(target: Server, name: string): Promise<number> {
  const headers = { authorization: `Bearer ${stack.metricsToken}` };
  const text = await (await fetch(`${target.baseUrl}/api/metrics`, { headers })).text();
  const line = text.split("\n").find((candidate) => candidate.startsWith(`${name} `));
  return line ? Number(line.split(" ")[1]) : NaN;
}

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
  test("deep resumes take at most the budget's connections, one address does not hold up another, and each gets every event once in order", {
    timeout: 180_000,
  }, async () => {
    const server = await stack.startServer({ transport });
    const live = await openFeed(`${server.baseUrl}${FEED}`);
    // The event log locked: every read of it waits in the database, holding its connection.
    const database = new pg.Client({ connectionString: stack.databaseUrl });
    await database.connect();
    await database.query(`BEGIN; LOCK TABLE "ProductEvent" IN ACCESS EXCLUSIVE MODE`);
    const resume = (address: string) =>
      openFeed(`${server.baseUrl}${FEED}`, { "last-event-id": String(from), "x-forwarded-for": address });
    const crowd = await Promise.all(Array.from({ length: RESUMES - 1 }, () => resume("192.0.2.1")));
    const other = await resume("198.51.100.7");

    // One read in the database per address (FEED_REPLAY_CONCURRENCY_PER_ADDRESS=1, 2 in all);
    // the other 22 wait their turn in the server, not on the pool.
    await eventually(
      async () =>
        (await readsWaitingOnLock(database)) === 2 &&
        (await metric(server, "stockpulse_replay_reads_waiting")) === RESUMES - 2,
      "two reads in the database and the rest waiting for a turn",
    );
    // The pool still has connections for everyone else: the readiness probe reads the database.
    const ready = await fetch(`${server.baseUrl}/api/health/ready`);
    assert.equal(ready.status, 200, await ready.text());
    await database.query("COMMIT");
    await database.end();

    // A write made now reaches the live client while the resumes still read their history.
    const written = await apiClient(server.baseUrl, stack.adminToken).adjust(1, { delta: 1, reason: "during resumes" });
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
      await stack.db.productEvent.findMany({ where: { id: { gt: from } }, orderBy: { id: "asc" }, select: { id: true } })
    ).map((event) => event.id.toString());
    assert.equal(expected.at(-1), write);
    for (const feed of [other, ...crowd]) {
      await feed.waitFor(() => hasEvent(feed, write), "every resume to catch up", 120_000);
      assert.deepEqual(
        feed.events().map((event) => event.eventId),
        expected,
      );
      feed.close();
    }
    live.close();
    await server.stop();
  });
}

for (const transport of TRANSPORTS) describe(`deep resumes under the replay budget (${transport})`, () => budgetSuite(transport));
