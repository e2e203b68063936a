// Liveness and readiness for load balancers and orchestrators: /api/health/live says the process
// answers, /api/health/ready whether it can serve (database, feed listener, not draining).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { eventually } from "./support/eventually";
import { startStack, TRANSPORTS, type Server, type Stack } from "../scripts/stack";

let stack: Stack;

before(async () => {
  stack = await startStack();
});
after(() => stack?.stop());

const get = async (server: Server, path: string) => {
  const response = await fetch(`${server.baseUrl}${path}`);
  return { status: response.status, body: await response.json() };
};

for (const transport of TRANSPORTS) {
  test(`${transport}: live and ready, on Node.js 24 or newer`, async () => {
    const server = await stack.startServer({ transport });
    assert.deepEqual(await get(server, "/api/health/live"), { status: 200, body: { status: "ok" } });
    const ready = await get(server, "/api/health/ready");
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.body, { status: "ready", database: "ok", listener: "listening", draining: false });
    const health = await get(server, "/api/health");
    assert.equal(health.status, 200);
    assert.equal(health.body.status, "ok");
    assert.ok(Number(health.body.node.slice(1).split(".")[0]) >= 24, `the server runs on ${health.body.node}`);
    await server.stop();
  });
}

test("without the database: still live, not ready; ready again once it is back", async () => {
  const server = await stack.startServer();
  await stack.database.stop();
  try {
    await eventually(async () => (await get(server, "/api/health/ready")).status === 503, "ready to turn 503");
    const ready = await get(server, "/api/health/ready");
    assert.equal(ready.body.database, "unreachable");
    assert.equal((await get(server, "/api/health/live")).status, 200);
    assert.equal((await get(server, "/api/health")).status, 503);
  } finally {
    await stack.restartDatabase();
  }
  await eventually(async () => (await get(server, "/api/health/ready")).status === 200, "ready again");
  await server.stop();
});

test("after SIGTERM the production server is not ready while it drains, and still answers", async () => {
  const server = await stack.startServer({ env: { SHUTDOWN_DRAIN_MS: "5000" } });
  server.kill("SIGTERM");
  await eventually(async () => (await get(server, "/api/health/ready")).status === 503, "ready to turn 503");
  const ready = await get(server, "/api/health/ready");
  assert.equal(ready.body.draining, true);
  assert.equal((await get(server, "/api/health/live")).status, 200);
  assert.equal((await fetch(`${server.baseUrl}/api/v1/products`)).status, 200, "requests are still served");
  await server.stop();
});
