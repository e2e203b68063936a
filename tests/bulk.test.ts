// Bulk stock adjustments and stocktakes over real HTTP and PostgreSQL: all or nothing, errors
// naming the item, no deadlock between bulks over the same products, one event per change on
// the feed in id (= item) order.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { bulkAdjustmentResultSchema, bulkItemErrorSchema, stocktakeResultSchema } from "../lib/products/dto";
import { MAX_BULK_BODY_BYTES, MAX_BULK_ITEMS } from "../lib/products/validation";
import { apiClient, type Api } from "./support/api";
import { openFeed } from "./support/sse";
import { startStack, type Server, type Stack } from "../scripts/stack";

const FEED = "/api/v1/stream/product-updates";

let stack: Stack;
let server: Server;
let api: Api;
/** 1,000 products of this file's own, each with stock 1,000 and threshold 10, and their skus. */
let ids: number[];
const skuOf = new Map<number, string>();

before(async () => {
  stack = await startStack();
  server = await stack.startServer();
  api = apiClient(server.baseUrl, stack.adminToken);
  await stack.db.product.createMany({
    data: Array.from({ length: 1000 }, (_, i) => ({
      sku: `BULK-${String(i).padStart(4, "0")}`,
      name: `Bulk product ${i}`,
      priceCents: 100,
      stock: 1000,
      lowStockThreshold: 10,
    })),
  });
  const created = await stack.db.product.findMany({ where: { sku: { startsWith: "BULK-" } }, orderBy: { id: "asc" } });
  ids = created.map((product) => product.id);
  for (const product of created) skuOf.set(product.id, product.sku);
});
after(() => stack?.stop());

const adjustments = (body: unknown) => api.call("POST", "/api/v1/stock-adjustments", body);
const stocktake = (body: unknown) => api.call("POST", "/api/v1/stocktakes", body);

const state = async () => ({
  products: await stack.db.product.findMany({ orderBy: { id: "asc" } }),
  events: await stack.db.productEvent.count(),
});

const lastEventId = async () => (await api.products()).body.lastEventId as string;

describe("POST /api/v1/stock-adjustments", () => {
  test("1,000 items: one event each on the feed, ids in item order, products in item order", async () => {
    const from = await lastEventId();
    const feed = await openFeed(`${server.baseUrl}${FEED}?lastEventId=${from}`);
    // Item order differs from id order; every tenth item names its product by sku.
    const order = [...ids].reverse();
    const items = order.map((id, i) =>
      i % 10 === 0 ? { sku: skuOf.get(id), delta: -1 } : { productId: id, delta: -1 },
    );
    const answer = await adjustments({ reason: "sale", items });
    assert.equal(answer.status, 200, JSON.stringify(answer.body).slice(0, 500));
    bulkAdjustmentResultSchema.parse(answer.body);
    assert.deepEqual(
      answer.body.products.map((product: { id: number }) => product.id),
      order,
    );
    assert.ok(answer.body.products.every((product: { stock: number }) => product.stock === 999));

    await feed.waitFor(() => feed.events().length >= 1000, "1,000 events");
    const events = feed.events();
    assert.equal(events.length, 1000);
    assert.deepEqual(
      events.map((event) => event.productId),
      order,
    );
    for (let i = 1; i < events.length; i++) assert.ok(BigInt(events[i].eventId) > BigInt(events[i - 1].eventId));
    assert.equal(answer.body.lastEventId, events.at(-1)!.eventId);
    assert.ok(events.every((event) => event.kind === "stock" && event.delta === -1 && event.newStock === 999));
    const stored = await stack.db.productEvent.findMany({ where: { id: { gt: BigInt(from) } } });
    assert.ok(stored.every((event) => event.reason === "sale" && event.actor === "api:default"));
    feed.close();
  });

  test("one bad item among 1,000 changes nothing and sends no event", async () => {
    await stack.db.product.update({ where: { id: ids[737] }, data: { stock: 0 } });
    const before = await state();
    const feed = await openFeed(`${server.baseUrl}${FEED}`);
    const items = ids.map((id) => ({ productId: id, delta: -1 }));
    const refused = await adjustments({ items });
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error.code, "INSUFFICIENT_STOCK");
    assert.equal(refused.body.error.index, 737);
    const named = await stack.db.product.findUniqueOrThrow({ where: { id: ids[737] } });
    assert.equal(
      refused.body.error.message,
      `items.737: “${named.name}” (${named.sku}) has 0 in stock; cannot apply -1`,
    );
    assert.equal(refused.body.error.current.id, ids[737]);
    assert.deepEqual(await state(), before);
    // The next change is the first thing the feed carries.
    await api.adjust(ids[0], { delta: 1 });
    await feed.waitFor(() => feed.events().length >= 1, "the marker change");
    assert.equal(feed.events()[0].productId, ids[0]);
    assert.equal(feed.events()[0].delta, 1);
    feed.close();
  });

  test("two bulks over the same products in opposite orders never deadlock and both apply", async () => {
    const shared = ids.slice(100, 400);
    const before = await stack.db.product.findMany({ where: { id: { in: shared } } });
    const rounds = 5;
    for (let round = 0; round < rounds; round++) {
      const answers = await Promise.all([
        adjustments({ items: shared.map((id) => ({ productId: id, delta: 2 })) }),
        adjustments({ items: [...shared].reverse().map((id) => ({ productId: id, delta: -1 })) }),
        adjustments({ items: shared.filter((_, i) => i % 2).map((id) => ({ productId: id, delta: 1 })) }),
      ]);
      for (const answer of answers) assert.equal(answer.status, 200, JSON.stringify(answer.body).slice(0, 300));
    }
    const after = await stack.db.product.findMany({ where: { id: { in: shared } } });
    const stockBefore = new Map(before.map((product) => [product.id, product.stock]));
    for (const product of after) {
      const odd = shared.indexOf(product.id) % 2 === 1;
      assert.equal(product.stock, stockBefore.get(product.id)! + rounds * (odd ? 2 : 1), `product ${product.id}`);
    }
  });

  test("events carry stock levels across the threshold", async () => {
    const [first, second] = ids.slice(500, 502);
    await stack.db.product.update({ where: { id: first }, data: { stock: 12 } });
    await stack.db.product.update({ where: { id: second }, data: { stock: 0 } });
    const from = await lastEventId();
    assert.equal(
      (
        await adjustments({
          items: [
            { productId: first, delta: -12 },
            { productId: second, delta: 5 },
          ],
        })
      ).status,
      200,
    );
    const events = await stack.db.productEvent.findMany({
      where: { id: { gt: BigInt(from) } },
      orderBy: { id: "asc" },
    });
    assert.deepEqual(
      events.map((event) => [event.productId, event.previousStockLevel, event.stockLevel]),
      [
        [first, "ok", "out"],
        [second, "out", "low"],
      ],
    );
  });

  test("errors name the item; nothing changes", async () => {
    const before = await state();
    const [a, b] = ids.slice(600, 602);
    const cases: Array<[string, unknown, number, string, number | string]> = [
      [
        "delta zero",
        {
          items: [
            { productId: a, delta: 1 },
            { productId: b, delta: 0 },
          ],
        },
        400,
        "VALIDATION_FAILED",
        "items.1.delta",
      ],
      ["neither id nor sku", { items: [{ delta: 1 }] }, 400, "VALIDATION_FAILED", "items.0"],
      [
        "both id and sku",
        { items: [{ productId: a, sku: skuOf.get(a), delta: 1 }] },
        400,
        "VALIDATION_FAILED",
        "items.0",
      ],
      ["unknown field", { items: [{ productId: a, delta: 1, price: 3 }] }, 400, "VALIDATION_FAILED", "items.0"],
      ["empty", { items: [] }, 400, "VALIDATION_FAILED", "items"],
      [
        "unknown product",
        {
          items: [
            { productId: a, delta: 1 },
            { productId: 99_999_999, delta: 1 },
          ],
        },
        404,
        "NOT_FOUND",
        1,
      ],
      ["unknown sku", { items: [{ sku: skuOf.get(a)!.toLowerCase(), delta: 1 }] }, 404, "NOT_FOUND", 0],
      [
        "same product twice, by id and by sku",
        {
          items: [
            { productId: b, delta: 1 },
            { productId: a, delta: 1 },
            { sku: skuOf.get(b), delta: 1 },
          ],
        },
        400,
        "DUPLICATE_ITEM",
        2,
      ],
      [
        "past 32 bits",
        {
          items: [
            { productId: a, delta: 1 },
            { productId: b, delta: 2_147_483_647 },
          ],
        },
        409,
        "STOCK_OUT_OF_RANGE",
        1,
      ],
    ];
    for (const [what, body, status, code, where] of cases) {
      const answer = await adjustments(body);
      assert.equal(answer.status, status, `${what}: ${JSON.stringify(answer.body)}`);
      assert.equal(answer.body.error.code, code, what);
      if (typeof where === "number") {
        assert.equal(answer.body.error.index, where, what);
        bulkItemErrorSchema.parse(answer.body);
      } else
        assert.ok(
          answer.body.error.issues.some((issue: { path: string }) => issue.path === where),
          `${what}: ${JSON.stringify(answer.body.error.issues)}`,
        );
    }
    assert.deepEqual(await state(), before);
  });

  test("limits: 1,000 items with long reasons are accepted, 10,001 items or over 4 MiB are refused naming the limit", async () => {
    const before = await state();
    const items = Array.from({ length: MAX_BULK_ITEMS + 1 }, (_, i) => ({ productId: ids[i % 1000], delta: 1 }));
    const tooMany = await adjustments({ items });
    assert.equal(tooMany.status, 400);
    assert.match(tooMany.body.error.message, /at most 10000 items/);
    // 1,000 items with long reasons: well past the single writes' 16 KiB, under 4 MiB.
    const long = ids.map((id) => ({ productId: id, delta: 1, reason: "r".repeat(200) }));
    assert.ok(JSON.stringify({ items: long }).length > 200_000);
    const accepted = await adjustments({ items: long });
    assert.equal(accepted.status, 200);
    const huge = await adjustments({
      reason: "x",
      items: [{ productId: ids[0], delta: 1 }],
      pad: "x".repeat(MAX_BULK_BODY_BYTES),
    });
    assert.equal(huge.status, 413);
    assert.match(huge.body.error.message, /4096 KiB/);
    assert.equal((await stack.db.productEvent.count()) - before.events, 1000);
  });

  test("without credentials 401, with a wrong token 401", async () => {
    const wrong = await apiClient(server.baseUrl, "x".repeat(32)).call("POST", "/api/v1/stock-adjustments", {
      items: [{ productId: ids[0], delta: 1 }],
    });
    assert.equal(wrong.status, 401);
    const anonymous = await fetch(`${server.baseUrl}/api/v1/stocktakes`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ items: [{ productId: ids[0], count: 1 }] }),
    });
    assert.equal(anonymous.status, 401);
  });
});

describe("POST /api/v1/stocktakes", () => {
  test("sets counted stock; unchanged counts make no event; changed and lastEventId say what happened", async () => {
    const [a, b, c] = await stack.db.product.findMany({
      where: { id: { in: ids.slice(700, 703) } },
      orderBy: { id: "asc" },
    });
    const from = await lastEventId();
    const answer = await stocktake({
      reason: "stocktake",
      items: [
        { productId: c.id, count: 5 },
        { sku: a.sku, count: a.stock, expectedVersion: a.version },
        { productId: b.id, count: 0, expectedVersion: b.version },
      ],
    });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    stocktakeResultSchema.parse(answer.body);
    assert.equal(answer.body.changed, 2);
    assert.deepEqual(
      answer.body.products.map((product: { id: number; stock: number; version: number }) => [
        product.id,
        product.stock,
        product.version,
      ]),
      [
        [c.id, 5, c.version + 1],
        [a.id, a.stock, a.version],
        [b.id, 0, b.version + 1],
      ],
    );
    const events = await stack.db.productEvent.findMany({
      where: { id: { gt: BigInt(from) } },
      orderBy: { id: "asc" },
    });
    assert.deepEqual(
      events.map((event) => [event.productId, event.stock, event.delta, event.reason, event.stockLevel]),
      [
        [c.id, 5, 5 - c.stock, "stocktake", "low"],
        [b.id, 0, -b.stock, "stocktake", "out"],
      ],
    );
    assert.equal(answer.body.lastEventId, events.at(-1)!.id.toString());

    // Nothing to change: no event, and lastEventId is the newest one.
    const same = await stocktake({ items: [{ productId: c.id, count: 5 }] });
    assert.equal(same.status, 200);
    assert.equal(same.body.changed, 0);
    assert.equal(same.body.lastEventId, await lastEventId());
  });

  test("a stale expectedVersion is 409 VERSION_CONFLICT naming the item, and nothing changes", async () => {
    const [a, b] = await stack.db.product.findMany({
      where: { id: { in: ids.slice(710, 712) } },
      orderBy: { id: "asc" },
    });
    const before = await state();
    const answer = await stocktake({
      items: [
        { productId: a.id, count: 1 },
        { productId: b.id, count: 1, expectedVersion: b.version + 1 },
      ],
    });
    assert.equal(answer.status, 409);
    assert.equal(answer.body.error.code, "VERSION_CONFLICT");
    assert.equal(answer.body.error.index, 1);
    assert.equal(answer.body.error.current.version, b.version);
    assert.deepEqual(await state(), before);
    const negative = await stocktake({ items: [{ productId: a.id, count: -1 }] });
    assert.equal(negative.status, 400);
    assert.equal(negative.body.error.issues[0].path, "items.0.count");
  });

  test("a count guarded by expectedStock applies only while the stock is what it was counted against", async () => {
    const [a, b] = await stack.db.product.findMany({
      where: { id: { in: ids.slice(720, 722) } },
      orderBy: { id: "asc" },
    });
    // Counted against the stock as it is: applies.
    const counted = await stocktake({
      reason: "count",
      items: [{ productId: a.id, count: a.stock + 4, expectedStock: a.stock }],
    });
    assert.equal(counted.status, 200, JSON.stringify(counted.body));
    assert.equal(counted.body.products[0].stock, a.stock + 4);

    // The till sells one of b after b was counted: the count would put it back, so nothing changes.
    const sale = await api.adjust(b.id, { delta: -1, reason: "sale" });
    assert.equal(sale.status, 200, JSON.stringify(sale.body));
    const before = await state();
    const stale = await stocktake({
      items: [
        { productId: a.id, count: 0, expectedStock: a.stock + 4 },
        { productId: b.id, count: b.stock, expectedStock: b.stock },
      ],
    });
    assert.equal(stale.status, 409, JSON.stringify(stale.body));
    assert.equal(stale.body.error.code, "STOCK_CONFLICT");
    assert.equal(stale.body.error.index, 1);
    assert.equal(stale.body.error.current.stock, b.stock - 1);
    assert.deepEqual(await state(), before);

    for (const expectedStock of [-1, 1.5, "3", null]) {
      const bad = await stocktake({ items: [{ productId: a.id, count: 1, expectedStock }] });
      assert.equal(bad.status, 400, `expectedStock ${JSON.stringify(expectedStock)}`);
      assert.equal(bad.body.error.issues[0].path, "items.0.expectedStock");
    }
    assert.deepEqual(await state(), before);
  });
});
