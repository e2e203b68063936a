// Stock adjustments have two transports too: `npm start`'s production server serves POST
// /api/v1/products/{id}/stock-adjustments from node:http (lib/products/transport-node.ts), plain
// `next start` from the route handler. Both answer every case with the same status, the same
// headers and the same body, but for the request's own id (X-Request-Id, and error.requestId in an
// error body), which each must send and which is set aside before comparing.
import assert from "node:assert/strict";
import http from "node:http";
import { after, before, test } from "node:test";
import { signIn } from "./support/api";
import { startStack, type Server, type Stack } from "../scripts/stack";

let stack: Stack;
let nodeServer: Server;
let routeServer: Server;

before(async () => {
  stack = await startStack();
  [nodeServer, routeServer] = await Promise.all([
    stack.startServer({ transport: "node" }),
    stack.startServer({ transport: "route-handler" }),
  ]);
});
after(() => stack?.stop());

type Sent = { method?: string; path: string; headers?: Record<string, string>; body?: string };
type Answer = { status: number; headers: Array<[string, string]>; body: string };

/** The answer with its request id checked and set aside (see withoutRequestId). */
const send = async (server: Server, sent: Sent) => withoutRequestId(await rawSend(server, sent));

function rawSend(server: Server, { method = "POST", path, headers = {}, body }: Sent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: "127.0.0.1", port: server.port, method, path, headers, agent: false });
    request.on("response", (response) => {
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (text += chunk));
      response.on("end", () => {
        const headers: Array<[string, string]> = [];
        for (let i = 0; i < response.rawHeaders.length; i += 2) {
          const name = response.rawHeaders[i].toLowerCase();
          if (name !== "date") headers.push([name, response.rawHeaders[i + 1]]);
        }
        headers.sort(([a], [b]) => a.localeCompare(b));
        resolve({ status: response.statusCode!, headers, body: text });
      });
    });
    request.on("error", reject);
    request.end(body);
  });
}

/** The answer with its request id checked (one header; the error body's, if any, the same) and set aside. */
function withoutRequestId(answer: Answer): Answer {
  const ids = answer.headers.filter(([name]) => name === "x-request-id").map(([, value]) => value);
  assert.equal(ids.length, 1, `one X-Request-Id: ${JSON.stringify(answer.headers)}`);
  assert.match(ids[0], /^[0-9a-f-]{36}$/);
  const headers = answer.headers.map(([name, value]): [string, string] =>
    name === "x-request-id" ? [name, "(request id)"] : [name, value],
  );
  let body = answer.body;
  if (answer.status >= 400 && body) {
    const parsed = JSON.parse(body);
    assert.equal(parsed.error.requestId, ids[0], "error.requestId is the X-Request-Id");
    body = JSON.stringify({ ...parsed, error: { ...parsed.error, requestId: "(request id)" } });
  }
  return { ...answer, headers, body };
}

const adjust = (id: string | number, body: unknown, headers: Record<string, string> = {}): Sent => {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return {
    path: `/api/v1/products/${id}/stock-adjustments`,
    headers: {
      authorization: `Bearer ${stack.adminToken}`,
      "content-type": "application/json",
      "content-length": String(Buffer.byteLength(text)),
      ...headers,
    },
    body: text,
  };
};

async function assertSame(sent: Sent, what: string, status: number) {
  const [node, route] = [await send(nodeServer, sent), await send(routeServer, sent)];
  assert.equal(node.status, status, `${what}: status (node:http)`);
  assert.equal(route.status, status, `${what}: status (route handler)`);
  assert.deepEqual(node.headers, route.headers, `${what}: headers`);
  assert.equal(node.body, route.body, `${what}: body`);
}

test("refusals: the same status, headers and error body from both transports", async () => {
  const cases: Array<[string, Sent, number]> = [
    ["no credentials", adjust(1, { delta: 1 }, { authorization: "" }), 401],
    ["wrong token", adjust(1, { delta: 1 }, { authorization: `Bearer ${"x".repeat(32)}` }), 401],
    ["not JSON", adjust(1, { delta: 1 }, { "content-type": "text/plain" }), 415],
    ["broken JSON", adjust(1, "{"), 400],
    ["empty body", adjust(1, ""), 400],
    ["too large", adjust(1, { delta: 1, reason: "x".repeat(20_000) }), 413],
    ["delta zero", adjust(1, { delta: 0 }), 400],
    ["unknown field", adjust(1, { delta: 1, price: 3 }), 400],
    ["bad id", adjust("abc", { delta: 1 }), 400],
    ["id zero", adjust(0, { delta: 1 }), 400],
    ["unknown product", adjust(99999, { delta: 1 }), 404],
    ["below zero", adjust(2, { delta: -2_000_000_000 }), 409],
    ["past 32 bits", adjust(2, { delta: 2_147_483_647 }), 409],
  ];
  for (const [what, sent, status] of cases) {
    if (sent.headers?.authorization === "") delete sent.headers.authorization;
    await assertSame(sent, what, status);
  }
});

test("other methods on the path still go to Next, on both", async () => {
  const sent: Sent = { method: "GET", path: "/api/v1/products/1/stock-adjustments" };
  // Next's own 405, with no body: `npm start`'s server gives it an id as it gives every response
  // one; plain `next start` runs none of our code for it (docs/design.md, "Logs").
  const [node, route] = await Promise.all([nodeServer, routeServer].map((server) => rawSend(server, sent)));
  assert.deepEqual([node.status, route.status], [405, 405]);
  assert.equal(node.headers.filter(([name]) => name === "x-request-id").length, 1);
  const others = (answer: Answer) => answer.headers.filter(([name]) => name !== "x-request-id");
  assert.deepEqual(others(node), others(route));
  assert.equal(node.body, route.body);
});

test("an accepted adjustment: same headers and body shape, one event each, in order", async () => {
  const before = await stack.db.product.findUniqueOrThrow({ where: { id: 9 } });
  const eventsBefore = await stack.db.productEvent.count({ where: { productId: 9 } });
  const node = await send(nodeServer, adjust(9, { delta: 2, reason: "restock" }));
  const route = await send(routeServer, adjust(9, { delta: -1, reason: "sale" }));
  assert.equal(node.status, 200);
  assert.equal(route.status, 200);
  assert.deepEqual(node.headers, route.headers);
  const [fromNode, fromRoute] = [JSON.parse(node.body), JSON.parse(route.body)];
  assert.deepEqual(Object.keys(fromNode), Object.keys(fromRoute));
  assert.equal(fromNode.stock, before.stock + 2);
  assert.equal(fromRoute.stock, before.stock + 1);
  assert.equal(fromRoute.version, fromNode.version + 1);
  const events = await stack.db.productEvent.findMany({ where: { productId: 9 }, orderBy: { id: "asc" } });
  assert.equal(events.length, eventsBefore + 2);
  assert.deepEqual(
    events.slice(-2).map(({ delta, reason, actor }) => ({ delta, reason, actor })),
    [
      { delta: 2, reason: "restock", actor: "api:default" },
      { delta: -1, reason: "sale", actor: "api:default" },
    ],
  );
});

test("with a session cookie: the same CSRF refusal, viewer refusal and acceptance", async () => {
  const { cookie } = await signIn(nodeServer.baseUrl, stack.admin.email, stack.admin.password);
  const viewerPassword = await stack.addUser("viewer@stockpulse.test", "viewer");
  const viewer = (await signIn(nodeServer.baseUrl, "viewer@stockpulse.test", viewerPassword)).cookie;
  // One Host for both servers, so that the same Origin is same-origin on both.
  const byCookie = (session: string, origin?: string): Sent => {
    const sent = adjust(10, { delta: 1 }, { cookie: session, host: "stockpulse.test" });
    delete sent.headers!.authorization;
    if (origin) sent.headers!.origin = origin;
    return sent;
  };
  await assertSame(byCookie(cookie), "cookie without Origin", 403);
  await assertSame(byCookie(cookie, "http://evil.example"), "cookie from another origin", 403);
  await assertSame(byCookie(viewer, "http://stockpulse.test"), "viewer", 403);
  for (const server of [nodeServer, routeServer]) {
    const answer = await send(server, byCookie(cookie, "http://stockpulse.test"));
    assert.equal(answer.status, 200, `${server.transport}: ${answer.body}`);
    const [event] = await stack.db.productEvent.findMany({
      where: { productId: 10 },
      orderBy: { id: "desc" },
      take: 1,
    });
    assert.equal(event.actor, stack.admin.email);
    assert.equal(event.version, JSON.parse(answer.body).version);
  }
});

test("Idempotency-Key: the same refusals, and the same replay with Idempotent-Replayed, from both transports", async () => {
  await assertSame(adjust(11, { delta: 1 }, { "idempotency-key": "has space" }), "malformed key", 400);
  await assertSame(adjust(11, { delta: 1 }, { "idempotency-key": "k".repeat(256) }), "key too long", 400);
  const before = await stack.db.product.findUniqueOrThrow({ where: { id: 11 } });
  const key = { "idempotency-key": `parity-${Date.now()}` };
  const first = await send(nodeServer, adjust(11, { delta: 2, reason: "restock" }, key));
  assert.equal(first.status, 200);
  assert.ok(!first.headers.some(([name]) => name === "idempotent-replayed"));
  // Both answer the retry from the stored response: same status, headers and bytes as each other and as the first.
  await assertSame(adjust(11, { delta: 2, reason: "restock" }, key), "replay", 200);
  const replay = await send(routeServer, adjust(11, { delta: 2, reason: "restock" }, key));
  assert.equal(replay.body, first.body);
  assert.deepEqual(
    replay.headers.filter(([name]) => name === "idempotent-replayed"),
    [["idempotent-replayed", "true"]],
  );
  await assertSame(adjust(11, { delta: 3 }, key), "same key, other body", 422);
  assert.equal((await stack.db.product.findUniqueOrThrow({ where: { id: 11 } })).stock, before.stock + 2);
  // A refusal by the change is kept: replayed alike.
  const refusedKey = { "idempotency-key": `parity-refused-${Date.now()}` };
  assert.equal((await send(routeServer, adjust(11, { delta: -2_000_000_000 }, refusedKey))).status, 409);
  await assertSame(adjust(11, { delta: -2_000_000_000 }, refusedKey), "stored refusal", 409);
});

test("an archived product: the same 409 PRODUCT_ARCHIVED from both transports, and nothing changes", async () => {
  const archived = await send(routeServer, {
    path: "/api/v1/products/12/archive",
    headers: { authorization: `Bearer ${stack.adminToken}` },
  });
  assert.equal(archived.status, 200, archived.body);
  const before = await stack.db.product.findUniqueOrThrow({ where: { id: 12 } });
  const events = await stack.db.productEvent.count({ where: { productId: 12 } });
  await assertSame(adjust(12, { delta: 1 }), "archived product", 409);
  const refused = JSON.parse((await send(nodeServer, adjust(12, { delta: -1, reason: "sale" }))).body);
  assert.equal(refused.error.code, "PRODUCT_ARCHIVED");
  assert.ok(
    refused.error.message.startsWith(`“${before.name}” (${before.sku}) is archived since `),
    refused.error.message,
  );
  assert.deepEqual(await stack.db.product.findUniqueOrThrow({ where: { id: 12 } }), before);
  assert.equal(await stack.db.productEvent.count({ where: { productId: 12 } }), events);
});
