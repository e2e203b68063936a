// Who may change what, over real HTTP: API tokens, sessions in PostgreSQL, roles, CSRF,
// throttling of failed sign-ins, and the security headers (issue: admin that staff can trust).
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { apiClient, signIn, withCookie } from "./support/api";
import { startStack, type Server, type Stack } from "../scripts/stack";

let stack: Stack;
let server: Server;
const posToken = randomBytes(24).toString("base64url");
const warehouseToken = randomBytes(24).toString("base64url");

before(async () => {
  stack = await startStack();
  server = await stack.startServer({
    env: { ADMIN_API_TOKENS: `pos:${posToken},warehouse:${warehouseToken}` },
  });
});
after(() => stack?.stop());

const lastEvent = async (productId: number) =>
  stack.db.productEvent.findFirstOrThrow({ where: { productId }, orderBy: { id: "desc" } });

const WRITES = [
  { method: "POST", path: "/api/v1/products", body: { sku: "AUTH-1", name: "x", priceCents: 1, stock: 1 } },
  { method: "PATCH", path: "/api/v1/products/1", body: { stock: 1 } },
  { method: "POST", path: "/api/v1/products/1/stock-adjustments", body: { delta: 1 } },
];

const fingerprint = async () => ({
  products: await stack.db.product.findMany({ orderBy: { id: "asc" } }),
  events: await stack.db.productEvent.count(),
});

describe("API tokens", () => {
  test("every write without credentials is 401 and changes nothing", async () => {
    const before = await fingerprint();
    for (const { method, path, body } of WRITES) {
      const response = await fetch(`${server.baseUrl}${path}`, {
        method,
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      assert.equal(response.status, 401, `${method} ${path}`);
      assert.equal((await response.json()).error.code, "UNAUTHENTICATED");
    }
    assert.deepEqual(await fingerprint(), before);
  });

  test("a wrong or malformed bearer token is 401", async () => {
    assert.equal((await apiClient(server.baseUrl, "y".repeat(32)).patch(1, { stock: 1 })).status, 401);
    assert.equal((await apiClient(server.baseUrl, posToken.slice(0, -1)).patch(1, { stock: 1 })).status, 401);
    const basic = await apiClient(server.baseUrl, "").call(
      "PATCH",
      "/api/v1/products/1",
      { stock: 1 },
      {
        authorization: `Basic ${Buffer.from(`x:${posToken}`).toString("base64")}`,
      },
    );
    assert.equal(basic.status, 401);
  });

  test("each named token works, and the audit trail names it", async () => {
    assert.equal((await apiClient(server.baseUrl, posToken).adjust(4, { delta: -1, reason: "sale" })).status, 200);
    assert.equal((await lastEvent(4)).actor, "api:pos");
    assert.equal((await apiClient(server.baseUrl, warehouseToken).adjust(4, { delta: 5 })).status, 200);
    assert.equal((await lastEvent(4)).actor, "api:warehouse");
    assert.equal((await apiClient(server.baseUrl, stack.adminToken).adjust(4, { delta: 1 })).status, 200);
    assert.equal((await lastEvent(4)).actor, "api:default");
  });
});

describe("browser sessions", () => {
  test("signing in sets an HttpOnly, SameSite=Lax session cookie; writes record the user and reason", async () => {
    const session = await signIn(server.baseUrl, stack.admin.email, stack.admin.password);
    assert.equal(session.status, 200);
    assert.deepEqual(session.body.user, { email: stack.admin.email, role: "admin" });
    assert.match(session.setCookie, /HttpOnly/i);
    assert.match(session.setCookie, /SameSite=lax/i);
    assert.match(session.setCookie, /Path=\//);
    const response = await withCookie(server.baseUrl, session.cookie, "POST", "/api/v1/products/5/stock-adjustments", {
      delta: 3,
      reason: "restock from supplier",
    });
    assert.equal(response.status, 200, response.text);
    const event = await lastEvent(5);
    assert.equal(event.actor, stack.admin.email);
    assert.equal(event.reason, "restock from supplier");
    // The audit trail's who and why are for staff (and tokens): read it with the session.
    const history = (await withCookie(server.baseUrl, session.cookie, "GET", "/api/v1/products/5/events?limit=1"))
      .body as unknown as { events: Array<{ actor: string; reason: string }> };
    assert.equal(history.events[0].actor, stack.admin.email);
    assert.equal(history.events[0].reason, "restock from supplier");
  });

  test("the session is stored as a hash, not as the cookie's token", async () => {
    const session = await signIn(server.baseUrl, stack.admin.email, stack.admin.password);
    const token = session.cookie.split("=")[1];
    assert.equal(await stack.db.session.count({ where: { id: token } }), 0);
    assert.ok((await stack.db.session.count()) > 0);
  });

  test("a viewer may sign in but gets 403 on every write and on the admin pages", async () => {
    const password = await stack.addUser("viewer@stockpulse.test", "viewer");
    const session = await signIn(server.baseUrl, "viewer@stockpulse.test", password);
    assert.equal(session.status, 200);
    const before = await fingerprint();
    for (const { method, path, body } of WRITES) {
      const response = await withCookie(server.baseUrl, session.cookie, method, path, body);
      assert.equal(response.status, 403, `${method} ${path}`);
      assert.equal(response.body?.error?.code, "FORBIDDEN");
    }
    assert.deepEqual(await fingerprint(), before);
    const page = await withCookie(server.baseUrl, session.cookie, "GET", "/admin/products/1");
    assert.equal(page.status, 403);
    assert.match(page.text, /Admins only/);
  });

  test("the admin pages send a visitor who is not signed in to the sign-in page", async () => {
    const response = await fetch(`${server.baseUrl}/admin/products/3`, { redirect: "manual" });
    assert.ok([303, 307].includes(response.status), String(response.status));
    assert.equal(response.headers.get("location"), "/sign-in?next=%2Fadmin%2Fproducts%2F3");
  });

  test("a cross-origin write with the admin's cookie is refused (CSRF), also as a form post", async () => {
    const { cookie } = await signIn(server.baseUrl, stack.admin.email, stack.admin.password);
    const before = await fingerprint();
    const foreign = await withCookie(
      server.baseUrl,
      cookie,
      "PATCH",
      "/api/v1/products/1",
      { stock: 0 },
      {
        origin: "https://evil.example",
      },
    );
    assert.equal(foreign.status, 403);
    assert.equal(foreign.body?.error?.code, "CROSS_ORIGIN");
    const form = await withCookie(server.baseUrl, cookie, "POST", "/api/v1/products/1/stock-adjustments", "delta=-5", {
      origin: "https://evil.example",
      "content-type": "application/x-www-form-urlencoded",
    });
    assert.equal(form.status, 403);
    const noOrigin = await withCookie(
      server.baseUrl,
      cookie,
      "PATCH",
      "/api/v1/products/1",
      { stock: 0 },
      { origin: "" },
    );
    assert.equal(noOrigin.status, 403);
    const lookalike = await withCookie(
      server.baseUrl,
      cookie,
      "PATCH",
      "/api/v1/products/1",
      { stock: 0 },
      {
        origin: `${server.baseUrl}.evil.example`,
      },
    );
    assert.equal(lookalike.status, 403);
    assert.deepEqual(await fingerprint(), before);
  });

  test("signing in from another origin is refused (login CSRF)", async () => {
    const response = await fetch(`${server.baseUrl}/api/v1/session`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: "https://evil.example" },
      body: JSON.stringify({ email: stack.admin.email, password: stack.admin.password }),
    });
    assert.equal(response.status, 403);
    assert.equal(response.headers.get("set-cookie"), null);
  });

  test("after sign-out the old cookie is refused: the session is revoked on the server", async () => {
    const { cookie } = await signIn(server.baseUrl, stack.admin.email, stack.admin.password);
    assert.equal((await withCookie(server.baseUrl, cookie, "GET", "/api/v1/session")).status, 200);
    const out = await withCookie(server.baseUrl, cookie, "DELETE", "/api/v1/session");
    assert.equal(out.status, 204);
    assert.match(out.headers.get("set-cookie") ?? "", /stockpulse_session=;/);
    assert.equal((await withCookie(server.baseUrl, cookie, "GET", "/api/v1/session")).status, 401);
    const write = await withCookie(server.baseUrl, cookie, "PATCH", "/api/v1/products/1", { stock: 9 });
    assert.equal(write.status, 401);
  });

  test("a session revoked by an admin, or past its expiry, is refused", async () => {
    const revoked = await signIn(server.baseUrl, stack.admin.email, stack.admin.password);
    const expired = await signIn(server.baseUrl, stack.admin.email, stack.admin.password);
    const id = (cookie: string) => {
      const token = cookie.split("=")[1];
      return stack.db.$queryRaw<Array<{ id: string }>>`SELECT encode(sha256(${token}::bytea), 'hex') AS id`;
    };
    const [{ id: revokedId }] = await id(revoked.cookie);
    const [{ id: expiredId }] = await id(expired.cookie);
    await stack.db.session.update({ where: { id: revokedId }, data: { revokedAt: new Date() } });
    await stack.db.session.update({ where: { id: expiredId }, data: { expiresAt: new Date(Date.now() - 1000) } });
    for (const cookie of [revoked.cookie, expired.cookie]) {
      assert.equal((await withCookie(server.baseUrl, cookie, "PATCH", "/api/v1/products/1", { stock: 9 })).status, 401);
    }
  });

  test("wrong passwords are 401 without saying which part was wrong; the 6th try is throttled", async () => {
    const password = await stack.addUser("throttled@stockpulse.test", "admin");
    const unknown = await signIn(server.baseUrl, "nobody@stockpulse.test", "whatever-it-is");
    assert.equal(unknown.status, 401);
    for (let attempt = 0; attempt < 5; attempt++) {
      const wrong = await signIn(server.baseUrl, "throttled@stockpulse.test", `wrong-${attempt}`);
      assert.equal(wrong.status, 401);
      assert.equal(wrong.body.error.message, unknown.body.error.message);
    }
    const blocked = await signIn(server.baseUrl, "throttled@stockpulse.test", password);
    assert.equal(blocked.status, 429);
    assert.equal(blocked.body.error.code, "TOO_MANY_ATTEMPTS");
    assert.ok(Number(blocked.headers.get("retry-after")) > 0);
    assert.equal(blocked.cookie, "");
    // Others are not locked out by it.
    assert.equal((await signIn(server.baseUrl, stack.admin.email, stack.admin.password)).status, 200);
    // Once the failures leave the window, the right password works again.
    await stack.db.signInFailure.updateMany({ data: { createdAt: new Date(Date.now() - 16 * 60_000) } });
    assert.equal((await signIn(server.baseUrl, "throttled@stockpulse.test", password)).status, 200);
  });
});

describe("hardening", () => {
  test("pages carry a nonce-based CSP and the other security headers; API responses a strict CSP", async () => {
    const page = await fetch(`${server.baseUrl}/`);
    const csp = page.headers.get("content-security-policy") ?? "";
    assert.match(csp, /script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /unsafe-eval/);
    const nonce = /'nonce-([^']+)'/.exec(csp)![1];
    assert.match(await page.text(), new RegExp(`<script[^>]* nonce="${nonce.replace(/[+/=]/g, "\\$&")}"`));
    const api = await fetch(`${server.baseUrl}/api/v1/products/1`);
    assert.equal(api.headers.get("content-security-policy"), "default-src 'none'; frame-ancestors 'none'");
    for (const response of [page, api]) {
      assert.equal(response.headers.get("x-content-type-options"), "nosniff");
      assert.equal(response.headers.get("referrer-policy"), "strict-origin-when-cross-origin");
      assert.equal(response.headers.get("x-frame-options"), "DENY");
      assert.equal(response.headers.get("x-powered-by"), null);
    }
  });

  test("an unknown API path is a 404 in the error shape, not an HTML page", async () => {
    const response = await fetch(`${server.baseUrl}/api/v1/nothing-here`, { method: "POST" });
    assert.equal(response.status, 404);
    assert.deepEqual(await response.json(), {
      error: {
        code: "NOT_FOUND",
        message: "No API endpoint at /api/v1/nothing-here",
        requestId: response.headers.get("x-request-id"),
      },
    });
  });

  test("errors never carry stack traces or SQL", async () => {
    const api = apiClient(server.baseUrl, stack.adminToken);
    for (const response of [
      await api.call("PATCH", "/api/v1/products/1", "{"),
      await api.call("PATCH", "/api/v1/products/1", { sku: "COF-DEC-250" }),
      await api.call("GET", "/api/v1/products/1/events?limit=-1"),
    ]) {
      const text = JSON.stringify(response.body);
      assert.ok(response.status >= 400 && response.status < 500, text);
      assert.doesNotMatch(text, /\n\s+at |SELECT|UPDATE|INSERT|prisma|node_modules/i);
    }
  });
});
