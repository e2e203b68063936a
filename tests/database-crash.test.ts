// PostgreSQL killed with SIGKILL (a crash: no goodbye to its clients) under writers and feed
// readers, then brought back. Every connection's loss must be handled: a connection checked out
// for a transaction, the pool's idle ones, the LISTEN connection, the deliverer's pool. The
// server says "[stockpulse] uncaughtException" (instrumentation-node.ts) for any it is not told
// of; the test fails on that, on any "Unhandled 'error' event", on a lost or doubled write.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import pg from "pg";
import { apiClient } from "./support/api";
import { eventually } from "./support/eventually";
import { followFeed, type Follower } from "./support/sse";
import { startStack, type Server, type Stack } from "../scripts/stack";
import type { ProductDto } from "../lib/products/dto";

let stack: Stack;
let server: Server;

before(async () => {
  stack = await startStack();
  server = await stack.startServer();
});
after(() => stack?.stop());

const UNCAUGHT = /"msg":"(uncaughtException|unhandledRejection)"|Unhandled 'error' event|uncaughtException/;

test("a SIGKILL of PostgreSQL under writers and feed readers: no uncaught error, and everything recovers with no acknowledged write lost", async () => {
  const api = apiClient(server.baseUrl, stack.adminToken);
  const from = (await stack.db.productEvent.aggregate({ _max: { id: true } }))._max.id ?? BigInt(0);
  const products: ProductDto[] = [];
  for (let i = 0; i < 5; i++) {
    const created = await api.call("POST", "/api/v1/products", {
      sku: `CRASH-${process.pid}-${i}`,
      name: `Crash ${i}`,
      priceCents: 100,
      stock: 0,
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    products.push(created.body as ProductDto);
  }
  const ids = products.map((product) => product.id);
  // The last product is held locked by the test while two writes wait for it.
  const lockedId = ids[4];
  const feed = `${server.baseUrl}/api/v1/stream/product-updates?productIds=${ids.join(",")}&lastEventId=${from}`;
  const followers: Follower[] = [0, 1, 2].map(() => followFeed(feed));
  await eventually(async () => followers.every((follower) => follower.connections > 0), "the feed readers");

  // Each writer adds 1 to its product per write, with an Idempotency-Key it sends again until it
  // gets an answer (as @stockpulse/client does): a transaction per write, so at any moment some
  // connection is checked out. Writers 0-2 adjust one product, writer 3 through the bulk route.
  let stopping = false;
  const failures = new Map<number, number>();
  /** One write of +1 to product `id`, sent again with its key until it is answered. */
  const keyedWrite = async (id: number, bulk: boolean) => {
    const key = randomUUID();
    for (;;) {
      const reply = bulk
        ? await api.call(
            "POST",
            "/api/v1/stock-adjustments",
            { items: [{ productId: id, delta: 1 }] },
            { "idempotency-key": key },
          )
        : await api.call("POST", `/api/v1/products/${id}/stock-adjustments`, { delta: 1 }, { "idempotency-key": key });
      if (reply.status === 200) return;
      failures.set(reply.status, (failures.get(reply.status) ?? 0) + 1);
      assert.ok([503, 409].includes(reply.status), `write answered ${reply.status}: ${JSON.stringify(reply.body)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const acked = ids.map(() => 0);
  // Writers 0-2 adjust one product each, writer 3 through the bulk route.
  const writer = async (index: number) => {
    while (!stopping) {
      await keyedWrite(ids[index], index === 3);
      acked[index]++;
    }
  };
  // And plain readers of the product list.
  const reader = async () => {
    while (!stopping) {
      const reply = await api.products();
      assert.ok([200, 503].includes(reply.status), `read answered ${reply.status}`);
    }
  };
  const running = [0, 1, 2, 3].map(writer).concat([reader(), reader()]);
  await eventually(async () => acked.slice(0, 4).every((count) => count >= 5), "writes before the crash");

  // Two writes inside their transactions when PostgreSQL dies, for certain: the test holds their
  // product's row, so each waits mid-statement on a connection checked out of the server's pool.
  const locker = new pg.Client({ connectionString: stack.databaseUrl });
  locker.on("error", () => {}); // it dies with the database
  await locker.connect();
  await locker.query("BEGIN");
  await locker.query(`SELECT 1 FROM "Product" WHERE id = $1 FOR UPDATE`, [lockedId]);
  const blocked = [keyedWrite(lockedId, false), keyedWrite(lockedId, true)];
  await eventually(async () => {
    const { rows } = await locker.query<{ waiting: number }>(
      `SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
    );
    return rows[0].waiting >= 2;
  }, "two writes to wait for the locked product");

  const before = [...acked];
  await stack.withDatabaseDown(
    async () => {
      await eventually(async () => (failures.get(503) ?? 0) >= 4, "writes to fail while the database is away");
      await eventually(async () => (await fetch(`${server.baseUrl}/api/health`)).status === 503, "health to say so");
    },
    { crash: true },
  );
  await eventually(
    async () => (await fetch(`${server.baseUrl}/api/health`)).status === 200,
    "health after the restart",
  );
  await eventually(
    async () => acked.slice(0, 4).every((count, index) => count >= before[index] + 5),
    "every writer to write again after the restart",
  );
  stopping = true;
  await Promise.all([...running, ...blocked]);
  acked[4] = blocked.length;
  await locker.end().catch(() => undefined);

  // Nothing acknowledged is lost, nothing applied twice: each product's stock is its writer's count.
  for (const [index, id] of ids.entries()) {
    const product = (await api.call("GET", `/api/v1/products/${id}`)).body as ProductDto;
    assert.equal(product.stock, acked[index], `product ${id}`);
  }
  // And the feed readers got every event, once, in order.
  const committed = (
    await stack.db.productEvent.findMany({ where: { productId: { in: ids } }, orderBy: { id: "asc" } })
  ).map((event) => event.id.toString());
  for (const follower of followers) {
    await follower.waitFor(() => follower.events.length >= committed.length, `${committed.length} events`);
    assert.deepEqual(
      follower.events.map((event) => event.eventId),
      committed,
    );
    follower.stop();
  }
  const output = server.output();
  assert.doesNotMatch(output, UNCAUGHT, output);
});
