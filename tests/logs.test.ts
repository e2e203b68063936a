// The server's log (lib/log.ts, docs/design.md "Logs"): JSON lines in production; one id per
// request, in X-Request-Id, in every error body and on every line written while serving it, on
// both transports and on every path (Next's route handlers, the node:http feed and writes); a
// proxy's id kept only when TRUSTED_PROXY_COUNT trusts proxies, a malformed one never; and no
// password, token, secret or cookie in the log, whatever a request carried.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { apiClient, signIn, withCookie } from "./support/api";
import { eventually } from "./support/eventually";
import { rawRequest } from "./support/raw-http";
import { startReceiver, type Receiver } from "./support/webhook-receiver";
import { startStack, TRANSPORTS, type Server, type Stack } from "../scripts/stack";

type LogLine = { level: string; msg: string; requestId?: string; [field: string]: unknown };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const FEED = "/api/v1/stream/product-updates";

/** The server's own lines: each one JSON object (Next's start-up banner is not ours, nor JSON). */
function logLines(server: Server): LogLine[] {
  return server
    .output()
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as LogLine);
}

/** Waits for the line of request `requestId` that says `msg`, and returns it. */
async function lineOf(server: Server, requestId: string, msg: string): Promise<LogLine> {
  const find = () => logLines(server).find((line) => line.requestId === requestId && line.msg === msg);
  await eventually(async () => find() !== undefined, `"${msg}" with requestId ${requestId}:\n${server.output()}`);
  return find()!;
}

/** A request on each path a request can take: Next's route handlers, and the two node:http fast paths. */
const PATHS = [
  { what: "a route handler", method: "GET", path: "/api/v1/nothing-here", status: 404 },
  { what: "the write path", method: "POST", path: "/api/v1/products/1/stock-adjustments", status: 401 },
  { what: "the feed", method: "GET", path: `${FEED}?productIds=x`, status: 400 },
];

let stack: Stack;
let receiver: Receiver;
before(async () => {
  stack = await startStack({ env: { WEBHOOK_ALLOW_PRIVATE_ADDRESSES: "true" } });
  receiver = await startReceiver();
});
after(async () => {
  await receiver?.close();
  await stack?.stop();
});

for (const transport of TRANSPORTS) {
  describe(`${transport} transport`, () => {
    let server: Server;
    before(async () => {
      server = await stack.startServer({ transport });
    });
    after(() => server?.stop());

    test("an error's requestId is its X-Request-Id, a new one, and on that request's log line", async () => {
      for (const { what, method, path, status } of PATHS) {
        const sent = `client-chose-${randomBytes(4).toString("hex")}`;
        const response = await fetch(`${server.baseUrl}${path}`, { method, headers: { "x-request-id": sent } });
        assert.equal(response.status, status, what);
        const requestId = response.headers.get("x-request-id")!;
        assert.match(requestId, UUID, `${what}: made here, not the client's`);
        const body = (await response.json()) as { error: { requestId: string } };
        assert.equal(body.error.requestId, requestId, what);
        const line = await lineOf(server, requestId, "request refused");
        assert.equal(line.status, status, what);
        assert.ok(!server.output().includes(sent), `${what}: the client's id is nowhere`);
      }
    });

    test("a write is logged at info with who, what and its event, under its request's id", async () => {
      const response = await fetch(`${server.baseUrl}/api/v1/products/3/stock-adjustments`, {
        method: "POST",
        headers: { authorization: `Bearer ${stack.adminToken}`, "content-type": "application/json" },
        body: JSON.stringify({ delta: 2, reason: "restock" }),
      });
      assert.equal(response.status, 200);
      const requestId = response.headers.get("x-request-id")!;
      assert.match(requestId, UUID);
      const event = await stack.db.productEvent.findFirstOrThrow({ where: { productId: 3 }, orderBy: { id: "desc" } });
      const line = await lineOf(server, requestId, "product changed");
      assert.deepEqual(
        { level: line.level, actor: line.actor, kind: line.kind, productId: line.productId, sku: line.sku },
        { level: "info", actor: "api:default", kind: "stock", productId: 3, sku: event.sku },
      );
      assert.equal(line.eventId, event.id.toString());
    });

    test("no password, token, secret or cookie reaches the log", async () => {
      const secrets: Record<string, string> = { "admin password": stack.admin.password, "API token": stack.adminToken };
      const api = apiClient(server.baseUrl, stack.adminToken);
      assert.equal((await api.adjust(1, { delta: 1 })).status, 200);
      assert.equal((await api.products()).status, 200);

      const signedIn = await signIn(server.baseUrl, stack.admin.email, stack.admin.password);
      assert.equal(signedIn.status, 200);
      secrets["session cookie"] = signedIn.cookie.split("=")[1];
      assert.ok(secrets["session cookie"]);
      assert.equal((await withCookie(server.baseUrl, signedIn.cookie, "GET", "/api/v1/session")).status, 200);

      const created = await api.call("POST", "/api/v1/webhooks", { url: receiver.url(`/logs-${transport}`) });
      assert.equal(created.status, 201);
      secrets["webhook secret"] = created.body.secret;

      secrets["wrong password"] = `wrong-${randomBytes(12).toString("hex")}`;
      assert.equal((await signIn(server.baseUrl, stack.admin.email, secrets["wrong password"])).status, 401);
      // People type their password into the email field, and bodies break mid-password.
      secrets["password as email"] = `typed-here-${randomBytes(12).toString("hex")}`;
      assert.equal((await signIn(server.baseUrl, secrets["password as email"], "x")).status, 400);
      secrets["password in broken JSON"] = `broken-${randomBytes(12).toString("hex")}`;
      const broken = await fetch(`${server.baseUrl}/api/v1/session`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: server.baseUrl },
        body: `{"email": "${stack.admin.email}", "password": "${secrets["password in broken JSON"]}`,
      });
      assert.equal(broken.status, 400);
      secrets["wrong token"] = randomBytes(24).toString("base64url");
      assert.equal((await apiClient(server.baseUrl, secrets["wrong token"]).adjust(1, { delta: 1 })).status, 401);
      const metrics = await fetch(`${server.baseUrl}/api/metrics`, {
        headers: { authorization: `Bearer ${stack.metricsToken}` },
      });
      assert.equal(metrics.status, 200);
      secrets["metrics token"] = stack.metricsToken;

      // The last request's line is out: every line before it is too.
      const last = await fetch(`${server.baseUrl}/api/v1/last-one`);
      await lineOf(server, last.headers.get("x-request-id")!, "request refused");
      const output = server.output();
      assert.ok(logLines(server).some((line) => line.msg === "signed in"));
      for (const [what, secret] of Object.entries(secrets)) {
        assert.ok(!output.includes(secret), `the ${what} is in the log:\n${output}`);
      }
    });

    test("a database outage: the 503's request id is on the error line", async () => {
      let requestId = "";
      await stack.withDatabaseDown(async () => {
        const response = await fetch(`${server.baseUrl}/api/v1/products/1`);
        assert.equal(response.status, 503);
        requestId = response.headers.get("x-request-id")!;
        assert.equal(((await response.json()) as { error: { requestId: string } }).error.requestId, requestId);
        await eventually(
          async () => logLines(server).some((line) => line.requestId === requestId && line.level === "error"),
          `an error line with requestId ${requestId}:\n${server.output()}`,
        );
      });
    });
  });
}

for (const transport of TRANSPORTS) {
  test(`${transport}: behind a trusted proxy its X-Request-Id is kept; a malformed one is replaced`, async () => {
    const server = await stack.startServer({ transport, env: { TRUSTED_PROXY_COUNT: "1" } });
    try {
      for (const { what, method, path, status } of PATHS) {
        const sent = `proxy-${randomBytes(8).toString("hex")}`;
        const response = await fetch(`${server.baseUrl}${path}`, { method, headers: { "x-request-id": sent } });
        assert.equal(response.status, status, what);
        assert.equal(response.headers.get("x-request-id"), sent, what);
        assert.equal(((await response.json()) as { error: { requestId: string } }).error.requestId, sent, what);
        await lineOf(server, sent, "request refused");
      }
      const marker = randomBytes(6).toString("hex");
      const hostile = [
        `${marker}-${"a".repeat(200)}`, // too long
        `${marker} with spaces`,
        `${marker}\twith a tab`,
        `${marker}","level":"fatal","msg":"forged`, // a forged log line
        `${marker}-é`, // not ASCII
        `${marker}\u0001control`,
        `${marker}\u007f`,
        `${marker}\nX-Injected: 1`, // a header of its own
        `${marker}\rnewline`,
      ];
      for (const { what, method, path } of PATHS) {
        for (const value of hostile) {
          const response = await rawRequest(server.port, {
            method,
            path,
            headers: { "x-request-id": value, connection: "close" },
          });
          const ids = response.headers.filter(([name]) => name === "x-request-id").map(([, id]) => id);
          // Node's HTTP parser refuses control characters and bare CR/LF itself (400, nothing served);
          // whatever it lets through is served under a new id.
          if (ids.length === 0) assert.equal(response.status, 400, `${what}, ${JSON.stringify(value)}`);
          else {
            assert.equal(ids.length, 1);
            assert.match(ids[0], UUID, `${what}, ${JSON.stringify(value)}`);
            assert.equal(JSON.parse(response.body()).error.requestId, ids[0]);
            await lineOf(server, ids[0], "request refused");
          }
          assert.ok(!response.headers.some(([name]) => name === "x-injected"));
        }
      }
      assert.ok(!server.output().includes(marker), `a hostile id reached the log:\n${server.output()}`);
    } finally {
      await server.stop();
    }
  });
}

test("LOG_LEVEL is validated like every setting", async () => {
  await assert.rejects(stack.startServer({ env: { LOG_LEVEL: "loud" } }), /LOG_LEVEL must be one of fatal, error/);
});
