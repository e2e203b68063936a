// The write path over real HTTP against a real PostgreSQL: authentication, optimistic
// concurrency, atomic stock adjustments, and bad input that changes nothing (guarantees 1, 6).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { productSnapshotSchema } from "../lib/products/dto";
import { apiClient, type Api } from "./support/api";
import { startStack, type Server, type Stack } from "../scripts/stack";

let stack: Stack;
let server: Server;
let api: Api;

before(async () => {
  stack = await startStack();
  server = await stack.startServer();
  api = apiClient(server.baseUrl, stack.adminToken);
});
after(() => stack?.stop());

const dbState = async () => ({
  products: await stack.db.product.findMany({ orderBy: { id: "asc" } }),
  events: await stack.db.productEvent.count(),
});

describe("reads", () => {
  test("GET /api/v1/products lists the seeded products with a lastEventId", async () => {
    const { status, body } = await api.products();
    assert.equal(status, 200);
    assert.equal(body.products.length, 50);
    assert.match(body.lastEventId, /^\d+$/);
    assert.deepEqual(Object.keys(body.products[0]).sort(), [
      "archivedAt",
      "id",
      "lowStockThreshold",
      "name",
      "priceCents",
      "sku",
      "stock",
      "updatedAt",
      "version",
    ]);
  });

  test("GET /api/v1/products?sku= finds the product with exactly that sku, in the list's shape", async () => {
    const found = await api.call("GET", "/api/v1/products?sku=COF-ESP-250");
    assert.equal(found.status, 200);
    productSnapshotSchema.parse(found.body);
    assert.deepEqual(
      found.body.products.map((product: { id: number; sku: string }) => [product.id, product.sku]),
      [[1, "COF-ESP-250"]],
    );
    assert.match(found.body.lastEventId, /^\d+$/);
    // Exact: another case, surrounding whitespace or a prefix is another sku.
    for (const sku of ["cof-esp-250", " COF-ESP-250", "COF-ESP-250 ", "COF-ESP", "NO-SUCH-SKU", "COF%ESP%"]) {
      const missing = await api.call("GET", `/api/v1/products?sku=${encodeURIComponent(sku)}`);
      assert.equal(missing.status, 200, sku);
      assert.deepEqual(missing.body.products, [], sku);
    }
  });

  test("GET /api/v1/products?sku= with an empty, too long or repeated sku is a 400 naming sku", async () => {
    for (const query of ["sku=", `sku=${"A".repeat(65)}`, "sku=A&sku=B", "sku=%00"]) {
      const refused = await api.call("GET", `/api/v1/products?${query}`);
      assert.equal(refused.status, 400, query);
      assert.equal(refused.body.error.code, "VALIDATION_FAILED", query);
      assert.equal(refused.body.error.issues[0].path, "sku", query);
    }
    assert.equal((await api.call("GET", `/api/v1/products?sku=${"A".repeat(64)}`)).body.products.length, 0);
  });

  test("GET /api/v1/products/{id} returns one product, 404 for an unknown id", async () => {
    assert.equal((await api.call("GET", "/api/v1/products/1")).body.sku, "COF-ESP-250");
    const missing = await api.call("GET", "/api/v1/products/99999");
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, "NOT_FOUND");
  });
});

describe("PATCH /api/v1/products/{id}", () => {
  test("updates fields, bumps the version and records one event with the actor", async () => {
    const before = await stack.db.product.findUniqueOrThrow({ where: { id: 3 } });
    const { status, body } = await api.patch(3, { stock: 77, priceCents: 1234 });
    assert.equal(status, 200);
    assert.equal(body.stock, 77);
    assert.equal(body.priceCents, 1234);
    assert.equal(body.version, before.version + 1);
    const [event] = await stack.db.productEvent.findMany({ where: { productId: 3 }, orderBy: { id: "desc" }, take: 1 });
    assert.equal(event.stock, 77);
    assert.equal(event.priceCents, 1234);
    assert.equal(event.version, body.version);
    assert.equal(event.actor, "api:default");
  });

  test("a stale expectedVersion gets 409 VERSION_CONFLICT and changes nothing", async () => {
    const current = (await api.call("GET", "/api/v1/products/4")).body;
    assert.equal((await api.patch(4, { stock: 1, expectedVersion: current.version })).status, 200);
    const stateBefore = await dbState();
    const stale = await api.patch(4, { stock: 2, expectedVersion: current.version });
    assert.equal(stale.status, 409);
    assert.equal(stale.body.error.code, "VERSION_CONFLICT");
    assert.equal(stale.body.error.current.stock, 1);
    assert.deepEqual(await dbState(), stateBefore);
  });

  test("concurrent edits at the same version: exactly one wins, no silent overwrite", async () => {
    const { version } = (await api.call("GET", "/api/v1/products/5")).body;
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => api.patch(5, { stock: 100 + i, expectedVersion: version })),
    );
    const winners = results.filter((result) => result.status === 200);
    assert.equal(winners.length, 1);
    assert.equal(results.filter((result) => result.status === 409).length, 9);
    const final = await stack.db.product.findUniqueOrThrow({ where: { id: 5 } });
    assert.equal(final.stock, winners[0].body.stock);
    assert.equal(final.version, version + 1);
  });

  test("without credentials 401, with a wrong token 401", async () => {
    const anonymous = await fetch(`${server.baseUrl}/api/v1/products/1`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ stock: 1 }),
    });
    assert.equal(anonymous.status, 401);
    assert.equal((await anonymous.json()).error.code, "UNAUTHENTICATED");
    const wrong = await apiClient(server.baseUrl, "x".repeat(32)).patch(1, { stock: 1 });
    assert.equal(wrong.status, 401);
  });
});

describe("POST /api/v1/products/{id}/stock-adjustments", () => {
  test("applies the delta atomically and records delta and reason", async () => {
    const before = await stack.db.product.findUniqueOrThrow({ where: { id: 6 } });
    const { status, body } = await api.adjust(6, { delta: -2, reason: "sale" });
    assert.equal(status, 200);
    assert.equal(body.stock, before.stock - 2);
    const [event] = await stack.db.productEvent.findMany({ where: { productId: 6 }, orderBy: { id: "desc" }, take: 1 });
    assert.equal(event.delta, -2);
    assert.equal(event.reason, "sale");
    assert.equal(event.kind, "stock");
  });

  test("concurrent sales never take stock below zero and lose no update", async () => {
    await api.patch(7, { stock: 10 });
    const results = await Promise.all(Array.from({ length: 25 }, () => api.adjust(7, { delta: -1, reason: "sale" })));
    assert.equal(results.filter((result) => result.status === 200).length, 10);
    const refused = results.filter((result) => result.status === 409);
    assert.equal(refused.length, 15);
    assert.ok(refused.every((result) => result.body.error.code === "INSUFFICIENT_STOCK"));
    const product = await stack.db.product.findUniqueOrThrow({ where: { id: 7 } });
    assert.equal(product.stock, 0);
    // The admin pages show the message as it is: it names the product as staff know it.
    assert.equal(refused[0].body.error.message, `“${product.name}” (${product.sku}) has 0 in stock; cannot apply -1`);
  });

  test("concurrent restocks and sales add up exactly", async () => {
    await api.patch(8, { stock: 100 });
    await Promise.all([
      ...Array.from({ length: 20 }, () => api.adjust(8, { delta: 3 })),
      ...Array.from({ length: 20 }, () => api.adjust(8, { delta: -2 })),
    ]);
    assert.equal((await stack.db.product.findUniqueOrThrow({ where: { id: 8 } })).stock, 120);
  });
});

describe("POST /api/v1/products", () => {
  test("creates a product (201) with a created event; a taken sku is 409", async () => {
    const input = { sku: "TST-NEW-001", name: "Test product", priceCents: 500, stock: 3 };
    const created = await api.call("POST", "/api/v1/products", input);
    assert.equal(created.status, 201);
    assert.equal(created.body.lowStockThreshold, 5);
    const events = await stack.db.productEvent.findMany({ where: { productId: created.body.id } });
    assert.deepEqual(
      events.map((event) => event.kind),
      ["created"],
    );
    const again = await api.call("POST", "/api/v1/products", input);
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, "SKU_TAKEN");
  });
});
