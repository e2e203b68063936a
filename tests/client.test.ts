// The typed client (clients/typescript), built with tsc and used against a real server: every
// route, one Idempotency-Key per write reused on its retries, and a subscription that follows
// the feed across a server restart (nothing lost or doubled) and reloads on `reset`.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import http from "node:http";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, test } from "node:test";
import { Webhook as StandardWebhook } from "standardwebhooks";
import { startStack, type Server, type Stack } from "../scripts/stack";
import { startReceiver, type Receiver } from "./support/webhook-receiver";
import type * as ClientModule from "../clients/typescript/src/index";
import type { FeedEvent, ProductSnapshot, SubscriptionStatus } from "../clients/typescript/src/index";

const root = path.join(import.meta.dirname, "..");
let client: typeof ClientModule;
let stack: Stack;
let server: Server;
let writer: Server;

before(async () => {
  const build = spawnSync(
    process.execPath,
    [path.join(root, "node_modules/typescript/bin/tsc"), "-p", "clients/typescript"],
    {
      cwd: root,
      encoding: "utf8",
    },
  );
  assert.equal(build.status, 0, `building the client failed:\n${build.stdout}${build.stderr}`);
  client = await import(pathToFileURL(path.join(root, "clients/typescript/dist/index.js")).href);
  // Private addresses allowed: the webhook receiver listens on loopback.
  stack = await startStack({ env: { SSE_HEARTBEAT_MS: "120000", WEBHOOK_ALLOW_PRIVATE_ADDRESSES: "true" } });
  [server, writer] = await Promise.all([stack.startServer(), stack.startServer()]);
});
after(() => stack?.stop());

const clientOf = (target: Server, token = stack.adminToken) =>
  client.createClient({ baseUrl: target.baseUrl, token, retryDelayMs: 20, maxRetryDelayMs: 500 });

async function newProduct(target = server) {
  return clientOf(target).createProduct({
    sku: `CLI-${randomBytes(4).toString("hex")}`,
    name: "Client test product",
    priceCents: 500,
    stock: 10,
  });
}

async function until(check: () => boolean, what: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

test("typed calls for the routes: products, history, writes, errors, health, the document", async (t) => {
  const api = clientOf(server);
  const snapshot = await api.listProducts();
  assert.ok(snapshot.products.length >= 50 && /^\d+$/.test(snapshot.lastEventId));
  const third = snapshot.products[2];
  assert.deepEqual(await api.getProduct(third.id), third);
  assert.deepEqual(await api.findProductBySku(third.sku), third);
  assert.equal(await api.findProductBySku(`${third.sku} `), null, "exact match: a trailing space is another sku");

  const created = await newProduct();
  const changed = await api.updateProduct(created.id, { priceCents: 650, expectedVersion: created.version });
  assert.equal(changed.priceCents, 650);
  const adjusted = await api.adjustStock(created.id, { delta: -4, reason: "sale" });
  assert.equal(adjusted.stock, 6);
  const history = await api.productHistory(created.id, { limit: 10 });
  assert.deepEqual(
    history.map((entry) => [entry.kind, entry.actor, entry.reason]),
    [
      ["stock", "api:default", "sale"],
      ["price", "api:default", null],
      ["created", "api:default", null],
    ],
  );
  const page = await api.history({ productId: created.id, kind: ["stock", "price"], limit: 1 });
  assert.deepEqual(
    page.events.map((entry) => entry.kind),
    ["stock"],
  );
  const older = await api.history({
    productId: created.id,
    kind: ["stock", "price"],
    limit: 1,
    before: page.nextBefore!,
  });
  assert.deepEqual([older.events.map((entry) => entry.kind), older.nextBefore], [["price"], null]);

  await assert.rejects(api.updateProduct(created.id, { stock: 1, expectedVersion: 1 }), (error: unknown) => {
    assert.ok(error instanceof client.StockPulseError);
    assert.equal(error.status, 409);
    assert.equal(error.code, "VERSION_CONFLICT");
    assert.equal(error.body?.error.current?.version, adjusted.version);
    return true;
  });
  await assert.rejects(api.getProduct(99_999_999), { status: 404, code: "NOT_FOUND" });
  await assert.rejects(clientOf(server, "not-a-token").listProducts(), { status: 401, code: "UNAUTHENTICATED" });

  assert.equal((await api.health()).status, "ok");
  assert.equal((await api.live()).status, "ok");
  assert.equal((await api.ready()).status, "ready");
  assert.match(await clientOf(server, stack.metricsToken).metrics(), /stockpulse_open_streams/);
  assert.match(String((await api.openApiDocument()).openapi), /^3\.1\./);

  const viewerEmail = `client-viewer-${randomBytes(3).toString("hex")}@stockpulse.test`;
  const password = await stack.addUser(viewerEmail, "viewer");
  // Sign-in needs this site's Origin: what a browser sends; here through a fetch that adds it.
  const browserLike = client.createClient({
    baseUrl: server.baseUrl,
    fetch: (input, init) =>
      fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), origin: server.baseUrl } }),
  });
  assert.equal((await browserLike.signIn(viewerEmail, password)).user.role, "viewer");
  await assert.rejects(browserLike.session(), { status: 401 }, "Node's fetch keeps no cookies");
  await browserLike.signOut();

  await t.test("bulk adjustments and stocktakes", async () => {
    const result = await api.adjustStockInBulk({
      reason: "restock",
      items: [
        { productId: created.id, delta: 2 },
        { sku: third.sku, delta: 1 },
      ],
    });
    assert.deepEqual(
      result.products.map((product) => product.id),
      [created.id, third.id],
    );
    const counted = await api.stocktake({ items: [{ productId: created.id, count: 3 }] });
    assert.equal(counted.products[0].stock, 3);
    assert.equal(counted.changed, 1);
  });

  await t.test("CSV import: preview, then apply with its asOf", async () => {
    const file = `sku,count\n${created.sku},9\n`;
    const preview = await api.previewImport("stocktake", file);
    assert.deepEqual(
      preview.changes.map((change) => [change.line, change.old, change.new]),
      [[2, 3, 9]],
    );
    const applied = await api.applyImport("stocktake", file, { reason: "client stocktake", asOf: preview.asOf });
    assert.equal(applied.changed, 1);
    await assert.rejects(api.applyImport("stocktake", file, { reason: "again", asOf: preview.asOf }), {
      status: 409,
      code: "PREVIEW_STALE",
    });
    // Unknown skus skipped on purpose, in the preview and the apply alike.
    const withUnknown = `sku,count\n${created.sku},10\nNO-SUCH-SKU,1\n`;
    await assert.rejects(api.applyImport("stocktake", withUnknown, { reason: "count" }), {
      status: 400,
      code: "IMPORT_INVALID",
    });
    const skipping = await api.previewImport("stocktake", withUnknown, { unknownSkus: "skip" });
    assert.deepEqual(
      [skipping.canApply, skipping.skipped.map((row) => [row.line, row.sku, row.reason])],
      [true, [[3, "NO-SUCH-SKU", "unknown"]]],
    );
    const skipped = await api.applyImport("stocktake", withUnknown, { reason: "count", unknownSkus: "skip" });
    assert.deepEqual([skipped.changed, skipped.skipped], [1, skipping.skipped]);
  });
});

/** A proxy in front of `target` that answers the first requests itself (`failures`), then forwards. */
async function flakyProxy(target: Server, failures: Array<"503" | "drop">) {
  const keys: Array<string | undefined> = [];
  const proxy = http.createServer((req, res) => {
    keys.push(req.headers["idempotency-key"] as string | undefined);
    const failure = failures.shift();
    if (failure === "503") {
      res.writeHead(503, { "content-type": "application/json", "retry-after": "0" });
      res.end(JSON.stringify({ error: { code: "DATABASE_UNAVAILABLE", message: "try again" } }));
      return;
    }
    if (failure === "drop") return void req.socket.destroy();
    const upstream = http.request(
      { host: "127.0.0.1", port: target.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  const { port } = proxy.address() as { port: number };
  return { baseUrl: `http://127.0.0.1:${port}`, keys, close: () => proxy.close() };
}

test("a write retried after a 503 and a dropped connection carries one Idempotency-Key and applies once", async () => {
  const product = await newProduct();
  const proxy = await flakyProxy(server, ["503", "drop"]);
  try {
    const api = client.createClient({ baseUrl: proxy.baseUrl, token: stack.adminToken, retryDelayMs: 20 });
    const adjusted = await api.adjustStock(product.id, { delta: 5 });
    assert.equal(adjusted.stock, 15);
    assert.equal(proxy.keys.length, 3, "two failures, then the answer");
    assert.match(proxy.keys[0] ?? "", /^[\x21-\x7e]{1,255}$/);
    assert.ok(
      proxy.keys.every((key) => key === proxy.keys[0]),
      `one key on every attempt: ${proxy.keys}`,
    );
    assert.equal((await stack.db.product.findUniqueOrThrow({ where: { id: product.id } })).stock, 15);

    await api.adjustStock(product.id, { delta: 1 });
    assert.notEqual(proxy.keys[3], proxy.keys[0], "each call has its own key");
  } finally {
    proxy.close();
  }
});

type Received = { snapshots: ProductSnapshot[]; events: FeedEvent[]; statuses: SubscriptionStatus[] };

function follow(target: Server, productIds: number[]) {
  const received: Received = { snapshots: [], events: [], statuses: [] };
  const subscription = clientOf(target).subscribe({
    productIds,
    onSnapshot: (snapshot) => received.snapshots.push(snapshot),
    onChange: (event) => received.events.push(event),
    onStatus: (status) => received.statuses.push(status),
    onError: (error) => assert.fail(`the subscription failed: ${error}`),
  });
  return { received, subscription };
}

const eventIdsAfter = async (productId: number, after: string) =>
  (
    await stack.db.productEvent.findMany({
      where: { productId, id: { gt: BigInt(after) } },
      orderBy: { id: "asc" },
      select: { id: true },
    })
  ).map((event) => event.id.toString());

test("subscribe: the snapshot, then each live change once", async () => {
  const product = await newProduct();
  const other = await newProduct();
  const { received, subscription } = follow(server, [product.id]);
  try {
    await subscription.ready;
    assert.deepEqual(
      received.snapshots[0].products.map((p) => p.id),
      [product.id],
    );
    const api = clientOf(server);
    await api.adjustStock(other.id, { delta: 1 }); // filtered out
    const adjusted = await api.adjustStock(product.id, { delta: -2 });
    await until(() => received.events.length === 1, "the live change");
    assert.equal(received.events[0].productId, product.id);
    assert.equal(received.events[0].newStock, adjusted.stock);
    assert.equal(received.events[0].version, adjusted.version);
    assert.ok(received.statuses.some((status) => status.connected && status.live));
  } finally {
    subscription.unsubscribe();
  }
});

test("subscribe: across a server restart no event is lost or doubled; a reset reloads the snapshot", async () => {
  const product = await newProduct();
  const feedServer = await stack.startServer();
  const { received, subscription } = follow(feedServer, [product.id]);
  const writes = clientOf(writer);
  try {
    await subscription.ready;
    const from = received.snapshots[0].lastEventId;
    await writes.adjustStock(product.id, { delta: 1 });
    await until(() => received.events.length === 1, "the first change");

    // The server goes away (a shutdown frame, then nothing answers); changes go on elsewhere.
    await feedServer.stop();
    for (let i = 0; i < 3; i++) await writes.adjustStock(product.id, { delta: 1 });
    await until(() => received.statuses.at(-1)?.connected === false, "the client noticing");
    const restarted = await stack.startServer({ port: feedServer.port });
    await writes.adjustStock(product.id, { delta: 1 });
    const expected = await eventIdsAfter(product.id, from);
    assert.equal(expected.length, 5);
    await until(() => received.events.length >= 5, "the missed changes and the next one");
    assert.deepEqual(
      received.events.map((event) => event.eventId),
      expected,
      "every change once, in order",
    );
    assert.equal(received.snapshots.length, 1, "no reload on a plain reconnect");

    // While it is away again, history it has not seen is purged (retention): it must reload.
    await restarted.stop();
    const changed = await writes.adjustStock(product.id, { delta: 7 });
    await writes.adjustStock(product.id, { delta: 1 });
    const lastSeen = received.events.at(-1)!.eventId;
    await stack.db.productEvent.deleteMany({ where: { id: { lte: BigInt(lastSeen) + BigInt(1) } } });
    await stack.startServer({ port: feedServer.port });
    await until(() => received.snapshots.length === 2, "the snapshot reloaded after reset");
    const reloaded = received.snapshots[1];
    assert.equal(reloaded.products[0].stock, changed.stock + 1, "the reloaded snapshot has both changes");
    assert.ok(BigInt(reloaded.lastEventId) > BigInt(lastSeen));
    assert.equal(received.events.length, 5, "purged events are not replayed; the snapshot covers them");

    const after = await writes.adjustStock(product.id, { delta: -1 });
    await until(() => received.events.length === 6, "the live change after the reset");
    assert.equal(received.events[5].version, after.version);
  } finally {
    subscription.unsubscribe();
  }
});

test("webhooks: create (secret once per key), signed test event, deliveries paged, pause and resume, delete; alerts", async (t) => {
  const receiver: Receiver = await startReceiver();
  t.after(() => receiver.close());
  // Every request the client makes, with the Idempotency-Key it carried.
  const sent: Array<{ method: string; path: string; key: string | null }> = [];
  const api = client.createClient({
    baseUrl: server.baseUrl,
    token: stack.adminToken,
    fetch: (input, init) => {
      const headers = new Headers(init?.headers);
      sent.push({
        method: init?.method ?? "GET",
        path: new URL(String(input)).pathname,
        key: headers.get("idempotency-key"),
      });
      return fetch(input, init);
    },
  });
  const product = await newProduct();

  const idempotencyKey = `client-webhook-${randomBytes(4).toString("hex")}`;
  const created = await api.createWebhook(
    { url: receiver.url("/hook"), kinds: "threshold", productIds: [product.id] },
    { idempotencyKey },
  );
  assert.match(created.secret, /^whsec_/);
  assert.deepEqual([created.kinds, created.productIds, created.status], ["threshold", [product.id], "active"]);
  const retried = await api.createWebhook(
    { url: receiver.url("/hook"), kinds: "threshold", productIds: [product.id] },
    { idempotencyKey },
  );
  assert.deepEqual(retried, created, "a retry with the same key answers the first creation, secret included");
  const { secret, ...withoutSecret } = created;
  assert.deepEqual(await api.getWebhook(created.id), withoutSecret);
  assert.ok((await api.listWebhooks()).some((webhook) => webhook.id === created.id && !("secret" in webhook)));

  const testDelivery = await api.testWebhook(created.id);
  assert.equal(testDelivery.test, true);
  assert.equal(testDelivery.ok, true);
  const [testRequest] = receiver.requests("/hook");
  assert.ok(testRequest, "the test request arrived");
  assert.doesNotThrow(() => new StandardWebhook(secret).verify(testRequest.body, testRequest.headers), "signed");
  assert.deepEqual(JSON.parse(testRequest.body), { test: true, events: [] });

  // The product goes out of stock: a threshold event, delivered and listed among the alerts.
  const out = await api.adjustStock(product.id, { delta: -product.stock, reason: "sold out" });
  assert.equal(out.stock, 0);
  const alerts = await api.listAlerts({ limit: 100 });
  const alert = alerts.find((event) => event.productId === product.id);
  assert.ok(alert, "the product's going out of stock is an alert");
  assert.deepEqual([alert.stockLevel, alert.previousStockLevel, alert.newStock], ["out", "ok", 0]);
  await until(() => receiver.requests("/hook").length >= 2, "the out-of-stock event's delivery");
  const delivered = JSON.parse(receiver.requests("/hook")[1].body) as { events: FeedEvent[] };
  assert.deepEqual(
    delivered.events.map((event) => [event.eventId, event.stockLevel]),
    [[alert.eventId, "out"]],
  );
  // The log entry is written once the receiver has answered: wait for it.
  for (let deadline = Date.now() + 30_000; (await api.webhookDeliveries(created.id)).deliveries.length < 2;) {
    if (Date.now() > deadline) throw new Error("timed out waiting for the delivery in the log");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  // Paging: one entry a page, newest first, until nextBefore is null.
  const first = await api.webhookDeliveries(created.id, { limit: 1 });
  assert.equal(first.deliveries.length, 1);
  assert.deepEqual(
    [first.deliveries[0].test, first.deliveries[0].ok, first.deliveries[0].lastEventId],
    [false, true, alert.eventId],
  );
  assert.ok(first.nextBefore, "an older page follows");
  const second = await api.webhookDeliveries(created.id, { limit: 1, before: first.nextBefore });
  assert.deepEqual(second, { deliveries: [testDelivery], nextBefore: null });

  const paused = await api.pauseWebhook(created.id);
  assert.equal(paused.status, "paused");
  assert.equal((await api.resumeWebhook(created.id)).status, "active");
  const moved = await api.updateWebhook(created.id, { kinds: "all", productIds: null });
  assert.deepEqual([moved.kinds, moved.productIds], ["all", null]);

  const replayed = await api.replayWebhook(created.id, alert.eventId);
  assert.equal(BigInt(replayed.cursor), BigInt(alert.eventId) - 1n);

  const writes = sent.filter((request) => request.method === "POST" || request.method === "PATCH");
  assert.ok(writes.length >= 8);
  for (const write of writes) assert.ok(write.key, `${write.method} ${write.path} carries an Idempotency-Key`);
  assert.equal(
    new Set(writes.map((write) => write.key)).size,
    writes.length - 1,
    "one key per call (but the reused one)",
  );

  await api.deleteWebhook(created.id);
  await assert.rejects(api.getWebhook(created.id), (error: ClientModule.StockPulseError) => {
    assert.equal(error.status, 404);
    return true;
  });
});
