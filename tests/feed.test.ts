// The live feed over real HTTP and a real PostgreSQL (guarantees 2-4): live delivery, filter,
// exactly-once ordered replay, commit order under concurrent writers, snapshot + stream,
// several instances, restarts and a dropped LISTEN connection. The whole suite runs once per
// transport: `npm start`'s node:http server and the route handler (`next start`).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { apiClient, type Api } from "./support/api";
import { eventually } from "./support/eventually";
import { openFeed, type FeedReader } from "./support/sse";
import { startStack, TRANSPORTS, type Server, type Stack, type Transport } from "../scripts/stack";

function feedSuite(transport: Transport) {
  let stack: Stack;
  let serverA: Server;
  let serverB: Server;
  let api: Api;
  const readers: FeedReader[] = [];

  const FEED = "/api/v1/stream/product-updates";

  before(async () => {
    stack = await startStack({ env: { SSE_HEARTBEAT_MS: "300" } });
    [serverA, serverB] = await Promise.all([stack.startServer({ transport }), stack.startServer({ transport })]);
    api = apiClient(serverA.baseUrl, stack.adminToken);
  });
  after(async () => {
    readers.forEach((reader) => reader.close());
    await stack?.stop();
  });

  async function feed(server: Server, query = "", headers: Record<string, string> = {}) {
    const reader = await openFeed(`${server.baseUrl}${FEED}${query}`, headers);
    readers.push(reader);
    return reader;
  }

  const lastEventId = async () => (await api.products()).body.lastEventId as string;

  const ids = (reader: FeedReader) => reader.events().map((event) => BigInt(event.eventId));

  function assertStrictlyIncreasing(values: bigint[]) {
    for (let i = 1; i < values.length; i++) assert.ok(values[i] > values[i - 1], `ids out of order at ${i}: ${values}`);
  }

  describe("the SSE feed", () => {
    test("starts with retry: and sends the documented headers", async () => {
      const response = await fetch(`${serverA.baseUrl}${FEED}`);
      assert.equal(response.headers.get("content-type"), "text/event-stream; charset=utf-8");
      assert.equal(response.headers.get("cache-control"), "no-cache, no-transform");
      assert.equal(response.headers.get("x-accel-buffering"), "no");
      const reader = response.body!.getReader();
      const { value } = await reader.read();
      assert.match(new TextDecoder().decode(value), /^retry: \d+\n\n/);
      await reader.cancel();
    });

    test("delivers a committed change live, as one unnamed event with productId and newStock", async () => {
      const reader = await feed(serverA);
      const change = await api.patch(10, { stock: 31 });
      await reader.waitFor(() => reader.events().some((event) => event.productId === 10), "the change");
      const event = reader.events().find((candidate) => candidate.productId === 10)!;
      assert.equal(event.newStock, 31);
      assert.equal(event.version, change.body.version);
      assert.equal(event.kind, "stock");
      assert.match(event.eventId, /^\d+$/);
      const frame = reader.frames.find((candidate) => candidate.data?.includes('"productId":10'))!;
      assert.equal(frame.id, event.eventId);
      reader.close();
    });

    test("?productIds= limits the feed to those products", async () => {
      const reader = await feed(serverA, "?productIds=11,12");
      await api.patch(13, { stock: 1 });
      await api.patch(12, { stock: 2 });
      await api.patch(11, { stock: 3 });
      await reader.waitFor(() => reader.events().length >= 2, "two events");
      await api.patch(11, { stock: 4 });
      await reader.waitFor(() => reader.events().length >= 3, "three events");
      assert.deepEqual(
        reader.events().map((event) => [event.productId, event.newStock]),
        [
          [12, 2],
          [11, 3],
          [11, 4],
        ],
      );
      reader.close();
    });

    test("sends heartbeat comments on an idle stream", async () => {
      const reader = await feed(serverA);
      await reader.waitFor((frames) => frames.some((frame) => frame.comment === "ping"), "a ping");
      reader.close();
    });

    test("rejects a malformed Last-Event-ID or productIds with 400", async () => {
      const bad = await fetch(`${serverA.baseUrl}${FEED}`, { headers: { "last-event-id": "abc" } });
      assert.equal(bad.status, 400);
      assert.match((await bad.json()).error.message, /Last-Event-ID/);
      for (const query of ["productIds=1,x", "productIds=2147483648&lastEventId=1", "productIds=0", "productIds="]) {
        const badIds = await fetch(`${serverA.baseUrl}${FEED}?${query}`);
        assert.equal(badIds.status, 400, query);
        assert.match((await badIds.json()).error.message, /productIds/);
      }
      const tooLarge = await fetch(`${serverA.baseUrl}${FEED}?lastEventId=9223372036854775808`);
      assert.equal(tooLarge.status, 400);
      assert.match((await tooLarge.json()).error.message, /lastEventId/);
    });
  });

  describe("resume (guarantee 2)", () => {
    test("Last-Event-ID replays exactly the missed events in order, then continues live with no duplicate", async () => {
      const from = await lastEventId();
      for (let i = 0; i < 5; i++) await api.adjust(14, { delta: 1 });
      const reader = await feed(serverA, "", { "last-event-id": from });
      await reader.waitFor(() => reader.events().length >= 5, "five replayed events");
      await api.adjust(14, { delta: 1 });
      await reader.waitFor(() => reader.events().length >= 6, "the live event");
      const stocks = reader.events().map((event) => event.newStock);
      const first = stocks[0];
      assert.deepEqual(
        stocks,
        [0, 1, 2, 3, 4, 5].map((i) => first + i),
      );
      assertStrictlyIncreasing(ids(reader));
      reader.close();
    });

    test("?lastEventId= seeds the first connection; the Last-Event-ID header wins over it", async () => {
      const from = await lastEventId();
      await api.adjust(15, { delta: 1 });
      const second = await lastEventId();
      await api.adjust(15, { delta: 1 });
      const byQuery = await feed(serverA, `?lastEventId=${from}`);
      await byQuery.waitFor(() => byQuery.events().length >= 2, "two events");
      const byHeader = await feed(serverA, `?lastEventId=${from}`, { "last-event-id": second });
      await byHeader.waitFor(() => byHeader.events().length >= 1, "one event");
      assert.equal(byHeader.events()[0].eventId, byQuery.events()[1].eventId);
      byQuery.close();
      byHeader.close();
    });

    test("an unknown or future event id gets `event: reset` and the stream ends", async () => {
      const reader = await feed(serverA, "", { "last-event-id": "999999999999" });
      await reader.closed;
      assert.ok(reader.frames.some((frame) => frame.event === "reset"));
      assert.equal(reader.events().length, 0);
    });

    test("a client resumes on another instance, and after a restart, without loss or duplicate", async () => {
      const onA = await feed(serverA);
      await api.adjust(16, { delta: 1 });
      await onA.waitFor(() => onA.events().length >= 1, "first event on A");
      const resumeFrom = onA.events().at(-1)!.eventId;
      onA.close();

      // Missed while away, written through instance B.
      const apiB = apiClient(serverB.baseUrl, stack.adminToken);
      for (let i = 0; i < 3; i++) await apiB.adjust(16, { delta: 1 });
      const onB = await feed(serverB, "", { "last-event-id": resumeFrom });
      await onB.waitFor(() => onB.events().length >= 3, "three replayed on B");
      const resumeAgain = onB.events().at(-1)!.eventId;
      onB.close();

      // Instance A restarts; changes meanwhile through B; the client comes back to A.
      const port = serverA.port;
      await serverA.stop();
      for (let i = 0; i < 2; i++) await apiB.adjust(16, { delta: 1 });
      serverA = await stack.startServer({ port, transport });
      api = apiClient(serverA.baseUrl, stack.adminToken);
      const back = await feed(serverA, "", { "last-event-id": resumeAgain });
      await back.waitFor(() => back.events().length >= 2, "two replayed after restart");

      const all = [...onA.events(), ...onB.events(), ...back.events()];
      const stocks = all.map((event) => event.newStock);
      assert.deepEqual(
        stocks,
        stocks.map((_, i) => stocks[0] + i),
        "every change once, in order",
      );
      assertStrictlyIncreasing(all.map((event) => BigInt(event.eventId)));
      back.close();
    });
  });

  describe("many instances", () => {
    test("a change written through one instance reaches subscribers of all", async () => {
      const onA = await feed(serverA, "?productIds=17");
      const onB = await feed(serverB, "?productIds=17");
      await apiClient(serverB.baseUrl, stack.adminToken).patch(17, { priceCents: 4242 });
      for (const reader of [onA, onB]) {
        await reader.waitFor(() => reader.events().some((event) => event.newPrice === 4242), "the price change");
      }
      onA.close();
      onB.close();
    });
  });

  describe("commit order (guarantee 3)", () => {
    test("concurrent writers: a live follower and a later replay see every event once, in increasing id order", async () => {
      const from = await lastEventId();
      const live = await feed(serverA);
      const writers = 8;
      const perWriter = 40;
      await Promise.all(
        Array.from({ length: writers }, async (_, w) => {
          const client = apiClient(w % 2 ? serverB.baseUrl : serverA.baseUrl, stack.adminToken);
          for (let i = 0; i < perWriter; i++) {
            const result = await client.adjust(20 + (i % 5), { delta: 1 });
            assert.equal(result.status, 200);
          }
        }),
      );
      const total = writers * perWriter;
      await live.waitFor(() => live.events().length >= total, `${total} live events`, 60_000);
      const replay = await feed(serverB, `?lastEventId=${from}`);
      await replay.waitFor(() => replay.events().length >= total, `${total} replayed events`, 60_000);

      const committed = await stack.db.productEvent.findMany({
        where: { id: { gt: BigInt(from) } },
        orderBy: { id: "asc" },
      });
      assert.equal(committed.length, total);
      assert.deepEqual(
        ids(live),
        committed.map((event) => event.id),
      );
      assert.deepEqual(
        ids(replay),
        committed.map((event) => event.id),
      );
      assertStrictlyIncreasing(ids(live));
      // Live frames are built from the NOTIFY payload, replayed ones from the ProductEvent row:
      // the same event must be the same bytes either way.
      const eventFrames = (reader: FeedReader) => reader.frames.filter((frame) => frame.id).map((frame) => frame.data);
      assert.deepEqual(eventFrames(live), eventFrames(replay));
      live.close();
      replay.close();
    });
  });

  describe("snapshot and stream fit together (guarantee 4)", () => {
    test("subscribing from the snapshot's lastEventId yields exactly the changes after it", async () => {
      const writer = (async () => {
        for (let i = 0; i < 30; i++) await api.adjust(25 + (i % 3), { delta: 1 });
      })();
      await new Promise((resolve) => setTimeout(resolve, 50));
      const snapshot = (await api.products()).body;
      await writer;
      const final = (await api.products()).body;
      const reader = await feed(serverB, `?lastEventId=${snapshot.lastEventId}`);
      const expected = BigInt(final.lastEventId) - BigInt(snapshot.lastEventId);
      const committedAfter = await stack.db.productEvent.count({ where: { id: { gt: BigInt(snapshot.lastEventId) } } });
      await reader.waitFor(() => reader.events().length >= committedAfter, `${committedAfter} events`);

      // Applying the events to the snapshot gives exactly the final state.
      const byId = new Map(snapshot.products.map((product: { id: number }) => [product.id, { ...product }]));
      for (const event of reader.events()) {
        const product = byId.get(event.productId) as { stock: number; version: number };
        assert.equal(event.version, product.version + 1, "each event follows the snapshot's version");
        product.stock = event.newStock;
        product.version = event.version;
      }
      for (const product of final.products) {
        const rebuilt = byId.get(product.id) as { stock: number; version: number };
        assert.equal(rebuilt.stock, product.stock);
        assert.equal(rebuilt.version, product.version);
      }
      assert.ok(expected >= BigInt(committedAfter));
      reader.close();
    });
  });

  describe("faults and clean-up", () => {
    test("a dropped LISTEN connection reconnects and catches up: no event lost, streams stay open", async () => {
      const reader = await feed(serverA, "?productIds=30");
      const admin = new pg.Client({ connectionString: stack.databaseUrl });
      await admin.connect();
      const { rowCount } = await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'stockpulse-listener'`,
      );
      await admin.end();
      assert.ok((rowCount ?? 0) >= 2, "both instances' listeners were cut");
      // Written at once, while the listeners are still reconnecting.
      await apiClient(serverB.baseUrl, stack.adminToken).patch(30, { stock: 303 });
      await reader.waitFor(() => reader.events().some((event) => event.newStock === 303), "the change made while cut");
      // The stream said it was not following the database while cut, and says so once it is again.
      const statuses = () =>
        reader.frames.filter((frame) => frame.event === "status").map((frame) => JSON.parse(frame.data!).live);
      await reader.waitFor(() => statuses().at(-1) === true, "status live again");
      assert.deepEqual(statuses(), [false, true]);
      // The listener reports "listening" once its catch-up query comes back empty, which can be
      // just after the caught-up event has gone out.
      await eventually(
        async () => (await (await fetch(`${serverA.baseUrl}/api/health`)).json()).status === "ok",
        "health back to ok",
      );
      reader.close();
    });

    test("closed streams leave no subscriber behind", async () => {
      const streams = await Promise.all(Array.from({ length: 100 }, () => openFeed(`${serverB.baseUrl}${FEED}`)));
      const open = (await (await fetch(`${serverB.baseUrl}/api/health`)).json()).openStreams;
      assert.ok(open >= 100, `expected at least 100 open streams, saw ${open}`);
      streams.forEach((stream) => stream.close());
      await eventually(
        async () => (await (await fetch(`${serverB.baseUrl}/api/health`)).json()).openStreams === 0,
        "streams released after the clients went away",
      );
    });
  });
}

for (const transport of TRANSPORTS) describe(`over ${transport}`, () => feedSuite(transport));
