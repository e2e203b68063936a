// PATCH /api/v1/products/{id} with a stock count guarded by `expectedStock` (guarantee 9): a sale
// between the count and its save refuses the count (409 STOCK_CONFLICT) instead of undoing the
// sale. On both servers `npm start` and plain `next start` run, with the same answers.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { apiClient, type Api } from "./support/api";
import { startStack, type Server, type Stack } from "../scripts/stack";

let stack: Stack;
let servers: Array<{ server: Server; api: Api }>;

before(async () => {
  stack = await startStack();
  const started = await Promise.all([
    stack.startServer({ transport: "node" }),
    stack.startServer({ transport: "route-handler" }),
  ]);
  servers = started.map((server) => ({ server, api: apiClient(server.baseUrl, stack.adminToken) }));
});
after(() => stack?.stop());

let made = 0;
async function newProduct(api: Api, stock: number) {
  const sku = `COUNT-${process.pid}-${++made}`;
  const created = await api.call("POST", "/api/v1/products", { sku, name: `Counted ${made}`, priceCents: 500, stock });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body as { id: number; stock: number; version: number };
}

const eventsOf = (productId: number) =>
  stack.db.productEvent.findMany({ where: { productId }, orderBy: { id: "asc" } });

test("a count made against the stock as it still is applies, with its difference and reason in the event", async () => {
  for (const { server, api } of servers) {
    const product = await newProduct(api, 23);
    const counted = await api.patch(product.id, { stock: 25, expectedStock: 23, reason: "correction" });
    assert.equal(counted.status, 200, `${server.transport}: ${JSON.stringify(counted.body)}`);
    assert.equal(counted.body.stock, 25);
    assert.equal(counted.body.version, product.version + 1);
    const last = (await eventsOf(product.id)).at(-1)!;
    assert.deepEqual(
      { kind: last.kind, stock: last.stock, delta: last.delta, reason: last.reason },
      { kind: "stock", stock: 25, delta: 2, reason: "correction" },
      server.transport,
    );
  }
});

test("a sale between the count and its save: 409 STOCK_CONFLICT naming the stock now, and nothing changes", async () => {
  for (const { server, api } of servers) {
    const product = await newProduct(api, 3);
    assert.equal((await api.adjust(product.id, { delta: -3, reason: "sale" })).status, 200);
    const before = await stack.db.product.findUniqueOrThrow({ where: { id: product.id } });
    const events = (await eventsOf(product.id)).length;

    const refused = await api.patch(product.id, { stock: 3, expectedStock: 3, priceCents: 650 });
    assert.equal(refused.status, 409, `${server.transport}: ${JSON.stringify(refused.body)}`);
    assert.equal(refused.body.error.code, "STOCK_CONFLICT");
    assert.match(refused.body.error.message, /has 0 in stock, not the 3 this count was made against/);
    assert.equal(refused.body.error.current.stock, 0);
    // Both guards fail: the stock's conflict is the answer, it says what moved.
    const both = await api.patch(product.id, { stock: 3, expectedStock: 3, expectedVersion: product.version });
    assert.equal(both.body.error.code, "STOCK_CONFLICT");

    assert.deepEqual(await stack.db.product.findUniqueOrThrow({ where: { id: product.id } }), before);
    assert.equal((await eventsOf(product.id)).length, events);

    // v1 unchanged: without expectedStock the number is set as given.
    const unguarded = await api.patch(product.id, { stock: 3 });
    assert.equal(unguarded.status, 200);
    assert.equal(unguarded.body.stock, 3);
    assert.equal((await eventsOf(product.id)).at(-1)!.delta, null, "an unguarded PATCH's event is as in v1");
  }
});

test("concurrent sales and guarded counts: a count applies only to the stock it was made against", async () => {
  const { api } = servers[0];
  const product = await newProduct(api, 100);
  // Ten sales of one and ten counts of 100 made against 100, all at once: the first count that
  // lands before any sale may apply; none may apply after one.
  const sent = await Promise.all(
    Array.from({ length: 10 }, (_, i) => [
      api.adjust(product.id, { delta: -1, reason: "sale" }),
      servers[i % 2].api.patch(product.id, { stock: 100, expectedStock: 100 }),
    ]).flat(),
  );
  assert.ok(sent.every(({ status }) => status === 200 || status === 409));
  const final = await stack.db.product.findUniqueOrThrow({ where: { id: product.id } });
  assert.equal(final.stock, 90, "every sale survives: no count undid one");
});

test("bad values are a 400 naming the field, and change nothing", async () => {
  for (const { server, api } of servers) {
    const product = await newProduct(api, 7);
    const before = await stack.db.product.findUniqueOrThrow({ where: { id: product.id } });
    const cases: Array<[unknown, string]> = [
      [{ stock: 8, expectedStock: -1 }, "expectedStock"],
      [{ stock: 8, expectedStock: 1.5 }, "expectedStock"],
      [{ stock: 8, expectedStock: "7" }, "expectedStock"],
      [{ stock: 8, expectedStock: 2_147_483_648 }, "expectedStock"],
      [{ stock: 8, expectedStock: null }, "expectedStock"],
      [{ priceCents: 600, expectedStock: 7 }, "expectedStock"],
      [{ priceCents: 600, reason: "correction" }, "reason"],
      [{ stock: 8, expectedStock: 7, reason: "" }, "reason"],
      [{ stock: 8, expectedStock: 7, reason: "x".repeat(201) }, "reason"],
      [{ expectedStock: 7 }, "(body)"],
    ];
    for (const [body, field] of cases) {
      const answer = await api.patch(product.id, body);
      const what = `${server.transport} ${JSON.stringify(body)}`;
      assert.equal(answer.status, 400, what);
      assert.equal(answer.body.error.code, "VALIDATION_FAILED", what);
      const paths = (answer.body.error.issues as Array<{ path: string }>).map(({ path }) => path);
      assert.ok(paths.includes(field), `${what}: issues name ${JSON.stringify(field)}, got ${JSON.stringify(paths)}`);
    }
    assert.deepEqual(await stack.db.product.findUniqueOrThrow({ where: { id: product.id } }), before);
  }
});
