// What a hostile test of a fresh clone broke, each over real HTTP against real
// servers: open redirects, sign-in throttling that holds, 4xx instead of 500 (odd text, TRACE,
// a database outage), prefetches with the page policy, abuse limits, and the smaller items.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { freePort, temporaryDataDir } from "../scripts/embedded-postgres";
import { apiClient, signIn, withCookie } from "./support/api";
import { HOSTILE_RETURN_PATHS } from "./support/return-paths";
import { eventually } from "./support/eventually";
import { rawRequest, type RawResponse } from "./support/raw-http";
import { openFeed } from "./support/sse";
import { startStack, type Server, type Stack } from "../scripts/stack";

let stack: Stack;
let server: Server; // npm start's server, no proxy in front
let proxied: Server; // the same behind one trusted proxy
let routeHandler: Server; // plain next start

before(async () => {
  stack = await startStack();
  [server, proxied, routeHandler] = await Promise.all([
    stack.startServer(),
    stack.startServer({ env: { TRUSTED_PROXY_COUNT: "1" } }),
    stack.startServer({ transport: "route-handler" }),
  ]);
});
after(() => stack?.stop());

const FEED = "/api/v1/stream/product-updates";
// A stack trace in the output: printed (Next's own lines), or inside a JSON log line ("\n    at").
const STACK_TRACE = /(\n|\\n)\s+at /;
const header = (response: RawResponse, name: string) => response.headers.find(([key]) => key === name)?.[1];

const fingerprint = async () => ({
  products: await stack.db.product.findMany({ orderBy: { id: "asc" } }),
  events: await stack.db.productEvent.count(),
});

/** A sign-in attempt as a browser would send it, with extra headers (X-Forwarded-For, Cookie). */
async function attempt(target: Server, email: string, password: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${target.baseUrl}/api/v1/session`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: target.baseUrl, ...headers },
    body: JSON.stringify({ email, password }),
  });
  const body = await response.json();
  return { status: response.status, code: body.error?.code as string | undefined, headers: response.headers };
}

describe("1. sign-in's way back stays on this site", () => {
  test("a signed-in user is sent only to paths of ours; odd `next` values fall back, never 500", async () => {
    const { cookie } = await signIn(server.baseUrl, stack.admin.email, stack.admin.password);
    for (const next of [
      "/%5Cevil.example",
      "/%09/evil.example",
      "%2F%2Fevil.example",
      "https://evil.example/",
      "/%0A/x",
      "/admin&next=//evil.example",
    ]) {
      const response = await withCookie(server.baseUrl, cookie, "GET", `/sign-in?next=${next}`);
      assert.ok([303, 307].includes(response.status), `${next}: ${response.status}`);
      const location = new URL(response.headers.get("location")!, server.baseUrl);
      assert.equal(location.origin, server.baseUrl, `${next} -> ${location}`);
      assert.equal(location.pathname, "/admin", `${next} -> ${location}`);
    }
    const local = await withCookie(
      server.baseUrl,
      cookie,
      "GET",
      `/sign-in?next=${encodeURIComponent("/products/3?x=1")}`,
    );
    assert.equal(local.headers.get("location"), "/products/3?x=1");
  });

  test("a `next` that normalises to another site (dot segments, encoded, backslashes) sends a signed-in user to /admin", async () => {
    const { cookie } = await signIn(server.baseUrl, stack.admin.email, stack.admin.password);
    const failures: string[] = [];
    for (const next of HOSTILE_RETURN_PATHS) {
      const response = await withCookie(server.baseUrl, cookie, "GET", `/sign-in?next=${encodeURIComponent(next)}`);
      const location = response.headers.get("location") ?? "";
      if (response.status !== 307 || location !== "/admin")
        failures.push(`${JSON.stringify(next)}: ${response.status} ${location}`);
    }
    assert.deepEqual(failures, []);
  });
});

describe("2. sign-in throttling that holds", () => {
  test("the address is the socket's, not a client-sent X-Forwarded-For; past trusted proxies, the rightmost untrusted entry", async () => {
    await stack.db.signInFailure.deleteMany();
    await attempt(server, "who-1@stockpulse.test", "wrong-password", { "x-forwarded-for": "203.0.113.9" });
    await attempt(proxied, "who-2@stockpulse.test", "wrong-password", {
      "x-forwarded-for": "198.51.100.1, 203.0.113.7",
    });
    const failures = await stack.db.signInFailure.findMany({ orderBy: { id: "asc" } });
    assert.deepEqual(
      failures.map(({ email, address }) => [email, address]),
      [
        ["who-1@stockpulse.test", "127.0.0.1"],
        ["who-2@stockpulse.test", "203.0.113.7"],
      ],
    );
  });

  test("a new X-Forwarded-For value per attempt does not reset the per-address limit", async () => {
    await stack.db.signInFailure.deleteMany();
    for (let i = 0; i < 20; i++) {
      const result = await attempt(server, `rotating-${i}@stockpulse.test`, "wrong-password", {
        "x-forwarded-for": `198.51.100.${i}`,
      });
      assert.equal(result.status, 401);
    }
    const blocked = await attempt(server, "rotating-x@stockpulse.test", "wrong-password", {
      "x-forwarded-for": "198.51.100.200",
    });
    assert.equal(blocked.status, 429);
    assert.equal(blocked.code, "TOO_MANY_ATTEMPTS");
    await stack.db.signInFailure.deleteMany();
  });

  test("a flood of sign-ins is refused early (429 SIGN_IN_BUSY) rather than queued; staff get in after", async () => {
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        attempt(proxied, `flood-${i}@stockpulse.test`, "wrong-password", { "x-forwarded-for": `192.0.2.${i}` }),
      ),
    );
    const busy = results.filter((result) => result.status === 429);
    assert.ok(busy.length > 0, "some attempts past the bound are refused");
    for (const result of busy) {
      assert.equal(result.code, "SIGN_IN_BUSY");
      assert.equal(result.headers.get("retry-after"), "1");
    }
    assert.ok(results.every((result) => result.status === 401 || result.code === "SIGN_IN_BUSY"));
    assert.equal((await attempt(proxied, stack.admin.email, stack.admin.password)).status, 200);
    await stack.db.signInFailure.deleteMany();
  });

  test("failures for an admin's email lock out other browsers, not one that has signed in as that admin before", async () => {
    const password = await stack.addUser("boss@stockpulse.test", "admin");
    const first = await signIn(proxied.baseUrl, "boss@stockpulse.test", password);
    assert.equal(first.status, 200);
    const device = /(stockpulse_device=[^;]+)/.exec(first.setCookie)?.[1];
    assert.ok(device, `a device cookie in ${first.setCookie}`);
    assert.match(first.setCookie, /stockpulse_device=[^;]+;.*HttpOnly/i);
    for (let i = 0; i < 5; i++) {
      const wrong = await attempt(proxied, "boss@stockpulse.test", `guess-${i}`, { "x-forwarded-for": `192.0.2.${i}` });
      assert.equal(wrong.status, 401);
    }
    const elsewhere = await attempt(proxied, "boss@stockpulse.test", password, { "x-forwarded-for": "192.0.2.99" });
    assert.equal(elsewhere.status, 429);
    const known = await attempt(proxied, "boss@stockpulse.test", password, {
      "x-forwarded-for": "192.0.2.99",
      cookie: device,
    });
    assert.equal(known.status, 200);
    // The cookie vouches for its own account only.
    const other = await attempt(proxied, "rotating-x@stockpulse.test", "wrong", { cookie: device });
    assert.equal(other.status, 401);
    await stack.db.signInFailure.deleteMany();
  });
});

describe("4. 4xx, not 500", () => {
  test("NUL bytes, lone surrogates and bidirectional controls in names and reasons are a 400 naming the field", async () => {
    const api = apiClient(server.baseUrl, stack.adminToken);
    const before = await fingerprint();
    for (const [text, mentions] of [
      ["a\\u0000b", /NUL/],
      ["a\\ud800b", /lone surrogate/],
      ["Invoice \\u202Etxt.exe", /bidirectional/],
    ] as const) {
      const cases = [
        await api.call("PATCH", "/api/v1/products/1", `{"name": "${text}"}`),
        await api.call("POST", "/api/v1/products", `{"sku": "ODD-1", "name": "${text}", "priceCents": 1, "stock": 1}`),
        await api.call("POST", "/api/v1/products/1/stock-adjustments", `{"delta": 1, "reason": "${text}"}`),
      ];
      for (const response of cases) {
        assert.equal(response.status, 400, JSON.stringify(response.body));
        assert.equal(response.body.error.code, "VALIDATION_FAILED");
        assert.match(response.body.error.message, mentions);
        assert.match(response.body.error.message, /^(name|reason):/);
      }
    }
    assert.deepEqual(await fingerprint(), before);
  });

  test("TRACE is a 405 in the error shape on every route of the production server", async () => {
    for (const path of ["/", "/admin", "/api/v1/products", FEED, "/api/v1/products/1/stock-adjustments"]) {
      // (TRACK and CONNECT never reach a handler: Node's parser refuses TRACK, CONNECT is an upgrade.)
      for (const method of ["TRACE"]) {
        const response = await rawRequest(server.port, { method, path, headers: { cookie: "secret=1" } });
        assert.equal(response.status, 405, `${method} ${path}`);
        assert.equal(header(response, "allow"), "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
        assert.deepEqual(JSON.parse(response.body()), {
          error: {
            code: "METHOD_NOT_ALLOWED",
            message: `${method} is not supported by this server`,
            requestId: header(response, "x-request-id"),
          },
        });
      }
    }
    assert.doesNotMatch(server.output(), STACK_TRACE);
  });
});

describe("7. smaller items", () => {
  test("product ids are decimal digits only: 0x4, 1e1, +1, 1.0 are a 400 and change nothing", async () => {
    const api = apiClient(server.baseUrl, stack.adminToken);
    const before = await fingerprint();
    for (const id of ["0x4", "1e1", "%2B1", "1.0", "04", "%204"]) {
      for (const response of [
        await api.call("PATCH", `/api/v1/products/${id}`, { stock: 77 }),
        await api.call("POST", `/api/v1/products/${id}/stock-adjustments`, { delta: 1 }),
        await api.call("GET", `/api/v1/products/${id}`),
      ]) {
        assert.equal(response.status, 400, `${id}: ${JSON.stringify(response.body)}`);
        assert.match(response.body.error.message, /product id must be a positive whole number/);
      }
    }
    assert.deepEqual(await fingerprint(), before);
  });

  test("a body declared in a charset other than UTF-8 is a 415 naming it", async () => {
    const api = apiClient(server.baseUrl, stack.adminToken);
    const before = await fingerprint();
    for (const charset of ["iso-8859-1", "utf-16"]) {
      const response = await api.call(
        "PATCH",
        "/api/v1/products/1",
        { name: "Caf\u00e9" },
        {
          "content-type": `application/json; charset=${charset}`,
        },
      );
      assert.equal(response.status, 415);
      assert.match(response.body.error.message, new RegExp(`charset must be utf-8, not ${charset}`));
    }
    assert.deepEqual(await fingerprint(), before);
    const utf8 = await api.call(
      "PATCH",
      "/api/v1/products/1",
      { name: "Caf\u00e9" },
      {
        "content-type": "application/json; charset=UTF-8",
      },
    );
    assert.equal(utf8.status, 200);
  });

  test("a PATCH that changes nothing keeps the version and emits no event", async () => {
    const api = apiClient(server.baseUrl, stack.adminToken);
    const current = await stack.db.product.findUniqueOrThrow({ where: { id: 2 } });
    const events = await stack.db.productEvent.count();
    const same = await api.patch(2, { stock: current.stock, name: current.name, expectedVersion: current.version });
    assert.equal(same.status, 200);
    assert.equal(same.body.version, current.version);
    assert.equal(await stack.db.productEvent.count(), events);
    const stale = await api.patch(2, { stock: current.stock, expectedVersion: current.version - 1 || 99 });
    assert.equal(stale.status, 409);
    const changed = await api.patch(2, { stock: current.stock + 1 });
    assert.equal(changed.body.version, current.version + 1);
    assert.equal(await stack.db.productEvent.count(), events + 1);
  });

  test("GET /api/v1/session is never cached", async () => {
    const anonymous = await fetch(`${server.baseUrl}/api/v1/session`);
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.headers.get("cache-control"), "no-store");
    const { cookie } = await signIn(server.baseUrl, stack.admin.email, stack.admin.password);
    const signedIn = await withCookie(server.baseUrl, cookie, "GET", "/api/v1/session");
    assert.equal(signedIn.status, 200);
    assert.equal(signedIn.headers.get("cache-control"), "no-store");
  });

  test("CSRF: a forged X-Forwarded-Host is not trusted without a proxy; with PUBLIC_ORIGIN the scheme counts", async () => {
    const { cookie } = await signIn(server.baseUrl, stack.admin.email, stack.admin.password);
    const before = await fingerprint();
    const forged = await withCookie(
      server.baseUrl,
      cookie,
      "PATCH",
      "/api/v1/products/1",
      { stock: 3 },
      {
        origin: "https://evil.example",
        "x-forwarded-host": "evil.example",
      },
    );
    assert.equal(forged.status, 403);
    assert.equal(forged.body?.error?.code, "CROSS_ORIGIN");

    const port = await freePort();
    const pinned = await stack.startServer({ port, env: { PUBLIC_ORIGIN: `http://127.0.0.1:${port}` } });
    const session = await signIn(pinned.baseUrl, stack.admin.email, stack.admin.password);
    const wrongScheme = await withCookie(
      pinned.baseUrl,
      session.cookie,
      "PATCH",
      "/api/v1/products/1",
      { stock: 3 },
      {
        origin: `https://127.0.0.1:${port}`,
      },
    );
    assert.equal(wrongScheme.status, 403);
    assert.deepEqual(await fingerprint(), before);
    const right = await withCookie(pinned.baseUrl, session.cookie, "PATCH", "/api/v1/products/1", { stock: 3 });
    assert.equal(right.status, 200);
    await pinned.stop();
  });
});

describe("5. prefetches", () => {
  test("a prefetch gets the page policy, and a client-sent x-pathname is not trusted", async () => {
    const prefetches: Array<Record<string, string>> = [
      { purpose: "prefetch" },
      { "next-router-prefetch": "1" },
      { "sec-purpose": "prefetch" },
    ];
    for (const headers of prefetches) {
      const response = await fetch(`${server.baseUrl}/`, { headers });
      assert.match(
        response.headers.get("content-security-policy") ?? "",
        /script-src 'self' 'nonce-/,
        JSON.stringify(headers),
      );
    }
    const sent = await fetch(`${server.baseUrl}/admin`, {
      redirect: "manual",
      headers: { purpose: "prefetch", "x-pathname": "//evil.example" },
    });
    assert.equal(sent.headers.get("location"), "/sign-in?next=%2Fadmin");
  });
});

describe("6. abuse limits", () => {
  test("open streams per address: past the limit 429 TOO_MANY_STREAMS with Retry-After, the same on both transports; a closed stream frees its slot", async () => {
    const env = { FEED_MAX_STREAMS_PER_ADDRESS: "3" };
    const [node, route] = await Promise.all([
      stack.startServer({ env }),
      stack.startServer({ env, transport: "route-handler" }),
    ]);
    const answers = [];
    for (const target of [node, route]) {
      const open = await Promise.all([1, 2, 3].map(() => openFeed(`${target.baseUrl}${FEED}`)));
      open.forEach((reader) => assert.equal(reader.status, 200));
      const refused = await rawRequest(target.port, { path: FEED }, () => true);
      refused.close();
      const again = await rawRequest(target.port, { path: FEED });
      // The same but for the request's own id, which each sends in the header and the body alike.
      const { requestId, ...error } = JSON.parse(again.body()).error;
      assert.equal(requestId, header(again, "x-request-id"));
      answers.push({
        status: again.status,
        headers: again.headers.filter(([name]) => !["date", "connection", "keep-alive", "x-request-id"].includes(name)),
        body: JSON.stringify({ error }),
      });
      assert.equal(refused.status, 429);
      open[0].close();
      await open[0].closed;
      const freed = await (async () => {
        for (let attempt = 0; attempt < 50; attempt++) {
          const reader = await openFeed(`${target.baseUrl}${FEED}`);
          if (reader.status === 200) return reader;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        assert.fail("the closed stream's slot came back");
      })();
      freed.close();
      open.slice(1).forEach((reader) => reader.close());
    }
    assert.equal(answers[0].status, 429);
    assert.equal(JSON.parse(answers[0].body).error.code, "TOO_MANY_STREAMS");
    assert.ok(answers[0].headers.some(([name, value]) => name === "retry-after" && Number(value) > 0));
    const sorted = (list: Array<[string, string]>) => [...list].sort(([a], [b]) => a.localeCompare(b));
    assert.deepEqual(sorted(answers[0].headers), sorted(answers[1].headers));
    assert.equal(answers[0].body, answers[1].body);
    await Promise.all([node.stop(), route.stop()]);
  });

  test("requests per token and per address: past the limit 429 RATE_LIMITED with Retry-After, on both transports", async () => {
    const env = { RATE_LIMIT_PER_TOKEN_PER_MINUTE: "5", RATE_LIMIT_PER_ADDRESS_PER_MINUTE: "4" };
    const [node, route] = await Promise.all([
      stack.startServer({ env }),
      stack.startServer({ env, transport: "route-handler" }),
    ]);
    for (const target of [node, route]) {
      const api = apiClient(target.baseUrl, stack.adminToken);
      const writes = [];
      for (let i = 0; i < 6; i++) writes.push(await api.adjust(3, { delta: 1 }));
      assert.deepEqual(
        writes.map((write) => write.status),
        [200, 200, 200, 200, 200, 429],
        target.transport,
      );
      assert.equal(writes[5].body.error.code, "RATE_LIMITED");
      assert.match(writes[5].body.error.message, /API token default/);
      // Anonymous reads count per address, apart from the token's writes.
      const reads = [];
      for (let i = 0; i < 5; i++) reads.push(await fetch(`${target.baseUrl}/api/v1/products/3`));
      assert.deepEqual(
        reads.map((read) => read.status),
        [200, 200, 200, 200, 429],
      );
      assert.ok(Number(reads[4].headers.get("retry-after")) > 0);
    }
    await Promise.all([node.stop(), route.stop()]);
  });
});

describe("4. a database outage", () => {
  test("reads and writes get 503 DATABASE_UNAVAILABLE with Retry-After, and the log one line per kind, no stack", async () => {
    const api = apiClient(server.baseUrl, stack.adminToken);
    const routeApi = apiClient(routeHandler.baseUrl, stack.adminToken);
    const logged = [server.output().length, routeHandler.output().length];
    await stack.withDatabaseDown(async () => {
      for (const client of [api, routeApi]) {
        for (let round = 0; round < 3; round++) {
          for (const response of [
            await client.products(),
            await client.call("GET", "/api/v1/products/1"),
            await client.patch(1, { stock: 5 }),
            await client.adjust(1, { delta: 1 }),
          ]) {
            assert.equal(response.status, 503, JSON.stringify(response.body));
            assert.equal(response.body.error.code, "DATABASE_UNAVAILABLE");
          }
        }
        const raw = await fetch(`${server.baseUrl}/api/v1/products`);
        assert.equal(raw.headers.get("retry-after"), "5");
      }
    });
    for (const [index, target] of [server, routeHandler].entries()) {
      const output = target.output().slice(logged[index]);
      assert.doesNotMatch(output, STACK_TRACE, `no stack traces:\n${output}`);
      const kinds = [...output.matchAll(/database unavailable \(([^)]+)\)/g)].map((match) => match[1]);
      assert.ok(kinds.length >= 1, output);
      assert.equal(new Set(kinds).size, kinds.length, `one line per kind:\n${output}`);
    }
  });
});

describe("3. no secrets in the log (npm start with the embedded database)", () => {
  /** Runs `npm start`'s script in its own data directory until it serves; returns its log and files. */
  async function npmStart(env: Record<string, string>, check: (baseUrl: string, dataDir: string) => Promise<void>) {
    const dataDir = temporaryDataDir("stockpulse-start-");
    const port = await freePort();
    const childEnv: NodeJS.ProcessEnv = { ...process.env, STOCKPULSE_DATA_DIR: dataDir, PORT: String(port), ...env };
    for (const name of ["DATABASE_URL", "NODE_ENV", "ADMIN_API_TOKEN", "ADMIN_API_TOKENS", "ADMIN_EMAIL"]) {
      if (!(name in env)) delete childEnv[name];
    }
    if (!("ADMIN_PASSWORD" in env)) delete childEnv.ADMIN_PASSWORD;
    const child = spawn(
      process.execPath,
      ["--import", "tsx", path.join(import.meta.dirname, "..", "scripts", "start.ts")],
      {
        env: childEnv,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let log = "";
    child.stdout!.on("data", (chunk) => (log += chunk));
    child.stderr!.on("data", (chunk) => (log += chunk));
    const exited = new Promise((resolve) => child.on("exit", resolve));
    const baseUrl = `http://127.0.0.1:${port}`;
    try {
      await eventually(
        async () =>
          child.exitCode === null &&
          (await fetch(`${baseUrl}/api/health`)
            .then((r) => r.ok)
            .catch(() => false)),
        `npm start to serve:\n${log}`,
        1200,
      );
      await check(baseUrl, dataDir);
    } finally {
      child.kill("SIGTERM");
      await exited;
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
    return log;
  }

  test("operator-supplied credentials are never printed, and only the configured tokens are accepted", async () => {
    const password = "operator-chose-this-one";
    const posToken = randomBytes(24).toString("base64url");
    const log = await npmStart(
      { ADMIN_PASSWORD: password, ADMIN_API_TOKENS: `pos:${posToken}` },
      async (baseUrl, dataDir) => {
        assert.equal(fs.existsSync(path.join(dataDir, "admin-token")), false, "no demo token next to configured ones");
        assert.equal(fs.existsSync(path.join(dataDir, "admin-password")), false);
        assert.equal((await apiClient(baseUrl, posToken).adjust(1, { delta: 1 })).status, 200);
        assert.equal((await signIn(baseUrl, "admin@stockpulse.local", password)).status, 200);
      },
    );
    assert.ok(!log.includes(password), log);
    assert.ok(!log.includes(posToken), log);
    assert.doesNotMatch(log, /admin-password|admin-token/);
  });

  test("generated demo credentials are printed once, with where they are kept, and work", async () => {
    const log = await npmStart({}, async (baseUrl, dataDir) => {
      const password = fs.readFileSync(path.join(dataDir, "admin-password"), "utf8").trim();
      const token = fs.readFileSync(path.join(dataDir, "admin-token"), "utf8").trim();
      assert.equal((await signIn(baseUrl, "admin@stockpulse.local", password)).status, 200);
      assert.equal((await apiClient(baseUrl, token).adjust(1, { delta: 1 })).status, 200);
    });
    assert.match(log, /demo API token generated: \S+ \(kept in .*admin-token\)/);
    assert.match(log, /demo admin password for admin@stockpulse.local generated: \S+ \(kept in .*admin-password\)/);
  });
});
