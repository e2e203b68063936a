// Idempotent writes over real HTTP and PostgreSQL (guarantee 7): a retry with the same
// Idempotency-Key gets the first answer again and applies nothing, on any instance; another body
// is a 422; concurrent requests with one key apply once; keys are scoped to the credential.
import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { signIn, withCookie } from "./support/api";
import { eventually } from "./support/eventually";
import { startStack, type Server, type Stack } from "../scripts/stack";

const posToken = randomBytes(24).toString("base64url");

let stack: Stack;
let serverA: Server;
let serverB: Server;

before(async () => {
  stack = await startStack({ env: { ADMIN_API_TOKENS: `pos:${posToken}` } });
  // Two instances on one database: `npm start`'s server and plain `next start` (the route handlers).
  [serverA, serverB] = await Promise.all([
    stack.startServer({ transport: "node" }),
    stack.startServer({ transport: "route-handler" }),
  ]);
});
after(() => stack?.stop());

async function send(
  server: Server,
  method: string,
  path: string,
  body: unknown,
  key: string | null,
  token = stack.adminToken,
) {
  const response = await fetch(`${server.baseUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      "content-type": "application/json",
      ...(key === null ? {} : { "idempotency-key": key }),
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: JSON.parse(text),
    text,
    replayed: response.headers.get("idempotent-replayed"),
    retryAfter: response.headers.get("retry-after"),
    requestId: response.headers.get("x-request-id"),
  };
}

type Answer = Awaited<ReturnType<typeof send>>;

const stockOf = async (id: number) => (await stack.db.product.findUniqueOrThrow({ where: { id } })).stock;
const eventCount = (productId?: number) => stack.db.productEvent.count({ where: productId ? { productId } : {} });

describe("a retry with the same key and body", () => {
  // Every POST and PATCH under /api/v1 (sign-in excepted): the first answer again, nothing applied again.
  const routes: Array<[string, string, () => unknown, number]> = [
    ["POST", "/api/v1/products/11/stock-adjustments", () => ({ delta: -1, reason: "sale" }), 200],
    ["PATCH", "/api/v1/products/12", () => ({ priceCents: 1111 }), 200],
    ["POST", "/api/v1/products", () => ({ sku: "IDEM-NEW-1", name: "Idempotent", priceCents: 100, stock: 1 }), 201],
    [
      "POST",
      "/api/v1/stock-adjustments",
      () => ({
        items: [
          { productId: 13, delta: 2 },
          { sku: "MUG-TRV-400", delta: 1 },
        ],
      }),
      200,
    ],
    ["POST", "/api/v1/stocktakes", () => ({ items: [{ productId: 14, count: 77 }] }), 200],
  ];
  for (const [method, path, body, status] of routes) {
    test(`${method} ${path}: same status and body, Idempotent-Replayed, applied once, on either instance`, async () => {
      const key = randomUUID();
      const eventsBefore = await eventCount();
      const first = await send(serverA, method, path, body(), key);
      assert.equal(first.status, status, first.text);
      assert.equal(first.replayed, null);
      const eventsAfterFirst = await eventCount();
      assert.ok(eventsAfterFirst > eventsBefore);
      for (const server of [serverA, serverB, serverA]) {
        const retry = await send(server, method, path, body(), key);
        assert.equal(retry.status, status, `${server.transport}: ${retry.text}`);
        assert.equal(retry.text, first.text, server.transport);
        assert.equal(retry.replayed, "true", server.transport);
      }
      assert.equal(await eventCount(), eventsAfterFirst, "nothing applied again");
    });
  }

  test("the same body with other whitespace or on the other instance first: still one change", async () => {
    const key = randomUUID();
    const before = await stockOf(15);
    const first = await send(serverB, "POST", "/api/v1/products/15/stock-adjustments", { delta: 3 }, key);
    assert.equal(first.status, 200);
    const response = await fetch(`${serverA.baseUrl}/api/v1/products/15/stock-adjustments`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${stack.adminToken}`,
        "content-type": "application/json",
        "idempotency-key": key,
      },
      body: '{ "delta" : 3 }',
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("idempotent-replayed"), "true");
    assert.equal(await stockOf(15), before + 3);
  });
});

describe("refusals", () => {
  test("the same key with another body: 422 IDEMPOTENCY_KEY_REUSED, nothing applied", async () => {
    const key = randomUUID();
    const before = await stockOf(16);
    assert.equal((await send(serverA, "POST", "/api/v1/products/16/stock-adjustments", { delta: 1 }, key)).status, 200);
    for (const server of [serverA, serverB]) {
      const other = await send(server, "POST", "/api/v1/products/16/stock-adjustments", { delta: 2 }, key);
      assert.equal(other.status, 422, other.text);
      assert.equal(other.body.error.code, "IDEMPOTENCY_KEY_REUSED");
    }
    assert.equal(await stockOf(16), before + 1);
  });

  test("a malformed key: 400 INVALID_IDEMPOTENCY_KEY, nothing applied", async () => {
    const before = await stockOf(17);
    for (const key of ["", "with space", "ümlaut", "x".repeat(256), "tab\there"]) {
      for (const server of [serverA, serverB]) {
        const answer = await send(server, "POST", "/api/v1/products/17/stock-adjustments", { delta: 1 }, key).catch(
          (error: Error) => ({ status: 0, text: error.message, body: null }),
        );
        // fetch itself refuses some header values (non-Latin-1); those never reach a server.
        if (answer.status === 0) continue;
        assert.equal(answer.status, 400, `${JSON.stringify(key)}: ${answer.text}`);
        assert.equal(answer.body.error.code, "INVALID_IDEMPOTENCY_KEY");
      }
    }
    assert.equal(
      (await send(serverA, "POST", "/api/v1/products/17/stock-adjustments", { delta: 1 }, "x".repeat(255))).status,
      200,
    );
    assert.equal(await stockOf(17), before + 1);
  });

  test("concurrent requests with one key apply once: the others get the same answer or 409 IN_PROGRESS", async () => {
    const key = randomUUID();
    const before = await stockOf(18);
    const events = await eventCount(18);
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        send(i % 2 ? serverA : serverB, "POST", "/api/v1/products/18/stock-adjustments", { delta: 5 }, key),
      ),
    );
    const applied = answers.filter((answer) => answer.status === 200 && answer.replayed === null);
    assert.equal(applied.length, 1, JSON.stringify(answers.map((answer) => [answer.status, answer.replayed])));
    for (const answer of answers) {
      if (answer.status === 200) assert.equal(answer.text, applied[0].text);
      else {
        assert.equal(answer.status, 409, answer.text);
        assert.equal(answer.body.error.code, "IDEMPOTENCY_IN_PROGRESS");
        assert.equal(answer.retryAfter, "1");
      }
    }
    assert.equal(await stockOf(18), before + 5);
    assert.equal(await eventCount(18), events + 1);
    // Once it has finished, the key answers with the stored response.
    const later = await send(serverA, "POST", "/api/v1/products/18/stock-adjustments", { delta: 5 }, key);
    assert.equal(later.replayed, "true");
    assert.equal(later.text, applied[0].text);
  });

  test("a bulk held up behind the first request's key gets 409 IN_PROGRESS, then the stored answer", async () => {
    // Hold the first request inside its transaction by holding the product's row lock meanwhile.
    const pg = (await import("pg")).default;
    const holder = new pg.Client({ connectionString: stack.databaseUrl });
    await holder.connect();
    const key = randomUUID();
    const body = { items: [{ productId: 19, delta: 1 }] };
    try {
      const holderPid = (await holder.query("SELECT pg_backend_pid() AS pid")).rows[0].pid as number;
      await holder.query("BEGIN");
      await holder.query(`SELECT 1 FROM "Product" WHERE id = 19 FOR UPDATE`);
      const first = send(serverA, "POST", "/api/v1/stock-adjustments", body, key);
      // Asked outside the holder's transaction, which sees pg_stat_activity as it first read it.
      await eventually(async () => {
        const [{ blocked }] = await stack.db.$queryRaw<Array<{ blocked: number }>>`
          SELECT count(*)::int AS blocked FROM pg_stat_activity WHERE ${holderPid}::int = ANY(pg_blocking_pids(pid))`;
        return blocked > 0;
      }, "the first request to wait for the row");
      const second: Answer = await send(serverB, "POST", "/api/v1/stock-adjustments", body, key);
      assert.equal(second.status, 409, second.text);
      assert.equal(second.body.error.code, "IDEMPOTENCY_IN_PROGRESS");
      assert.equal(second.retryAfter, "1");
      await holder.query("COMMIT");
      const done = await first;
      assert.equal(done.status, 200, done.text);
      const retry = await send(serverB, "POST", "/api/v1/stock-adjustments", body, key);
      assert.equal(retry.replayed, "true");
      assert.equal(retry.text, done.text);
    } finally {
      await holder.end();
    }
  });
});

describe("what is kept", () => {
  test("a refusal by the change (409 INSUFFICIENT_STOCK) is kept: the retry gets it again even after a restock", async () => {
    await stack.db.product.update({ where: { id: 20 }, data: { stock: 1 } });
    const key = randomUUID();
    const refused = await send(serverA, "POST", "/api/v1/products/20/stock-adjustments", { delta: -5 }, key);
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error.code, "INSUFFICIENT_STOCK");
    await stack.db.product.update({ where: { id: 20 }, data: { stock: 100 } });
    const retry = await send(serverB, "POST", "/api/v1/products/20/stock-adjustments", { delta: -5 }, key);
    assert.equal(retry.status, 409);
    assert.equal(retry.replayed, "true");
    // The same answer, but an error names the request that got it: this one.
    assert.equal(retry.body.error.requestId, retry.requestId);
    assert.notEqual(retry.requestId, refused.requestId);
    assert.equal(retry.text, refused.text.replace(refused.requestId!, retry.requestId!));
    assert.equal(await stockOf(20), 100);
  });

  test("a refusal before the change (bad body) is not kept: the corrected request with the key applies", async () => {
    const key = randomUUID();
    const before = await stockOf(21);
    const bad = await send(serverA, "POST", "/api/v1/products/21/stock-adjustments", { delta: 0 }, key);
    assert.equal(bad.status, 400);
    const good = await send(serverA, "POST", "/api/v1/products/21/stock-adjustments", { delta: 4 }, key);
    assert.equal(good.status, 200);
    assert.equal(good.replayed, null);
    assert.equal(await stockOf(21), before + 4);
  });

  test("keys are scoped to the credential, method and path", async () => {
    const key = randomUUID();
    const before = await stockOf(22);
    const admin = await send(serverA, "POST", "/api/v1/products/22/stock-adjustments", { delta: 1 }, key);
    // Another token with the same key: its own request, applied, never the admin's stored answer.
    const pos = await send(serverA, "POST", "/api/v1/products/22/stock-adjustments", { delta: 1 }, key, posToken);
    assert.equal(pos.status, 200);
    assert.equal(pos.replayed, null);
    assert.notEqual(pos.body.version, admin.body.version);
    // A signed-in admin (cookie) is another credential too.
    const { cookie } = await signIn(serverA.baseUrl, stack.admin.email, stack.admin.password);
    const byCookie = await withCookie(
      serverA.baseUrl,
      cookie,
      "POST",
      "/api/v1/products/22/stock-adjustments",
      { delta: 1 },
      {
        "idempotency-key": key,
      },
    );
    assert.equal(byCookie.status, 200);
    assert.equal(byCookie.headers.get("idempotent-replayed"), null);
    // The same key on another product's path: another request.
    const other = await send(serverA, "POST", "/api/v1/products/23/stock-adjustments", { delta: 1 }, key);
    assert.equal(other.replayed, null);
    assert.equal(await stockOf(22), before + 3);
    const kept = await stack.db.idempotencyKey.findMany({ where: { key } });
    assert.deepEqual(kept.map((record) => record.scope).sort(), [
      "token:default POST /api/v1/products/22/stock-adjustments",
      "token:default POST /api/v1/products/23/stock-adjustments",
      "token:pos POST /api/v1/products/22/stock-adjustments",
      `user:${(await stack.db.user.findUniqueOrThrow({ where: { email: stack.admin.email } })).id} POST /api/v1/products/22/stock-adjustments`,
    ]);
  });

  test("after 24 hours a key is forgotten: the same request applies again, and expired records are pruned", async () => {
    const key = randomUUID();
    const before = await stockOf(24);
    assert.equal((await send(serverA, "POST", "/api/v1/products/24/stock-adjustments", { delta: 1 }, key)).status, 200);
    const record = await stack.db.idempotencyKey.findFirstOrThrow({ where: { key } });
    assert.ok(record.expiresAt.getTime() - record.createdAt.getTime() === 24 * 60 * 60 * 1000);
    await stack.db.idempotencyKey.updateMany({ data: { expiresAt: new Date(Date.now() - 1000) } });
    const again = await send(serverB, "POST", "/api/v1/products/24/stock-adjustments", { delta: 1 }, key);
    assert.equal(again.status, 200);
    assert.equal(again.replayed, null);
    assert.equal(await stockOf(24), before + 2);
    // Only the fresh record of that key is left: the other expired ones went with it.
    assert.equal(await stack.db.idempotencyKey.count({ where: { expiresAt: { lte: new Date() } } }), 0);
  });

  test("requests without a key behave as before: each one applies", async () => {
    const before = await stockOf(25);
    await send(serverA, "POST", "/api/v1/products/25/stock-adjustments", { delta: 1 }, null);
    await send(serverB, "POST", "/api/v1/products/25/stock-adjustments", { delta: 1 }, null);
    assert.equal(await stockOf(25), before + 2);
  });
});
