// Archive instead of delete (docs/api.md, "Archiving"): archiving and restoring are changes with
// an event each, an archived product leaves the default list and takes no writes on any path,
// its SKU stays taken, and its history and feed events stay whole.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import pg from "pg";
import { apiClient, type Api } from "./support/api";
import { eventually } from "./support/eventually";
import { openFeed } from "./support/sse";
import { startReceiver, type Receiver } from "./support/webhook-receiver";
import type { FeedEvent } from "../lib/events/feed-event";
import type { ProductDto, ProductHistoryEntry, ProductSnapshot } from "../lib/products/dto";
import { startStack, type Server, type Stack } from "../scripts/stack";

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

const FEED = "/api/v1/stream/product-updates";

async function newProduct(stock = 5): Promise<ProductDto> {
  const sku = `ARC-${randomBytes(4).toString("hex")}`;
  const { status, body } = await api.call("POST", "/api/v1/products", {
    sku,
    name: `Archived ${sku}`,
    priceCents: 250,
    stock,
  });
  assert.equal(status, 201);
  return body;
}

const archive = (id: number, body?: unknown, headers?: Record<string, string>) =>
  api.call("POST", `/api/v1/products/${id}/archive`, body, headers);
const restore = (id: number, body?: unknown, headers?: Record<string, string>) =>
  api.call("POST", `/api/v1/products/${id}/restore`, body, headers);
const list = async (query = ""): Promise<ProductSnapshot> => {
  const { status, body } = await api.call("GET", `/api/v1/products${query}`);
  assert.equal(status, 200);
  return body;
};
const ids = (snapshot: ProductSnapshot) => snapshot.products.map((product) => product.id);

test("archive and restore: one event each with the product's state and the reason, a new version each", async () => {
  const product = await newProduct(3);
  const archived = await archive(product.id, { reason: "discontinued" });
  assert.equal(archived.status, 200);
  assert.equal(archived.body.version, product.version + 1);
  assert.match(archived.body.archivedAt, /^\d{4}-\d\d-\d\dT/);
  assert.equal(archived.body.stock, 3);

  // No body at all is the same as {}.
  const restored = await restore(product.id);
  assert.equal(restored.status, 200, JSON.stringify(restored.body));
  assert.equal(restored.body.archivedAt, null);
  assert.equal(restored.body.version, product.version + 2);

  const history = await api.call("GET", `/api/v1/products/${product.id}/events`);
  const [restoredEntry, archivedEntry] = history.body.events as ProductHistoryEntry[];
  assert.equal(archivedEntry.kind, "archived");
  assert.equal(archivedEntry.reason, "discontinued");
  assert.equal(archivedEntry.actor, "api:default");
  assert.equal(archivedEntry.stock, 3);
  assert.equal(archivedEntry.version, product.version + 1);
  assert.equal(archivedEntry.stockLevel, "low");
  assert.equal(archivedEntry.previousStockLevel, "low");
  assert.equal(restoredEntry.kind, "restored");
  assert.equal(restoredEntry.reason, null);
  assert.equal(restoredEntry.version, product.version + 2);
});

test("archiving an archived product is 409 ALREADY_ARCHIVED, restoring an active one 409 NOT_ARCHIVED; nothing changes", async () => {
  const product = await newProduct();
  const notArchived = await restore(product.id, {});
  assert.equal(notArchived.status, 409);
  assert.equal(notArchived.body.error.code, "NOT_ARCHIVED");
  // Named as staff know it, by name and SKU (the id is in `current`).
  assert.ok(
    notArchived.body.error.message.startsWith(`“${product.name}” (${product.sku}) is not archived`),
    notArchived.body.error.message,
  );

  await archive(product.id);
  const events = await stack.db.productEvent.count({ where: { productId: product.id } });
  const again = await archive(product.id, {});
  assert.equal(again.status, 409);
  assert.equal(again.body.error.code, "ALREADY_ARCHIVED");
  assert.equal(again.body.error.current.version, product.version + 1);
  assert.equal(await stack.db.productEvent.count({ where: { productId: product.id } }), events);

  const missing = await archive(99_999_999);
  assert.equal(missing.status, 404);
  const badReason = await archive(product.id, { reason: "" });
  assert.equal(badReason.status, 400);
  assert.equal(badReason.body.error.issues[0].path, "reason");
  const extra = await restore(product.id, { reason: "ok", why: 1 });
  assert.equal(extra.status, 400);
});

test("a retried archive with the same Idempotency-Key archives once and answers the same", async () => {
  const product = await newProduct();
  const key = { "idempotency-key": `archive-${randomBytes(8).toString("hex")}` };
  const first = await archive(product.id, { reason: "end of line" }, key);
  const retry = await archive(product.id, { reason: "end of line" }, key);
  assert.equal(first.status, 200);
  assert.equal(retry.status, 200, "the stored answer, not ALREADY_ARCHIVED");
  assert.deepEqual(retry.body, first.body);
  const kinds = await stack.db.productEvent.findMany({ where: { productId: product.id }, select: { kind: true } });
  assert.deepEqual(
    kinds.map((event) => event.kind),
    ["created", "archived"],
  );
  const otherBody = await archive(product.id, { reason: "another" }, key);
  assert.equal(otherBody.status, 422);
});

test("the list: active by default, ?archived=true only archived, ?archived=all both; 400 on anything else", async () => {
  const active = await newProduct();
  const gone = await newProduct();
  await archive(gone.id);

  const byDefault = await list();
  assert.ok(ids(byDefault).includes(active.id));
  assert.ok(!ids(byDefault).includes(gone.id));
  assert.ok(byDefault.products.every((product) => product.archivedAt === null));
  assert.deepEqual(ids(await list("?archived=false")), ids(byDefault));

  const archivedOnly = await list("?archived=true");
  assert.ok(ids(archivedOnly).includes(gone.id));
  assert.ok(!ids(archivedOnly).includes(active.id));
  assert.ok(archivedOnly.products.every((product) => product.archivedAt !== null));

  const all = await list("?archived=all");
  assert.ok(ids(all).includes(gone.id) && ids(all).includes(active.id));

  // sku and archived combine: the archived product is found by sku only where archived ones are listed.
  assert.deepEqual(ids(await list(`?sku=${gone.sku}`)), []);
  assert.deepEqual(ids(await list(`?sku=${gone.sku}&archived=all`)), [gone.id]);

  for (const query of ["?archived=yes", "?archived=", "?archived=TRUE", "?archived=true&archived=all"]) {
    const refused = await api.call("GET", `/api/v1/products${query}`);
    assert.equal(refused.status, 400, query);
    assert.equal(refused.body.error.code, "VALIDATION_FAILED");
    assert.match(refused.body.error.message, /archived/);
  }

  // One product and its history still answer for an archived product.
  const one = await api.call("GET", `/api/v1/products/${gone.id}`);
  assert.equal(one.status, 200);
  assert.ok(one.body.archivedAt);
  const history = await api.call("GET", `/api/v1/products/${gone.id}/events`);
  assert.equal(history.status, 200);
  assert.equal(history.body.events[0].kind, "archived");
});

test("writes to an archived product are refused with 409 PRODUCT_ARCHIVED naming it, and change nothing", async () => {
  const product = await newProduct(10);
  const other = await newProduct(10);
  await archive(product.id);
  const before = await stack.db.product.findUniqueOrThrow({ where: { id: product.id } });
  const events = await stack.db.productEvent.count();

  const refusals = [
    await api.patch(product.id, { stock: 99 }),
    await api.patch(product.id, { name: "New name", expectedVersion: before.version }),
    await api.adjust(product.id, { delta: 1 }),
    await api.adjust(product.id, { delta: -1, reason: "sale" }),
  ];
  for (const refused of refusals) {
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error.code, "PRODUCT_ARCHIVED");
    assert.ok(
      refused.body.error.message.startsWith(`“${product.name}” (${product.sku}) is archived`),
      refused.body.error.message,
    );
  }

  // Bulk and stocktake: the whole request is refused, the active item included, naming the item.
  const bulk = await api.call("POST", "/api/v1/stock-adjustments", {
    items: [
      { productId: other.id, delta: 1 },
      { sku: product.sku, delta: 1 },
    ],
  });
  assert.equal(bulk.status, 409);
  assert.equal(bulk.body.error.code, "PRODUCT_ARCHIVED");
  assert.equal(bulk.body.error.index, 1);
  assert.ok(
    bulk.body.error.message.startsWith(`items.1: “${product.name}” (${product.sku}) `),
    bulk.body.error.message,
  );
  const stocktake = await api.call("POST", "/api/v1/stocktakes", { items: [{ productId: product.id, count: 4 }] });
  assert.equal(stocktake.status, 409);
  assert.equal(stocktake.body.error.code, "PRODUCT_ARCHIVED");
  assert.equal(stocktake.body.error.index, 0);

  const after = await stack.db.product.findUniqueOrThrow({ where: { id: product.id } });
  assert.deepEqual(after, before);
  assert.equal((await stack.db.product.findUniqueOrThrow({ where: { id: other.id } })).stock, 10);
  assert.equal(await stack.db.productEvent.count(), events);

  // Restored, it takes writes again.
  await restore(product.id);
  const adjusted = await api.adjust(product.id, { delta: 2 });
  assert.equal(adjusted.status, 200);
  assert.equal(adjusted.body.stock, 12);
});

test("an archived product's SKU stays taken: a new product cannot reuse it, and the message says why", async () => {
  const product = await newProduct();
  await archive(product.id);
  const reused = await api.call("POST", "/api/v1/products", {
    sku: product.sku,
    name: "Reuse",
    priceCents: 1,
    stock: 1,
  });
  assert.equal(reused.status, 409);
  assert.equal(reused.body.error.code, "SKU_TAKEN");
  assert.ok(
    reused.body.error.message.includes(`the archived product “${product.name}” (${product.sku})`),
    reused.body.error.message,
  );
  assert.match(reused.body.error.message, /stays unique/);

  const other = await newProduct();
  const renamed = await api.patch(other.id, { sku: product.sku });
  assert.equal(renamed.status, 409);
  assert.equal(renamed.body.error.code, "SKU_TAKEN");
  assert.match(renamed.body.error.message, /archived product/);
});

test("the feed's default view carries archived then restored, live and in replay, byte for byte alike", async () => {
  const product = await newProduct();
  const { lastEventId } = await list();
  const live = await openFeed(`${server.baseUrl}${FEED}`);
  try {
    await archive(product.id, { reason: "seasonal" });
    await restore(product.id);
    const mine = () => live.events().filter((event) => event.productId === product.id);
    await live.waitFor(() => mine().length >= 2, "archived and restored on the live feed");
    assert.deepEqual(
      mine().map((event) => event.kind),
      ["archived", "restored"],
    );
    assert.equal(mine()[0].newStock, product.stock);
    assert.equal(mine()[0].sku, product.sku);

    // Replay from the snapshot's id gives the same frames.
    const replay = await openFeed(`${server.baseUrl}${FEED}?lastEventId=${lastEventId}`);
    try {
      const frames = (reader: typeof live) =>
        reader.frames.filter((frame) => frame.data?.includes(`"productId":${product.id},`)).map((frame) => frame.data);
      await replay.waitFor(() => frames(replay).length >= 2, "archived and restored in replay");
      assert.deepEqual(frames(replay), frames(live));
    } finally {
      replay.close();
    }
  } finally {
    live.close();
  }
});

test("stock alerts leave out archived products", async () => {
  const product = await newProduct(5);
  await api.adjust(product.id, { delta: -5 });
  const alerts = async () =>
    (await api.call("GET", "/api/v1/alerts?limit=100")).body.alerts as Array<{ productId: number }>;
  assert.ok(
    (await alerts()).some((alert) => alert.productId === product.id),
    "out of stock is an alert",
  );
  await archive(product.id);
  assert.ok(!(await alerts()).some((alert) => alert.productId === product.id), "not once archived");
  await restore(product.id);
  assert.ok(
    (await alerts()).some((alert) => alert.productId === product.id),
    "back once restored",
  );
});

test("a bad product id in the path is a 400 naming id (not the body) on archive, restore and the history", async () => {
  for (const path of ["/api/v1/products/0/archive", "/api/v1/products/abc/restore", "/api/v1/products/-1/events"]) {
    const answer = await api.call(path.endsWith("events") ? "GET" : "POST", path);
    assert.equal(answer.status, 400, `${path}: ${JSON.stringify(answer.body)}`);
    assert.match(answer.body.error.message, /^id: product id must be a positive whole number/, path);
    assert.deepEqual(
      answer.body.error.issues.map((issue: { path: string }) => issue.path),
      ["id"],
      path,
    );
  }
});

test("archiving needs admin credentials: without them 401, and nothing changes", async () => {
  const product = await newProduct();
  const anonymous = await fetch(`${server.baseUrl}/api/v1/products/${product.id}/archive`, { method: "POST" });
  assert.equal(anonymous.status, 401);
  const fresh = await stack.db.product.findUniqueOrThrow({ where: { id: product.id } });
  assert.equal(fresh.archivedAt, null);
});

test("webhooks: kinds all receive archived and restored; threshold subscriptions pass over them", async () => {
  const product = await newProduct();
  const subscribe = async (hookPath: string, kinds: string) => {
    const created = await api.call("POST", "/api/v1/webhooks", {
      url: receiver.url(hookPath),
      kinds,
      productIds: [product.id],
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return created.body.id as number;
  };
  const all = await subscribe("/archive-all", "all");
  const threshold = await subscribe("/archive-threshold", "threshold");
  await archive(product.id, { reason: "discontinued" });
  const restored = await restore(product.id);
  assert.equal(restored.status, 200);
  const newest = (await stack.db.productEvent.aggregate({ _max: { id: true } }))._max.id!;

  const kinds = (hookPath: string) =>
    receiver
      .requests(hookPath)
      .flatMap((request) => (JSON.parse(request.body) as { events: FeedEvent[] }).events)
      .map((event) => event.kind);
  // A cursor moves past events once they are acknowledged (the receiver has answered; it records
  // a request as it arrives, before that), or passed over: then everything is in.
  const cursor = async (id: number) => (await stack.db.webhookSubscription.findUniqueOrThrow({ where: { id } })).cursor;
  await eventually(async () => (await cursor(all)) >= newest, "the kinds-all cursor past both events");
  assert.deepEqual(kinds("/archive-all"), ["archived", "restored"]);
  // The threshold subscription's cursor passes both events without sending them.
  await eventually(async () => (await cursor(threshold)) >= newest, "the threshold cursor past both events");
  assert.deepEqual(kinds("/archive-threshold"), []);
});

test("adjustments racing an archive each land before it or are refused; none lands after it", async () => {
  const product = await newProduct(1000);
  const adjustments = Array.from({ length: 30 }, () => api.adjust(product.id, { delta: -1 }));
  const archiving = archive(product.id);
  const answers = await Promise.all(adjustments);
  const archived = await archiving;
  assert.equal(archived.status, 200);
  for (const answer of answers) {
    assert.ok(answer.status === 200 || answer.body.error.code === "PRODUCT_ARCHIVED", JSON.stringify(answer.body));
  }
  const applied = answers.filter((answer) => answer.status === 200).length;
  const events = await stack.db.productEvent.findMany({ where: { productId: product.id }, orderBy: { id: "asc" } });
  assert.equal(events.at(-1)!.kind, "archived");
  assert.equal(events.filter((event) => event.kind === "stock").length, applied);
  assert.equal(archived.body.stock, 1000 - applied);
  assert.equal((await stack.db.product.findUniqueOrThrow({ where: { id: product.id } })).stock, 1000 - applied);
});

/**
 * Runs `write` on `id` while another archive holds the row: the write's UPDATE waits for it and
 * matches nothing. Then a restore commits after that UPDATE and before the write reads why it
 * matched nothing (it holds the table meanwhile), and the write's answer is returned.
 */
async function racedByArchiveAndRestore<T>(id: number, write: () => Promise<T>): Promise<T> {
  const holder = new pg.Client({ connectionString: stack.databaseUrl });
  const locker = new pg.Client({ connectionString: stack.databaseUrl });
  await holder.connect();
  await locker.connect();
  // Asked outside the clients' transactions: a transaction sees pg_stat_activity as it first read it.
  const count = async (query: Promise<Array<{ n: number }>>) => (await query)[0].n > 0;
  const blocks = (pid: number) =>
    count(
      stack.db
        .$queryRaw`SELECT count(*)::int AS n FROM pg_stat_activity WHERE ${pid}::int = ANY(pg_blocking_pids(pid))`,
    );
  const waitsForLock = (pid: number) =>
    count(
      stack.db
        .$queryRaw`SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = ${pid}::int AND wait_event_type = 'Lock'`,
    );
  try {
    const pidOf = async (client: pg.Client) =>
      (await client.query("SELECT pg_backend_pid() AS pid")).rows[0].pid as number;
    const holderPid = await pidOf(holder);
    const lockerPid = await pidOf(locker);
    await holder.query("BEGIN");
    await holder.query(`UPDATE "Product" SET "archivedAt" = now(), version = version + 1 WHERE id = $1`, [id]);
    const waiting = write();
    await eventually(() => blocks(holderPid), "the write to wait for the row lock");
    await locker.query("BEGIN");
    const locked = locker.query(`LOCK TABLE "Product" IN ACCESS EXCLUSIVE MODE`);
    await eventually(() => waitsForLock(lockerPid), "the restore to queue for the table");
    await holder.query("COMMIT");
    await locked;
    await locker.query(`UPDATE "Product" SET "archivedAt" = NULL, version = version + 1 WHERE id = $1`, [id]);
    await locker.query("COMMIT");
    return await waiting;
  } finally {
    await holder.end();
    await locker.end();
  }
}

test("a write that finds the product archived, and then restored before it says why, applies: no 500, nothing lost", async () => {
  const product = await newProduct(5);
  const archived = await racedByArchiveAndRestore(product.id, () => archive(product.id, { reason: "race" }));
  assert.equal(archived.status, 200, JSON.stringify(archived.body));
  assert.ok(archived.body.archivedAt);
  assert.equal(archived.body.version, product.version + 3);
  const [event] = await stack.db.productEvent.findMany({
    where: { productId: product.id },
    orderBy: { id: "desc" },
    take: 1,
  });
  assert.deepEqual([event.kind, event.reason, event.version], ["archived", "race", product.version + 3]);
  await restore(product.id);

  // A PATCH would answer 200 with its change left out; an adjustment would be refused for a reason it does not have.
  const patched = await racedByArchiveAndRestore(product.id, () => api.patch(product.id, { stock: 99 }));
  assert.equal(patched.status, 200, JSON.stringify(patched.body));
  assert.equal(patched.body.stock, 99);
  const adjusted = await racedByArchiveAndRestore(product.id, () => api.adjust(product.id, { delta: 1 }));
  assert.equal(adjusted.status, 200, JSON.stringify(adjusted.body));
  assert.equal(adjusted.body.stock, 100);
  // The same on the other transport of the single adjustment (Next's route handler).
  const routeServer = await stack.startServer({ transport: "route-handler" });
  try {
    const viaRoute = apiClient(routeServer.baseUrl, stack.adminToken);
    const routed = await racedByArchiveAndRestore(product.id, () => viaRoute.adjust(product.id, { delta: 1 }));
    assert.equal(routed.status, 200, JSON.stringify(routed.body));
    assert.equal(routed.body.stock, 101);
  } finally {
    await routeServer.stop();
  }
  assert.equal((await stack.db.product.findUniqueOrThrow({ where: { id: product.id } })).stock, 101);
});
