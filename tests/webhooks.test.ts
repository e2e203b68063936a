// Webhooks against real servers, a real PostgreSQL and a receiver on loopback (the setting that
// allows private addresses is on where a delivery must reach it): ordered, exactly-once-after-
// de-duplication delivery across failures, timeouts, a crashed instance and a pause; one
// deliverer per subscription across two instances; replay; the test event; pausing after a
// long failure; signatures checked with the snippet printed in docs/api.md and with the
// `standardwebhooks` library; server-side request forgery refused; bad input changes nothing.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { pathToFileURL } from "node:url";
import { Webhook } from "standardwebhooks";
import type { FeedEvent } from "../lib/events/feed-event";
import { apiClient, signIn, withCookie, type Api } from "./support/api";
import { eventually } from "./support/eventually";
import { startStack, type Server, type Stack } from "../scripts/stack";
import { startReceiver, type ReceivedRequest, type Receiver } from "./support/webhook-receiver";
import { isAllowedAddress } from "../lib/webhooks/target";

type Verify = (secret: string, headers: Record<string, string>, body: string) => boolean;

/** The verification snippet of docs/api.md, run exactly as printed there. */
async function documentedVerifier(): Promise<Verify> {
  const docs = fs.readFileSync(path.join(import.meta.dirname, "..", "docs", "api.md"), "utf8");
  const snippet = /```js\n(\/\/ verify-webhook\.mjs\n[\s\S]*?)```/.exec(docs)?.[1];
  assert.ok(snippet, "docs/api.md has the verify-webhook.mjs snippet");
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "verify-webhook-")), "verify-webhook.mjs");
  fs.writeFileSync(file, snippet);
  return (await import(pathToFileURL(file).href)).verifyWebhook as Verify;
}

let verify: Verify;
let receiver: Receiver;
before(async () => {
  verify = await documentedVerifier();
  receiver = await startReceiver();
});
after(() => receiver?.close());

const eventsOf = (request: ReceivedRequest): FeedEvent[] =>
  (JSON.parse(request.body) as { events: FeedEvent[] }).events;

function assertSigned(requests: ReceivedRequest[], secret: string) {
  const library = new Webhook(secret);
  for (const request of requests) {
    assert.ok(verify(secret, request.headers, request.body), `signature of request ${request.index}`);
    assert.doesNotThrow(() => library.verify(request.body, request.headers));
  }
}

/** The event ids received, de-duplicated by id, in the order they first arrived. */
function firstArrivals(requests: ReceivedRequest[]): bigint[] {
  const seen = new Set<string>();
  const ids: bigint[] = [];
  for (const request of requests) {
    for (const event of eventsOf(request)) {
      if (seen.has(event.eventId)) continue;
      seen.add(event.eventId);
      ids.push(BigInt(event.eventId));
    }
  }
  return ids;
}

/** Runs `count` calls of `write`, `concurrency` at a time. */
async function concurrently(count: number, concurrency: number, write: (i: number) => Promise<unknown>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < count; i = next++) await write(i);
    }),
  );
}

describe("webhook delivery", () => {
  let stack: Stack;
  let serverA: Server;
  let serverB: Server;
  let api: Api;
  const env = {
    WEBHOOK_ALLOW_PRIVATE_ADDRESSES: "true",
    WEBHOOK_TIMEOUT_MS: "1000",
    WEBHOOK_MAX_BATCH_SIZE: "20",
    METRICS_TOKEN: randomBytes(24).toString("base64url"),
  };

  before(async () => {
    stack = await startStack({ env });
    [serverA, serverB] = await Promise.all([stack.startServer(), stack.startServer()]);
    // Server A is crashed and replaced in the first test: the API calls go to B.
    api = apiClient(serverB.baseUrl, stack.adminToken);
  });
  after(() => stack?.stop());

  const newestEventId = async () => (await stack.db.productEvent.aggregate({ _max: { id: true } }))._max.id!;
  const subscription = (id: number) => stack.db.webhookSubscription.findUniqueOrThrow({ where: { id } });
  const delivered = (id: number, upTo: bigint) =>
    eventually(async () => (await subscription(id)).cursor >= upTo, `webhook ${id} to acknowledge ${upTo}`);

  async function subscribe(hookPath: string, body: Record<string, unknown> = {}) {
    const created = await api.call("POST", "/api/v1/webhooks", { url: receiver.url(hookPath), ...body });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return created.body as { id: number; secret: string; cursor: string };
  }

  test("500 concurrent changes arrive exactly once after de-duplication, in id order, signed, through failures, a timeout, a crash and a pause", async () => {
    // Requests 3 and 4 fail, 6 never gets an answer (the deliverer times out), 9 is a 503.
    receiver.script("/big", (n) => (n === 3 || n === 4 ? 500 : n === 6 ? "hang" : n === 9 ? 503 : 200));
    const hook = await subscribe("/big");
    const writer = apiClient(serverB.baseUrl, stack.adminToken);
    const adjust = async () => {
      const id = 1 + Math.floor(Math.random() * 50);
      const result = await writer.adjust(id, { delta: 1, reason: "restock" });
      assert.equal(result.status, 200, JSON.stringify(result.body));
    };

    await concurrently(100, 16, adjust);
    // An instance dies mid-stream (no clean-up: its transaction and lock go with it) and comes back.
    await Promise.all([
      concurrently(100, 16, adjust),
      (async () => {
        await serverA.crash();
        serverA = await stack.startServer();
      })(),
    ]);
    await concurrently(100, 16, adjust);

    const paused = await writer.call("PATCH", `/api/v1/webhooks/${hook.id}`, { status: "paused" });
    assert.equal(paused.status, 200);
    assert.equal(paused.body.status, "paused");
    // A pause applies at once, but a batch already on its way completes (docs/api.md): count from
    // when no delivery holds the subscription's lease.
    await eventually(async () => {
      const { deliveringUntil } = await stack.db.webhookSubscription.findUniqueOrThrow({ where: { id: hook.id } });
      return deliveringUntil === null || deliveringUntil.getTime() < Date.now();
    }, "the batch in flight at the pause to finish");
    const requestsWhenPaused = receiver.requests("/big").length;
    await concurrently(100, 16, adjust);
    assert.equal(receiver.requests("/big").length, requestsWhenPaused, "nothing is sent while paused");
    const resumed = await writer.call("PATCH", `/api/v1/webhooks/${hook.id}`, { status: "active" });
    assert.equal(resumed.body.status, "active");
    await concurrently(100, 16, adjust);

    const newest = await newestEventId();
    await delivered(hook.id, newest);
    const requests = receiver.requests("/big");
    assertSigned(requests, hook.secret);
    const expected = (
      await stack.db.productEvent.findMany({ where: { id: { gt: BigInt(hook.cursor) } }, orderBy: { id: "asc" } })
    ).map((event) => event.id);
    assert.equal(expected.length, 500);
    assert.deepEqual(firstArrivals(requests), expected);
    // The failures really happened and were retried.
    const log = await stack.db.webhookDelivery.findMany({ where: { subscriptionId: hook.id } });
    assert.ok(log.some((entry) => entry.statusCode === 500));
    assert.ok(log.some((entry) => entry.error?.startsWith("timed out")));
    assert.equal((await subscription(hook.id)).failureCount, 0);
    // The instances that delivered after the crash count what they delivered.
    const metrics = await Promise.all(
      [serverA, serverB].map(async (server) => {
        const response = await fetch(`${server.baseUrl}/api/metrics`, {
          headers: { authorization: `Bearer ${env.METRICS_TOKEN}` },
        });
        return response.text();
      }),
    );
    const counted = metrics.map((text) =>
      Number(/^stockpulse_webhook_events_delivered_total (\d+)/m.exec(text)?.[1] ?? 0),
    );
    assert.ok(counted[0] + counted[1] > 0, `delivered: ${counted}`);
  });

  test("two instances never deliver one subscription at the same time: batches arrive one after another, in order", async () => {
    const hook = await subscribe("/pair");
    const writers = [apiClient(serverA.baseUrl, stack.adminToken), apiClient(serverB.baseUrl, stack.adminToken)];
    await concurrently(200, 16, (i) => writers[i % 2].adjust(1 + (i % 50), { delta: 1 }));
    await delivered(hook.id, await newestEventId());
    const requests = receiver.requests("/pair");
    assert.ok(requests.length > 1);
    assert.ok(
      requests.every((request) => !request.overlapped),
      "a batch arrived while another was unanswered",
    );
    let last = BigInt(hook.cursor);
    for (const request of requests) {
      const ids = eventsOf(request).map((event) => BigInt(event.eventId));
      assert.ok(ids[0] > last, `batch starting at ${ids[0]} after ${last}`);
      for (let i = 1; i < ids.length; i++) assert.ok(ids[i] > ids[i - 1]);
      last = ids[ids.length - 1];
    }
    assertSigned(requests, hook.secret);
  });

  test("a product filter delivers only those products; the cursor passes over the others", async () => {
    const hook = await subscribe("/filtered", { productIds: [7, 8] });
    for (const id of [6, 7, 9, 8, 6]) assert.equal((await api.adjust(id, { delta: 1 })).status, 200);
    await delivered(hook.id, await newestEventId());
    const products = receiver.requests("/filtered").flatMap((request) => eventsOf(request).map((e) => e.productId));
    assert.deepEqual(products, [7, 8]);
  });

  test("a threshold subscription gets only stock level changes: low, out, back in stock", async () => {
    const created = await api.call("POST", "/api/v1/products", {
      sku: "WH-THRESHOLD-1",
      name: "Threshold mug",
      priceCents: 1000,
      stock: 10,
      lowStockThreshold: 5,
    });
    assert.equal(created.status, 201);
    const id = created.body.id as number;
    const hook = await subscribe("/threshold", { kinds: "threshold" });
    const steps: Array<[string, unknown]> = [
      ["adjust", { delta: -3 }], // 7: ok -> ok
      ["adjust", { delta: -3 }], // 4: ok -> low
      ["adjust", { delta: -4 }], // 0: low -> out
      ["patch", { priceCents: 1100 }], // out -> out
      ["adjust", { delta: 2 }], // 2: out -> low
      ["adjust", { delta: 10 }], // 12: low -> ok
      ["adjust", { delta: 1 }], // 13: ok -> ok
    ];
    for (const [kind, body] of steps) {
      const result = kind === "adjust" ? await api.adjust(id, body) : await api.patch(id, body);
      assert.equal(result.status, 200, JSON.stringify(result.body));
    }
    await delivered(hook.id, await newestEventId());
    const events = receiver.requests("/threshold").flatMap(eventsOf);
    assert.deepEqual(
      events.map((event) => [event.productId, event.newStock, event.previousStockLevel, event.stockLevel]),
      [
        [id, 4, "ok", "low"],
        [id, 0, "low", "out"],
        [id, 2, "out", "low"],
        [id, 12, "low", "ok"],
      ],
    );

    // The same four are the dashboard's latest alerts, newest first.
    const alerts = await api.call("GET", "/api/v1/alerts?limit=4");
    assert.equal(alerts.status, 200);
    assert.deepEqual(
      alerts.body.alerts.map((alert: FeedEvent) => alert.eventId),
      events.map((event) => event.eventId).reverse(),
    );
    assert.equal((await api.call("GET", "/api/v1/alerts?limit=0")).status, 400);
  });

  test("replay sends retained events again from the id asked for; an id no longer retained is refused", async () => {
    const hook = await subscribe("/replay");
    const first = (await api.adjust(11, { delta: 1 })).body;
    await api.adjust(12, { delta: 1 });
    await delivered(hook.id, await newestEventId());
    const before = receiver.requests("/replay").length;
    const firstId = (await stack.db.productEvent.findFirstOrThrow({
      where: { productId: 11, version: first.version },
    }))!.id;
    const replay = await api.call("POST", `/api/v1/webhooks/${hook.id}/replay`, { fromEventId: firstId.toString() });
    assert.equal(replay.status, 200, JSON.stringify(replay.body));
    assert.equal(replay.body.cursor, (firstId - BigInt(1)).toString());
    await eventually(async () => receiver.requests("/replay").length > before, "the replayed batch");
    await delivered(hook.id, await newestEventId());
    const again = receiver.requests("/replay").slice(before);
    assert.equal(eventsOf(again[0])[0].eventId, firstId.toString());
    assertSigned(again, hook.secret);

    const stateBefore = await subscription(hook.id);
    const future = await api.call("POST", `/api/v1/webhooks/${hook.id}/replay`, {
      fromEventId: ((await newestEventId()) + BigInt(1000)).toString(),
    });
    assert.equal(future.status, 409);
    assert.equal(future.body.error.code, "EVENT_NOT_RETAINED");
    await stack.db.productEvent.deleteMany({ where: { id: { lt: BigInt(3) } } });
    const pruned = await api.call("POST", `/api/v1/webhooks/${hook.id}/replay`, { fromEventId: 1 });
    assert.equal(pruned.status, 409);
    assert.equal((await subscription(hook.id)).cursor, stateBefore.cursor);
  });

  test("the test event is signed, logged with its status, and leaves the cursor alone", async () => {
    const hook = await subscribe("/test-event");
    const sent = await api.call("POST", `/api/v1/webhooks/${hook.id}/test`);
    assert.equal(sent.status, 200);
    assert.equal(sent.body.ok, true);
    assert.equal(sent.body.statusCode, 200);
    assert.equal(sent.body.test, true);
    const [request] = receiver.requests("/test-event");
    assert.deepEqual(JSON.parse(request.body), { test: true, events: [] });
    assert.match(request.headers["webhook-id"], /^test_/);
    assertSigned([request], hook.secret);
    const log = await api.call("GET", `/api/v1/webhooks/${hook.id}/deliveries`);
    assert.equal(log.body.deliveries[0].id, sent.body.id);
    assert.equal((await subscription(hook.id)).cursor.toString(), hook.cursor);
  });

  test("the signature check refuses a tampered body, signature, id or timestamp, or the wrong secret", async () => {
    const hook = await subscribe("/tamper");
    await api.call("POST", `/api/v1/webhooks/${hook.id}/test`);
    const [{ headers, body }] = receiver.requests("/tamper");
    assert.equal(verify(hook.secret, headers, body), true);
    assert.equal(verify(hook.secret, headers, body.replace("true", "false")), false);
    assert.equal(verify(hook.secret, headers, `${body} `), false);
    const signature = headers["webhook-signature"];
    const flipped = signature.slice(0, -2) + (signature.at(-2) === "A" ? "B" : "A") + signature.at(-1);
    assert.equal(verify(hook.secret, { ...headers, "webhook-signature": flipped }, body), false);
    assert.equal(verify(hook.secret, { ...headers, "webhook-id": "test_other" }, body), false);
    const timestamp = String(Number(headers["webhook-timestamp"]) + 1);
    assert.equal(verify(hook.secret, { ...headers, "webhook-timestamp": timestamp }, body), false);
    const other = await subscribe("/tamper-other");
    assert.equal(verify(other.secret, headers, body), false);
    assert.throws(() => new Webhook(hook.secret).verify(body.replace("true", "false"), headers));
  });

  test("the secret is shown once: never in the list, one subscription, or the database's answers to others", async () => {
    const hook = await subscribe("/secret");
    assert.match(hook.secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
    const listed = await api.call("GET", "/api/v1/webhooks");
    assert.ok(listed.body.webhooks.length > 0);
    assert.ok(!JSON.stringify(listed.body).includes("whsec_"));
    assert.ok(!JSON.stringify((await api.call("GET", `/api/v1/webhooks/${hook.id}`)).body).includes("whsec_"));
  });

  test("Idempotency-Key: a retried creation answers the first subscription (with its secret) and creates no other", async () => {
    const headers = { "idempotency-key": `create-${Date.now()}` };
    const body = { url: receiver.url("/idempotent") };
    const first = await api.call("POST", "/api/v1/webhooks", body, headers);
    assert.equal(first.status, 201);
    const count = await stack.db.webhookSubscription.count();
    const again = await api.call("POST", "/api/v1/webhooks", body, headers);
    assert.equal(again.status, 201);
    assert.deepEqual(again.body, first.body);
    assert.equal(await stack.db.webhookSubscription.count(), count);
    const other = await api.call("POST", "/api/v1/webhooks", { ...body, kinds: "threshold" }, headers);
    assert.equal(other.status, 422);
    assert.equal(other.body.error.code, "IDEMPOTENCY_KEY_REUSED");
    assert.equal(await stack.db.webhookSubscription.count(), count);
  });

  test("Idempotency-Key: a replay retried after the cursor moved on does not set it back again", async () => {
    const hook = await subscribe("/replay-once");
    const first = (await api.adjust(13, { delta: 1 })).body;
    await api.adjust(14, { delta: 1 });
    await delivered(hook.id, await newestEventId());
    const firstId = (await stack.db.productEvent.findFirstOrThrow({
      where: { productId: 13, version: first.version },
    }))!.id;
    const headers = { "idempotency-key": `replay-${hook.id}` };
    const body = { fromEventId: firstId.toString() };
    const replay = await api.call("POST", `/api/v1/webhooks/${hook.id}/replay`, body, headers);
    assert.equal(replay.status, 200, JSON.stringify(replay.body));
    await delivered(hook.id, await newestEventId());
    const moved = (await subscription(hook.id)).cursor;
    assert.notEqual(moved.toString(), replay.body.cursor);
    const again = await api.call("POST", `/api/v1/webhooks/${hook.id}/replay`, body, headers);
    assert.equal(again.status, 200);
    assert.deepEqual(again.body, replay.body);
    assert.equal((await subscription(hook.id)).cursor, moved);
  });

  test("Idempotency-Key: a retried PATCH answers the first change and does not apply it again", async () => {
    const hook = await subscribe("/patch-once");
    const headers = { "idempotency-key": `patch-${hook.id}` };
    const paused = await api.call("PATCH", `/api/v1/webhooks/${hook.id}`, { status: "paused" }, headers);
    assert.equal(paused.status, 200, JSON.stringify(paused.body));
    assert.equal(paused.body.status, "paused");
    const resumed = await api.call("PATCH", `/api/v1/webhooks/${hook.id}`, { status: "active" });
    assert.equal(resumed.body.status, "active");
    const again = await api.call("PATCH", `/api/v1/webhooks/${hook.id}`, { status: "paused" }, headers);
    assert.equal(again.status, 200);
    assert.deepEqual(again.body, paused.body);
    assert.equal((await subscription(hook.id)).status, "active");
  });

  test("Idempotency-Key: two concurrent creations with one key create one subscription", async () => {
    const headers = { "idempotency-key": `concurrent-${Date.now()}` };
    const body = { url: receiver.url("/concurrent-create") };
    const answers = await Promise.all([
      api.call("POST", "/api/v1/webhooks", body, headers),
      api.call("POST", "/api/v1/webhooks", body, headers),
    ]);
    const created = answers.filter((answer) => answer.status === 201);
    assert.ok(created.length >= 1, JSON.stringify(answers.map((answer) => answer.body)));
    for (const answer of answers) {
      if (answer.status === 201) assert.deepEqual(answer.body, created[0].body);
      else assert.equal(answer.body.error.code, "IDEMPOTENCY_IN_PROGRESS");
    }
    assert.equal(await stack.db.webhookSubscription.count({ where: { url: body.url } }), 1);
  });

  test("the delivery log pages from newest to oldest", async () => {
    const hook = await subscribe("/paged");
    for (let i = 0; i < 5; i++) await api.call("POST", `/api/v1/webhooks/${hook.id}/test`);
    const first = await api.call("GET", `/api/v1/webhooks/${hook.id}/deliveries?limit=3`);
    assert.equal(first.body.deliveries.length, 3);
    const second = await api.call(
      "GET",
      `/api/v1/webhooks/${hook.id}/deliveries?limit=3&before=${first.body.nextBefore}`,
    );
    assert.equal(second.body.deliveries.length, 2);
    assert.equal(second.body.nextBefore, null);
    const ids = [...first.body.deliveries, ...second.body.deliveries].map((entry: { id: string }) => BigInt(entry.id));
    for (let i = 1; i < ids.length; i++) assert.ok(ids[i] < ids[i - 1]);
  });

  test("bad input gets a 4xx naming the problem and changes nothing", async () => {
    const hook = await subscribe("/bad-input");
    const count = () => stack.db.webhookSubscription.count();
    const before = { count: await count(), hook: await subscription(hook.id) };
    const cases: Array<[string, string, unknown, number, string, RegExp?]> = [
      ["POST", "/api/v1/webhooks", { url: "ftp://127.0.0.1/x" }, 400, "INVALID_URL", /http or https/],
      ["POST", "/api/v1/webhooks", { url: "not a url" }, 400, "INVALID_URL"],
      ["POST", "/api/v1/webhooks", { url: "http://user:pw@127.0.0.1/" }, 400, "INVALID_URL", /password/],
      ["POST", "/api/v1/webhooks", { url: receiver.url("/x"), kinds: "sometimes" }, 400, "VALIDATION_FAILED", /kinds/],
      ["POST", "/api/v1/webhooks", { url: receiver.url("/x"), productIds: [] }, 400, "VALIDATION_FAILED", /productIds/],
      ["POST", "/api/v1/webhooks", { url: receiver.url("/x"), productIds: [1, 1] }, 400, "VALIDATION_FAILED", /twice/],
      ["POST", "/api/v1/webhooks", { url: receiver.url("/x"), productIds: [99999] }, 400, "UNKNOWN_PRODUCT", /99999/],
      ["POST", "/api/v1/webhooks", { url: receiver.url("/x"), secret: "mine" }, 400, "VALIDATION_FAILED", /secret/],
      ["POST", "/api/v1/webhooks", {}, 400, "VALIDATION_FAILED", /url/],
      ["POST", "/api/v1/webhooks", "{", 400, "INVALID_JSON"],
      ["PATCH", `/api/v1/webhooks/${hook.id}`, {}, 400, "VALIDATION_FAILED", /Nothing to change/],
      ["PATCH", `/api/v1/webhooks/${hook.id}`, { status: "gone" }, 400, "VALIDATION_FAILED", /status/],
      ["PATCH", `/api/v1/webhooks/${hook.id}`, { url: "javascript:alert(1)" }, 400, "INVALID_URL"],
      ["PATCH", `/api/v1/webhooks/${hook.id}`, { kinds: "threshold", url: "gopher://x" }, 400, "INVALID_URL"],
      ["PATCH", "/api/v1/webhooks/999999", { status: "paused" }, 404, "NOT_FOUND"],
      ["PATCH", "/api/v1/webhooks/0x1", { status: "paused" }, 400, "VALIDATION_FAILED", /webhook id/],
      ["POST", `/api/v1/webhooks/${hook.id}/replay`, { fromEventId: "abc" }, 400, "VALIDATION_FAILED", /fromEventId/],
      ["POST", `/api/v1/webhooks/${hook.id}/replay`, { fromEventId: -1 }, 400, "VALIDATION_FAILED", /fromEventId/],
      ["GET", `/api/v1/webhooks/${hook.id}/deliveries?limit=0`, undefined, 400, "VALIDATION_FAILED", /limit/],
      ["DELETE", "/api/v1/webhooks/999999", undefined, 404, "NOT_FOUND"],
    ];
    for (const [method, url, body, status, code, message] of cases) {
      const result = await api.call(method, url, body);
      assert.equal(result.status, status, `${method} ${url} ${JSON.stringify(body)}: ${JSON.stringify(result.body)}`);
      assert.equal(result.body.error.code, code, `${method} ${url} ${JSON.stringify(body)}`);
      if (message) assert.match(result.body.error.message, message);
    }
    assert.deepEqual({ count: await count(), hook: await subscription(hook.id) }, before);
  });

  test("only admins: 401 without credentials, 403 for a viewer, cross-origin cookie writes refused", async () => {
    const anonymous = await fetch(`${serverA.baseUrl}/api/v1/webhooks`);
    assert.equal(anonymous.status, 401);
    const password = await stack.addUser("webhook-viewer@stockpulse.test", "viewer");
    const viewer = await signIn(serverA.baseUrl, "webhook-viewer@stockpulse.test", password);
    assert.equal((await withCookie(serverA.baseUrl, viewer.cookie, "GET", "/api/v1/webhooks")).status, 403);
    const admin = await signIn(serverA.baseUrl, stack.admin.email, stack.admin.password);
    const count = await stack.db.webhookSubscription.count();
    const crossOrigin = await withCookie(
      serverA.baseUrl,
      admin.cookie,
      "POST",
      "/api/v1/webhooks",
      { url: receiver.url("/csrf") },
      { origin: "https://evil.example" },
    );
    assert.equal(crossOrigin.status, 403);
    assert.equal(await stack.db.webhookSubscription.count(), count);
    const sameOrigin = await withCookie(serverA.baseUrl, admin.cookie, "POST", "/api/v1/webhooks", {
      url: receiver.url("/csrf"),
    });
    assert.equal(sameOrigin.status, 201);
  });
});

describe("a slow endpoint holds up no write", () => {
  let stack: Stack;
  let server: Server;

  before(async () => {
    // Every instance waits a minute for an answer: the endpoint below answers when the test says.
    stack = await startStack({ env: { WEBHOOK_ALLOW_PRIVATE_ADDRESSES: "true", WEBHOOK_TIMEOUT_MS: "60000" } });
    server = await stack.startServer();
  });
  after(async () => {
    receiver.release("/slow");
    await stack?.stop();
  });

  test("eight keyed test events and a delivery in flight to an endpoint that has not answered: writes, a PATCH and a replay of the subscription complete meanwhile; a retried key sends nothing", async () => {
    const api = apiClient(server.baseUrl, stack.adminToken);
    receiver.script("/slow", () => "hold");
    const product = (
      await api.call("POST", "/api/v1/products", {
        sku: `SLOW-${process.pid}`,
        name: "Slow",
        priceCents: 100,
        stock: 5,
      })
    ).body as { id: number };
    const created = await api.call("POST", "/api/v1/webhooks", {
      url: receiver.url("/slow"),
      productIds: [product.id],
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const hookId = created.body.id as number;
    const testEvents = () => receiver.requests("/slow").filter((request) => JSON.parse(request.body).test === true);
    const done = (promise: Promise<unknown>) => {
      const state = { settled: false };
      void promise.finally(() => (state.settled = true));
      return state;
    };

    // As many keyed test calls as the instance has write slots (MAX_CHANGES_IN_FLIGHT), all held.
    const keys = Array.from({ length: 8 }, () => randomBytes(8).toString("hex"));
    const sends = keys.map((key) =>
      api.call("POST", `/api/v1/webhooks/${hookId}/test`, undefined, { "idempotency-key": key }),
    );
    const sent = sends.map(done);
    try {
      await eventually(async () => receiver.held("/slow") === 8, "the endpoint to hold 8 test requests");

      // A retry of a key in flight is told so at once, and sends nothing.
      const retried = await api.call("POST", `/api/v1/webhooks/${hookId}/test`, undefined, {
        "idempotency-key": keys[0],
      });
      assert.equal(retried.status, 409, JSON.stringify(retried.body));
      assert.equal(retried.body.error.code, "IDEMPOTENCY_IN_PROGRESS");

      // A stock adjustment completes, its event committed, while all 8 still wait for the endpoint.
      const adjusting = api.adjust(product.id, { delta: 1, reason: "during slow tests" });
      const adjusted = done(adjusting);
      await eventually(async () => adjusted.settled, "the adjustment to complete while 8 test events are held");
      const adjustment = await adjusting;
      assert.equal(adjustment.status, 200, JSON.stringify(adjustment.body));
      const event = await stack.db.productEvent.findFirst({
        where: { productId: product.id, reason: "during slow tests" },
      });
      assert.ok(event, "the adjustment's event is committed");
      assert.ok(receiver.held("/slow") >= 8, "the endpoint still holds the test requests");
      assert.ok(
        sent.every((state) => !state.settled),
        "the test calls still wait for the endpoint",
      );

      // The deliverer sends that event to the same endpoint, which holds it too: meanwhile the
      // subscription can be changed and replayed, and writes go on.
      await eventually(async () => receiver.held("/slow") === 9, "the event's delivery to be held");
      const changes = [
        api.call(
          "PATCH",
          `/api/v1/webhooks/${hookId}`,
          { kinds: "all" },
          { "idempotency-key": randomBytes(8).toString("hex") },
        ),
        api.call(
          "POST",
          `/api/v1/webhooks/${hookId}/replay`,
          { fromEventId: event.id.toString() },
          {
            "idempotency-key": randomBytes(8).toString("hex"),
          },
        ),
        api.adjust(product.id, { delta: 1, reason: "during a slow delivery" }),
      ];
      const changed = changes.map(done);
      await eventually(
        async () => changed.every((state) => state.settled),
        "writes to complete while a delivery is held",
      );
      for (const change of await Promise.all(changes)) assert.equal(change.status, 200, JSON.stringify(change.body));
      assert.equal(receiver.held("/slow"), 9);
    } finally {
      receiver.release("/slow");
    }

    // Released: each test call answers its own delivery, and a retried key answers that same one again.
    const answers = await Promise.all(sends);
    for (const answer of answers) {
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.equal(answer.body.statusCode, 200);
    }
    assert.equal(new Set(answers.map((answer) => answer.body.id)).size, 8);
    const again = await api.call("POST", `/api/v1/webhooks/${hookId}/test`, undefined, { "idempotency-key": keys[0] });
    assert.equal(again.status, 200);
    assert.deepEqual(again.body, answers[0].body);
    assert.equal(testEvents().length, 8, "no test event sent twice");
    await api.call("DELETE", `/api/v1/webhooks/${hookId}`);
  });
});

// Spellings of addresses outside global unicast: IPv4 in decimal, octal, hex and short forms,
// IPv6 bracketed, compressed, IPv4-compatible (the deprecated ::/96), mapped, NAT64, 6to4, Teredo.
const NON_GLOBAL_URLS = [
  "http://[::127.0.0.1]:3799/",
  "http://[::7f00:1]/",
  "http://[0:0:0:0:0:0:0:1]/",
  "http://[::0:1]/",
  "http://[::ffff:7f00:1]/",
  "http://[::ffff:169.254.169.254]/",
  "http://[::ffff:0:7f00:1]/",
  "http://[64:ff9b::7f00:1]/",
  "http://[64:ff9b::a00:1]/",
  "http://[64:ff9b:1::808:808]/",
  "http://[2002:7f00:1::1]/",
  "http://[2002:808:808::1]/",
  "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",
  "http://[2001:db8::1]/",
  "http://[2001:2::1]/",
  "http://[3fff::1]/",
  "http://[100::1]/",
  "http://[fec0::1]/",
  "http://[ff02::1]/",
  "http://[fc00::1]/",
  "http://[::]/",
  "http://0177.0.0.1/",
  "http://0x7f000001/",
  "http://017700000001/",
  "http://127.1/",
  "http://127.0.1/",
  "http://0/",
  "http://0.0.0.0/",
  "http://0.1.2.3/",
  "http://0xa9.0xfe.0xa9.0xfe/",
  "http://2852039166/",
  "http://100.127.255.254/",
  "http://192.0.0.8/",
  "http://192.0.2.1/",
  "http://192.88.99.1/",
  "http://198.18.0.1/",
  "http://198.19.255.255/",
  "http://198.51.100.1/",
  "http://203.0.113.1/",
  "http://240.0.0.1/",
  "http://255.255.255.255/",
  "http://239.255.255.250/",
  "http://127.0.0.1./",
];
const GLOBAL_URLS = [
  "http://93.184.215.14/hook",
  "http://1572394766/hook",
  "http://0x5d.0xb8.0xd7.0x0e/hook",
  "http://[2606:4700:4700::1111]/hook",
  "http://[::ffff:93.184.215.14]/hook",
  "http://[64:ff9b::5db8:d70e]/hook",
];

test("the address rule allows global unicast only: every range of IANA's special-purpose registries is refused", () => {
  // IANA IPv4 and IPv6 Special-Purpose Address Registries (2026), first and last address of
  // each block; the allow rule must refuse them whichever ranges ipaddr.js happens to name.
  const special = [
    "0.0.0.0",
    "0.255.255.255",
    "10.0.0.0",
    "10.255.255.255",
    "100.64.0.0",
    "100.127.255.255",
    "127.0.0.0",
    "127.255.255.255",
    "169.254.0.0",
    "169.254.255.255",
    "172.16.0.0",
    "172.31.255.255",
    "192.0.0.0",
    "192.0.0.255",
    "192.0.2.0",
    "192.0.2.255",
    "192.31.196.0",
    "192.52.193.0",
    "192.88.99.0",
    "192.168.0.0",
    "192.168.255.255",
    "192.175.48.0",
    "198.18.0.0",
    "198.19.255.255",
    "198.51.100.0",
    "203.0.113.255",
    "224.0.0.0",
    "239.255.255.255",
    "240.0.0.0",
    "255.255.255.255",
    "::",
    "::1",
    "::127.0.0.1",
    "::8.8.8.8",
    "::ffff:0.0.0.0",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "::ffff:0:808:808",
    "64:ff9b::127.0.0.1",
    "64:ff9b::192.168.0.1",
    "64:ff9b:1::808:808",
    "100::",
    "100::ffff:ffff:ffff:ffff",
    "2001::",
    "2001:0:ffff::1",
    "2001:1::1",
    "2001:2::",
    "2001:3::1",
    "2001:4:112::1",
    "2001:10::1",
    "2001:20::1",
    "2001:30::1",
    "2001:1ff::1",
    "2001:db8::",
    "2001:db8:ffff::1",
    "2002::",
    "2002:808:808::1",
    "2620:4f:8000::1",
    "3fff::1",
    "5f00::1",
    "fc00::",
    "fdff:ffff::1",
    "fe80::1",
    "febf::1",
    "fec0::1",
    "ff00::",
    "ff02::1",
    "4000::1",
    "e000::1",
    "1000::1",
  ];
  for (const address of special) assert.equal(isAllowedAddress(address), false, address);
  for (const address of [
    "8.8.8.8",
    "1.1.1.1",
    "93.184.215.14",
    "2606:4700:4700::1111",
    "2a00:1450::1",
    "::ffff:8.8.8.8",
    "64:ff9b::808:808",
  ])
    assert.equal(isAllowedAddress(address), true, address);
  // The tests' setting lets loopback, RFC 1918 and ULA through, and nothing else.
  for (const address of ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "::1", "fd00::1", "::ffff:127.0.0.1"])
    assert.equal(isAllowedAddress(address, true), true, address);
  for (const address of [
    "169.254.169.254",
    "0.0.0.0",
    "::",
    "::127.0.0.1",
    "fe80::1",
    "224.0.0.1",
    "100.64.0.1",
    "255.255.255.255",
    "ff02::1",
    "::ffff:169.254.169.254",
    "2001:db8::1",
  ])
    assert.equal(isAllowedAddress(address, true), false, address);
  for (const text of ["", "localhost", "1.2.3", "[::1]", "::1%eth0", "999.1.1.1"])
    assert.equal(isAllowedAddress(text), false, text);
});

describe("webhook safety and pausing", () => {
  let stack: Stack;

  before(async () => {
    stack = await startStack();
  });
  after(() => stack?.stop());

  test("with private addresses refused, loopback, private, link-local and non-http targets are refused at creation and at delivery", async () => {
    const server = await stack.startServer({ env: { WEBHOOK_TIMEOUT_MS: "1000" } });
    const api = apiClient(server.baseUrl, stack.adminToken);
    const count = await stack.db.webhookSubscription.count();
    const refused: Array<[string, string]> = [
      ["http://127.0.0.1:8080/hook", "PRIVATE_ADDRESS"],
      ["http://[::1]/hook", "PRIVATE_ADDRESS"],
      ["http://10.1.2.3/hook", "PRIVATE_ADDRESS"],
      ["http://172.16.0.1/hook", "PRIVATE_ADDRESS"],
      ["http://192.168.1.1/hook", "PRIVATE_ADDRESS"],
      ["http://169.254.169.254/latest/meta-data/", "PRIVATE_ADDRESS"],
      ["http://100.64.0.1/hook", "PRIVATE_ADDRESS"],
      ["http://[fd00::1]/hook", "PRIVATE_ADDRESS"],
      ["http://[fe80::1]/hook", "PRIVATE_ADDRESS"],
      ["http://[::ffff:127.0.0.1]/hook", "PRIVATE_ADDRESS"],
      ["http://[::ffff:10.0.0.1]/hook", "PRIVATE_ADDRESS"],
      ["http://0.0.0.0/hook", "PRIVATE_ADDRESS"],
      ["http://[::]/hook", "PRIVATE_ADDRESS"],
      ["http://224.0.0.1/hook", "PRIVATE_ADDRESS"],
      ["http://2130706433/hook", "PRIVATE_ADDRESS"],
      ["http://0x7f.1/hook", "PRIVATE_ADDRESS"],
      ["http://localhost:3000/hook", "PRIVATE_ADDRESS"],
      // Every other spelling of a non-global address (WHATWG URL normalises the IPv4 forms).
      ...NON_GLOBAL_URLS.map((url): [string, string] => [url, "PRIVATE_ADDRESS"]),
      ["ftp://93.184.215.14/hook", "INVALID_URL"],
      ["file:///etc/passwd", "INVALID_URL"],
    ];
    for (const [url, code] of refused) {
      const result = await api.call("POST", "/api/v1/webhooks", { url });
      assert.equal(result.status, 400, `${url}: ${JSON.stringify(result.body)}`);
      assert.equal(result.body.error.code, code, url);
    }
    assert.equal(await stack.db.webhookSubscription.count(), count);

    // A public address is accepted (nothing is sent at creation), in any spelling.
    for (const url of GLOBAL_URLS) {
      const publicHook = await api.call("POST", "/api/v1/webhooks", { url });
      assert.equal(publicHook.status, 201, `${url}: ${JSON.stringify(publicHook.body)}`);
      await api.call("DELETE", `/api/v1/webhooks/${publicHook.body.id}`);
    }

    // A subscription whose host has come to point at loopback since (DNS changes) gets nothing.
    assert.equal((await api.adjust(2, { delta: 1 })).status, 200);
    const newest = (await stack.db.productEvent.aggregate({ _max: { id: true } }))._max.id!;
    const sneaky = await stack.db.webhookSubscription.create({
      data: { url: receiver.url("/sneaky"), kinds: "all", secret: "whsec_AAAA", cursor: newest, createdBy: "test" },
    });
    assert.equal((await api.adjust(2, { delta: 1 })).status, 200);
    await eventually(
      async () => (await stack.db.webhookDelivery.count({ where: { subscriptionId: sneaky.id } })) > 0,
      "the refused delivery to be logged",
    );
    const [attempt] = await stack.db.webhookDelivery.findMany({ where: { subscriptionId: sneaky.id } });
    assert.match(attempt.error ?? "", /127\.0\.0\.1.*non-public/);
    assert.equal(receiver.requests("/sneaky").length, 0);
    assert.equal((await stack.db.webhookSubscription.findUniqueOrThrow({ where: { id: sneaky.id } })).cursor, newest);
    await stack.db.webhookSubscription.delete({ where: { id: sneaky.id } });
    await server.stop();
  });

  test("a subscription failing past WEBHOOK_PAUSE_AFTER_SECONDS pauses with the reason; resuming delivers everything from its cursor", async () => {
    const server = await stack.startServer({
      env: { WEBHOOK_ALLOW_PRIVATE_ADDRESSES: "true", WEBHOOK_PAUSE_AFTER_SECONDS: "2", WEBHOOK_TIMEOUT_MS: "1000" },
    });
    const api = apiClient(server.baseUrl, stack.adminToken);
    let failing = true;
    receiver.script("/pausing", () => (failing ? 502 : 200));
    const created = await api.call("POST", "/api/v1/webhooks", { url: receiver.url("/pausing") });
    const hook = created.body as { id: number; secret: string; cursor: string };
    for (let i = 0; i < 3; i++) assert.equal((await api.adjust(3, { delta: 1 })).status, 200);
    await eventually(
      async () => (await api.call("GET", `/api/v1/webhooks/${hook.id}`)).body.status === "paused",
      "the subscription to pause",
    );
    const paused = (await api.call("GET", `/api/v1/webhooks/${hook.id}`)).body;
    assert.match(paused.pausedReason, /failed \d+ times since .* last: HTTP 502/);
    assert.equal(paused.cursor, hook.cursor);
    for (let i = 0; i < 2; i++) assert.equal((await api.adjust(3, { delta: 1 })).status, 200);

    failing = false;
    const resumed = await api.call("PATCH", `/api/v1/webhooks/${hook.id}`, { status: "active" });
    assert.equal(resumed.body.status, "active");
    assert.equal(resumed.body.pausedReason, null);
    const newest = (await stack.db.productEvent.aggregate({ _max: { id: true } }))._max.id!;
    await eventually(
      async () => BigInt((await api.call("GET", `/api/v1/webhooks/${hook.id}`)).body.cursor) >= newest,
      "everything to be delivered after resuming",
    );
    const requests = receiver.requests("/pausing");
    const ids = firstArrivals(requests);
    assert.equal(ids.length, 5);
    assertSigned(requests, hook.secret);
    await server.stop();
  });

  // A delivery holds no lock while its request is out, so a PATCH can land meanwhile: the outcome
  // applies to the row as it then is, and only under the delivery's own lease.
  const heldDeliveryEnv = {
    WEBHOOK_ALLOW_PRIVATE_ADDRESSES: "true",
    WEBHOOK_PAUSE_AFTER_SECONDS: "2",
    WEBHOOK_TIMEOUT_MS: "60000",
  };

  test("a resume that lands while a failing delivery is in flight stands: the failure starts a new streak, no pause", async () => {
    const server = await stack.startServer({ env: heldDeliveryEnv });
    const api = apiClient(server.baseUrl, stack.adminToken);
    receiver.script("/resumed", () => "hold");
    const newest = (await stack.db.productEvent.aggregate({ _max: { id: true } }))._max.id ?? BigInt(0);
    // Failing for an hour, long past WEBHOOK_PAUSE_AFTER_SECONDS: its next failure would pause it.
    const failingSince = new Date(Date.now() - 60 * 60 * 1000);
    const hook = await stack.db.webhookSubscription.create({
      data: {
        url: receiver.url("/resumed"),
        kinds: "all",
        secret: "whsec_AAAA",
        cursor: newest,
        createdBy: "test",
        failureCount: 5,
        failingSince,
        lastError: "HTTP 500",
      },
    });
    try {
      assert.equal((await api.adjust(1, { delta: 1 })).status, 200);
      await eventually(async () => receiver.held("/resumed") === 1, "the delivery to be held");
      const resumed = await api.call("PATCH", `/api/v1/webhooks/${hook.id}`, { status: "active" });
      assert.equal(resumed.status, 200, JSON.stringify(resumed.body));
      assert.equal(resumed.body.failureCount, 0);

      // The held request fails; its retry is held again, so the row stays as this failure left it.
      receiver.answerHeld("/resumed", 500);
      await eventually(
        async () =>
          (await stack.db.webhookDelivery.count({ where: { subscriptionId: hook.id, statusCode: 500 } })) === 1,
        "the failure to be recorded",
      );
      const after = (await api.call("GET", `/api/v1/webhooks/${hook.id}`)).body;
      assert.equal(after.status, "active", after.pausedReason);
      assert.equal(after.pausedReason, null);
      assert.equal(after.failureCount, 1);
      assert.ok(Date.parse(after.failingSince) > failingSince.getTime(), "a new streak since the resume");
      assert.match(after.lastError, /HTTP 500/);
    } finally {
      receiver.release("/resumed");
      await stack.db.webhookSubscription.delete({ where: { id: hook.id } });
      await server.stop();
    }
  });

  test("a delivery whose lease another instance took meanwhile neither ends that lease nor records its batch: the new holder sends it again", async () => {
    const server = await stack.startServer({ env: heldDeliveryEnv });
    const api = apiClient(server.baseUrl, stack.adminToken);
    receiver.script("/taken-over", () => "hold");
    const newest = (await stack.db.productEvent.aggregate({ _max: { id: true } }))._max.id ?? BigInt(0);
    const hook = await stack.db.webhookSubscription.create({
      data: { url: receiver.url("/taken-over"), kinds: "all", secret: "whsec_AAAA", cursor: newest, createdBy: "test" },
    });
    try {
      assert.equal((await api.adjust(1, { delta: 1 })).status, 200);
      const event = (await stack.db.productEvent.aggregate({ _max: { id: true } }))._max.id!;
      await eventually(async () => receiver.held("/taken-over") === 1, "the delivery to be held");
      // As if the lease had lapsed (a slow DNS lookup) and another instance had taken the
      // subscription: its lease, which lapses in turn in a second (that instance "crashed").
      await stack.db.webhookSubscription.update({
        where: { id: hook.id },
        data: { deliveringUntil: new Date(Date.now() + 1_000) },
      });
      receiver.release("/taken-over");

      // The first holder stored nothing; once the other lease lapses the batch goes out again.
      await eventually(async () => receiver.requests("/taken-over").length === 2, "the batch to be sent again");
      await eventually(
        async () => (await stack.db.webhookSubscription.findUniqueOrThrow({ where: { id: hook.id } })).cursor >= event,
        "the batch to be acknowledged",
      );
      const [first, second] = receiver.requests("/taken-over");
      assert.equal(second.headers["webhook-id"], first.headers["webhook-id"], "the same batch");
      const log = await stack.db.webhookDelivery.findMany({ where: { subscriptionId: hook.id } });
      assert.equal(log.length, 1, "only the delivery under the lease it held is logged");
    } finally {
      receiver.release("/taken-over");
      await stack.db.webhookSubscription.delete({ where: { id: hook.id } });
      await server.stop();
    }
  });

  test("retention keeps the events a subscription has not acknowledged, and prunes the ones it has", async () => {
    await stack.db.webhookSubscription.deleteMany();
    const server = await stack.startServer();
    const api = apiClient(server.baseUrl, stack.adminToken);
    for (let i = 0; i < 4; i++) assert.equal((await api.adjust(4, { delta: 1 })).status, 200);
    await server.stop();
    const events = await stack.db.productEvent.findMany({ orderBy: { id: "desc" }, take: 4 });
    const [acknowledged, unacknowledged] = [events.slice(2), events.slice(0, 2)].map((list) => list.map((e) => e.id));
    // A paused subscription that acknowledged the first two; all four are past the retention.
    await stack.db.webhookSubscription.create({
      data: {
        url: "http://93.184.215.14/hook",
        kinds: "all",
        secret: "whsec_AAAA",
        cursor: acknowledged[0],
        status: "paused",
        createdBy: "test",
      },
    });
    await stack.db.productEvent.updateMany({
      where: { id: { lte: unacknowledged[0] } },
      data: { createdAt: new Date(Date.now() - 40 * 24 * 60 * 60 * 1000) },
    });
    // A server with a retention prunes at start (EVENT_RETENTION_DAYS; unset, nothing is pruned).
    const restarted = await stack.startServer({ env: { EVENT_RETENTION_DAYS: "30" } });
    await eventually(
      async () => (await stack.db.productEvent.count({ where: { id: { in: acknowledged } } })) === 0,
      "the acknowledged events to be pruned",
    );
    assert.equal(await stack.db.productEvent.count({ where: { id: { in: unacknowledged } } }), 2);
    await restarted.stop();
  });
});
