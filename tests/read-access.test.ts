// Who may read what (README, "Who may do what"): reads are public by default and need staff or a
// token with READ_ACCESS=staff, on every read route, both feed transports and the pages; the
// audit trail's actor and reason are for staff and tokens only; read tokens cannot write;
// /api/metrics is off without METRICS_TOKEN and needs it when set.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { signIn, withCookie } from "./support/api";
import { startStack, type Server, type Stack } from "../scripts/stack";

let stack: Stack;
let publicServer: Server;
let staffNode: Server;
let staffRoute: Server;
const readToken = randomBytes(24).toString("base64url");
let viewer = { email: "reader@stockpulse.test", password: "" };

before(async () => {
  stack = await startStack({ env: { READ_API_TOKENS: `storefront:${readToken}`, SSE_HEARTBEAT_MS: "120000" } });
  [publicServer, staffNode, staffRoute] = await Promise.all([
    stack.startServer(),
    stack.startServer({ env: { READ_ACCESS: "staff" } }),
    stack.startServer({ env: { READ_ACCESS: "staff" }, transport: "route-handler" }),
  ]);
  viewer = { ...viewer, password: await stack.addUser(viewer.email, "viewer") };
  // A change with a reason, so that every product's history below has an actor and a reason.
  const response = await fetch(`${publicServer.baseUrl}/api/v1/products/2/stock-adjustments`, {
    method: "POST",
    headers: { authorization: `Bearer ${stack.adminToken}`, "content-type": "application/json" },
    body: JSON.stringify({ delta: 1, reason: "restock" }),
  });
  assert.equal(response.status, 200);
});
after(() => stack?.stop());

const FEED = "/api/v1/stream/product-updates";
const READS = [
  "/api/v1/products",
  "/api/v1/products/2",
  "/api/v1/products/2/events",
  "/api/v1/alerts",
  "/api/v1/events",
  "/api/v1/events.csv?productId=2",
  "/api/v1/products.csv",
  `${FEED}?productIds=2`,
];
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Status and body of a read; a feed is only opened (its status and type), then closed. */
async function read(server: Server, path: string, headers: Record<string, string> = {}) {
  const abort = new AbortController();
  const response = await fetch(`${server.baseUrl}${path}`, { headers, signal: abort.signal, redirect: "manual" });
  const type = response.headers.get("content-type") ?? "";
  if (type.startsWith("text/event-stream")) {
    abort.abort();
    return { status: response.status, type, body: null };
  }
  const text = await response.text();
  return { status: response.status, type, body: type.includes("json") ? JSON.parse(text) : text };
}

describe("READ_ACCESS=staff", () => {
  test("anonymous reads are 401 UNAUTHENTICATED on every read route and both feed transports, alike", async () => {
    for (const path of READS) {
      const [node, route] = await Promise.all([read(staffNode, path), read(staffRoute, path)]);
      assert.equal(node.status, 401, `${path}: ${JSON.stringify(node.body)}`);
      assert.equal(node.body.error.code, "UNAUTHENTICATED");
      assert.match(node.body.error.message, /READ_ACCESS=staff/);
      // The same answer from both servers, but for each request's own id.
      const withoutId = ({ body, ...answer }: typeof node) => {
        const { requestId, ...error } = body.error;
        assert.match(requestId, /^[0-9a-f-]{36}$/);
        return { ...answer, body: { error } };
      };
      assert.deepEqual(withoutId(route), withoutId(node), `${path}: the same answer from both servers`);
    }
    for (const server of [staffNode, staffRoute]) {
      const head = await fetch(`${server.baseUrl}${FEED}`, { method: "HEAD" });
      assert.equal(head.status, 401, `HEAD on the ${server.transport} feed`);
    }
  });

  test("a signed-in viewer, a read token and an admin token read everything, the feed on both transports", async () => {
    for (const server of [staffNode, staffRoute]) {
      const { cookie } = await signIn(server.baseUrl, viewer.email, viewer.password);
      assert.ok(cookie);
      for (const headers of [{ cookie }, bearer(readToken), bearer(stack.adminToken)]) {
        for (const path of READS) {
          const answer = await read(server, path, headers);
          assert.equal(answer.status, 200, `${server.transport} ${path} ${Object.keys(headers)}`);
          if (path === FEED + "?productIds=2") assert.match(answer.type, /^text\/event-stream/);
        }
      }
    }
  });

  test("a bearer token that is not valid is 401, even with a valid session", async () => {
    const { cookie } = await signIn(staffNode.baseUrl, viewer.email, viewer.password);
    for (const server of [staffNode, staffRoute]) {
      const answer = await read(server, FEED, { ...bearer("not-a-token"), cookie });
      assert.equal(answer.status, 401);
      assert.equal(answer.body.error.message, "The bearer token is not valid");
    }
  });

  test("the dashboard and product pages send nobody signed in to sign-in; staff see them", async () => {
    for (const path of ["/", "/products/2"]) {
      const anonymous = await read(staffNode, path);
      assert.equal(anonymous.status, 307, path);
      const location = (await fetch(`${staffNode.baseUrl}${path}`, { redirect: "manual" })).headers.get("location");
      assert.equal(location, `/sign-in?next=${encodeURIComponent(path)}`);
      const { cookie } = await signIn(staffNode.baseUrl, viewer.email, viewer.password);
      const signedIn = await withCookie(staffNode.baseUrl, cookie, "GET", path);
      assert.equal(signedIn.status, 200, path);
    }
  });

  test("the API reference stays public", async () => {
    assert.equal((await read(staffNode, "/api/v1/openapi.json")).status, 200);
    assert.equal((await read(staffNode, "/docs/api")).status, 200);
  });
});

describe("READ_ACCESS=public (the default)", () => {
  test("anyone reads products, one product and the feed", async () => {
    for (const path of READS) assert.equal((await read(publicServer, path)).status, 200, path);
    for (const path of ["/", "/products/2"]) assert.equal((await read(publicServer, path)).status, 200, path);
  });

  test("anonymous readers get history without actor and reason; staff and tokens get them", async () => {
    const events = "/api/v1/products/2/events";
    const anonymous = await read(publicServer, events);
    assert.ok(anonymous.body.events.length > 0);
    for (const entry of anonymous.body.events) {
      assert.ok(!("actor" in entry) && !("reason" in entry), JSON.stringify(entry));
    }
    const { cookie } = await signIn(publicServer.baseUrl, viewer.email, viewer.password);
    for (const headers of [{ cookie }, bearer(readToken), bearer(stack.adminToken)]) {
      const staff = await read(publicServer, events, headers);
      const restock = staff.body.events.find((entry: { reason: string | null }) => entry.reason === "restock");
      assert.ok(restock, `${Object.keys(headers)}: ${JSON.stringify(staff.body.events[0])}`);
      assert.equal(restock.actor, "api:default");
    }
    // The product page renders no history on the server: the browser loads it with the reader's credentials.
    const page = await read(publicServer, "/products/2");
    assert.doesNotMatch(page.body, /api:default|restock/);
  });

  test("a read token cannot write: 403, nothing changed", async () => {
    const before = await stack.db.product.findUniqueOrThrow({ where: { id: 2 } });
    const writes = [
      { method: "POST", path: "/api/v1/products", body: { sku: "READ-1", name: "x", priceCents: 1, stock: 1 } },
      { method: "PATCH", path: "/api/v1/products/2", body: { stock: 1 } },
      { method: "POST", path: "/api/v1/products/2/stock-adjustments", body: { delta: 1 } },
    ];
    for (const server of [publicServer, staffRoute]) {
      for (const { method, path, body } of writes) {
        const response = await fetch(`${server.baseUrl}${path}`, {
          method,
          headers: { ...bearer(readToken), "content-type": "application/json" },
          body: JSON.stringify(body),
        });
        assert.equal(response.status, 403, `${server.transport} ${method} ${path}`);
        assert.equal((await response.json()).error.code, "FORBIDDEN");
      }
    }
    assert.deepEqual(await stack.db.product.findUniqueOrThrow({ where: { id: 2 } }), before);
    assert.equal(await stack.db.product.count({ where: { sku: "READ-1" } }), 0);
  });
});

describe("/api/metrics", () => {
  test("needs METRICS_TOKEN as a bearer token", async () => {
    const url = `${publicServer.baseUrl}/api/metrics`;
    assert.equal((await fetch(url)).status, 401);
    assert.equal((await fetch(url, { headers: bearer(stack.adminToken) })).status, 401);
    const response = await fetch(url, { headers: bearer(stack.metricsToken) });
    assert.equal(response.status, 200);
    assert.match(await response.text(), /stockpulse_open_streams/);
  });

  test("is off (404) without METRICS_TOKEN", async () => {
    const server = await stack.startServer({ unset: ["METRICS_TOKEN"] });
    const response = await fetch(`${server.baseUrl}/api/metrics`, { headers: bearer(stack.metricsToken) });
    assert.equal(response.status, 404);
    assert.equal((await response.json()).error.code, "NOT_FOUND");
    await server.stop();
  });
});
