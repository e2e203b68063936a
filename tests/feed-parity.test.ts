// The feed's two transports, `npm start`'s node:http server and the route handler (`next start`),
// answer the same requests with the same status, the same headers and the same bytes, but for
// each request's own id (X-Request-Id, and error.requestId in an error body).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { apiClient, type Api } from "./support/api";
import { eventually } from "./support/eventually";
import { rawRequest, type RawResponse } from "./support/raw-http";
import { startStack, type Server, type Stack } from "../scripts/stack";

let stack: Stack;
let nodeServer: Server;
let routeServer: Server;
let api: Api;

const FEED = "/api/v1/stream/product-updates";

before(async () => {
  stack = await startStack({ env: { SSE_HEARTBEAT_MS: "120000" } });
  [nodeServer, routeServer] = await Promise.all([
    stack.startServer({ transport: "node" }),
    stack.startServer({ transport: "route-handler" }),
  ]);
  api = apiClient(nodeServer.baseUrl, stack.adminToken);
});
after(() => stack?.stop());

const requestIds = (response: RawResponse) =>
  response.headers.filter(([name]) => name === "x-request-id").map(([, value]) => value);

/** The header list, in name order (order carries no meaning), without the ones that say when and which request. */
function comparable(response: RawResponse) {
  assert.equal(requestIds(response).length, 1, "one X-Request-Id");
  return response.headers
    .filter(([name]) => name !== "date" && name !== "x-request-id")
    .sort(([a], [b]) => a.localeCompare(b));
}

/** The body, with an error's requestId (the X-Request-Id's) set aside. */
function comparableBody(response: RawResponse) {
  if (response.status < 400) return response.body();
  const { error } = JSON.parse(response.body());
  assert.equal(error.requestId, requestIds(response)[0], "error.requestId is the X-Request-Id");
  return JSON.stringify({ error: { ...error, requestId: "(request id)" } });
}

const frames = (response: RawResponse) => response.body().split("\n\n").length - 1;

async function both(request: Parameters<typeof rawRequest>[1], done?: (response: RawResponse) => boolean) {
  return Promise.all([nodeServer, routeServer].map((server) => rawRequest(server.port, request, done)));
}

function assertSame([node, route]: RawResponse[], what: string) {
  assert.equal(node.status, route.status, `${what}: status`);
  assert.deepEqual(comparable(node), comparable(route), `${what}: headers`);
  assert.equal(comparableBody(node), comparableBody(route), `${what}: body`);
}

test("a replay and the live change after it: same headers, byte-identical frames", async () => {
  for (const filter of ["", "productIds=40&"]) {
    const from = (await api.products()).body.lastEventId as string;
    for (let i = 0; i < 5; i++) await api.adjust(40, { delta: 1 });
    await api.patch(41, { priceCents: 1234 + filter.length });
    const query = `?${filter}lastEventId=${from}`;
    const expected = filter ? 5 : 6;
    // retry + the replayed events, then one live change, made once both streams have replayed
    // (a change made sooner could reach either stream in its replay instead).
    const replayedOn = new Set<RawResponse>();
    let bothReplayed = () => {};
    const replayDone = new Promise<void>((resolve) => (bothReplayed = resolve));
    const replayed = both({ path: `${FEED}${query}` }, (response) => {
      if (frames(response) >= expected + 1 && replayedOn.add(response).size === 2) bothReplayed();
      return frames(response) >= expected + 2;
    });
    await Promise.race([replayDone, replayed]);
    await api.adjust(40, { delta: 1 });
    const responses = await replayed;
    responses.forEach((response) => response.close());
    assert.equal(frames(responses[0]), expected + 2, `${query}: retry, ${expected} replayed, 1 live`);
    assertSame(responses, query);
  }
});

test("HEAD: the same headers, no body, and no subscriber left behind", async () => {
  const responses = await both({ method: "HEAD", path: FEED });
  assertSame(responses, "HEAD");
  assert.equal(responses[0].status, 200);
  for (const server of [nodeServer, routeServer]) {
    await Promise.all(Array.from({ length: 100 }, () => rawRequest(server.port, { method: "HEAD", path: FEED })));
    await eventually(
      async () => (await (await fetch(`${server.baseUrl}/api/health`)).json()).openStreams === 0,
      `no stream held by HEAD requests (${server.transport})`,
    );
  }
});

test("bad parameters: the same 400 with the same error body", async () => {
  for (const request of [
    { path: FEED, headers: { "last-event-id": "abc" } },
    { path: `${FEED}?lastEventId=9223372036854775808` },
    { path: `${FEED}?productIds=2147483648&lastEventId=1` },
    { path: `${FEED}?productIds=0` },
    { path: `${FEED}?productIds=1,,2` },
  ]) {
    const responses = await both(request);
    assert.equal(responses[0].status, 400, JSON.stringify(request));
    assertSame(responses, JSON.stringify(request));
  }
});

test("an unknown event id: the same reset frame, then the stream ends", async () => {
  assertSame(await both({ path: FEED, headers: { "last-event-id": "999999999999" } }), "reset");
});
