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
      ["ftp://93.184.215.14/hook", "INVALID_URL"],
      ["file:///etc/passwd", "INVALID_URL"],
    ];
    for (const [url, code] of refused) {
      const result = await api.call("POST", "/api/v1/webhooks", { url });
      assert.equal(result.status, 400, `${url}: ${JSON.stringify(result.body)}`);
      assert.equal(result.body.error.code, code, url);
    }
    assert.equal(await stack.db.webhookSubscription.count(), count);

    // A public address is accepted (nothing is sent at creation).
    const publicHook = await api.call("POST", "/api/v1/webhooks", { url: "http://93.184.215.14/hook" });
    assert.equal(publicHook.status, 201);
    await api.call("DELETE", `/api/v1/webhooks/${publicHook.body.id}`);

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
