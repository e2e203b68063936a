// The OpenAPI document (lib/api/openapi.ts) cannot drift from the server: it is a valid OpenAPI
// 3.1 document, it lists every route the servers have, and real answers of every route, each
// documented status that can be provoked here, match the documented schema.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { Validator } from "@seriousme/openapi-schema-validator";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { openApiDocument, type OpenApiDocument } from "../lib/api/openapi";
import { FEED_PATH } from "../lib/events/transport-node";
import { stockAdjustmentTarget } from "../lib/products/transport-node";
import type { FeedEvent } from "../lib/events/feed-event";
import type { ProductDto, ProductHistoryEntry, ProductSnapshot } from "../lib/products/dto";
import { MAX_BULK_BODY_BYTES } from "../lib/products/validation";
import { signIn } from "./support/api";
import { startReceiver } from "./support/webhook-receiver";
import { startStack, type Server, type Stack } from "../scripts/stack";

const root = path.join(import.meta.dirname, "..");
const document: OpenApiDocument = openApiDocument();

type Operation = {
  responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }>;
};
const operation = (method: string, template: string) =>
  document.paths[template]?.[method.toLowerCase()] as Operation | undefined;

test("the document is valid OpenAPI 3.1", async () => {
  const result = await new Validator().validate(structuredClone(document) as never);
  assert.deepEqual(result.errors, undefined, JSON.stringify(result.errors, null, 2));
  assert.equal(result.valid, true);
  assert.match(document.openapi, /^3\.1\./);
});

/** Every route handler under app/api as [METHOD, /path/{param}], from the files and their exports. */
function routeHandlers(): Array<[string, string]> {
  const found: Array<[string, string]> = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name === "route.ts") {
        const route = path.relative(path.join(root, "app"), dir).split(path.sep);
        if (route.some((segment) => segment.startsWith("[..."))) continue; // the catch-all 404
        const template = "/" + route.map((segment) => segment.replace(/^\[(\w+)\]$/, "{$1}")).join("/");
        const source = fs.readFileSync(full, "utf8");
        const methods = [
          ...source.matchAll(/export (?:const|async function|function) (GET|HEAD|POST|PUT|PATCH|DELETE)\b/g),
          ...source.matchAll(/\bas (GET|HEAD|POST|PUT|PATCH|DELETE)\b/g),
        ].map((match) => match[1]);
        assert.ok(methods.length > 0, `${full} exports no method`);
        for (const method of methods) found.push([method, template]);
      }
    }
  };
  walk(path.join(root, "app", "api"));
  return found;
}

test("every route handler and every node:http route is in the document", () => {
  const handlers = routeHandlers();
  assert.ok(handlers.length >= 12, `found only ${handlers.length} route handlers`);
  for (const [method, template] of handlers) {
    assert.ok(operation(method, template), `${method} ${template} (a route handler) is not in the document`);
  }
  // scripts/server.ts serves these from node:http (lib/events/transport-node.ts,
  // lib/products/transport-node.ts): the paths they match are documented too.
  assert.ok(operation("GET", FEED_PATH) && operation("HEAD", FEED_PATH), `${FEED_PATH} is not in the document`);
  const adjustments = Object.keys(document.paths).filter(
    (template) =>
      stockAdjustmentTarget({ method: "POST", url: template.replace("{id}", "7") } as never) !== null &&
      operation("POST", template),
  );
  assert.deepEqual(adjustments, ["/api/v1/products/{id}/stock-adjustments"]);
});

// ---- real answers against the documented schemas ----

const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
ajv.addSchema({ $id: "openapi", components: document.components });
const validators = new Map<string, ValidateFunction>();
function validatorFor(schema: Record<string, unknown>): ValidateFunction {
  const key = JSON.stringify(schema);
  let validate = validators.get(key);
  if (!validate) {
    // Refs point into the document (#/components/schemas/X): resolve them against it.
    const rebased = JSON.parse(key.replaceAll('"#/components/', '"openapi#/components/'));
    validate = ajv.compile(rebased);
    validators.set(key, validate);
  }
  return validate;
}

const observed = new Set<string>();

type Probe = { method?: string; headers?: Record<string, string>; body?: unknown; server?: Server };

let stack: Stack;
let server: Server;
let limited: Server;
const readToken = randomBytes(24).toString("base64url");
let viewerCookie = "";
let adminCookie = "";

before(async () => {
  stack = await startStack({ env: { READ_API_TOKENS: `storefront:${readToken}`, SSE_HEARTBEAT_MS: "120000" } });
  [server, limited] = await Promise.all([
    stack.startServer(),
    stack.startServer({ env: { RATE_LIMIT_PER_ADDRESS_PER_MINUTE: "3" }, unset: ["METRICS_TOKEN"] }),
  ]);
  await stack.addUser("viewer@openapi.test", "viewer").then(async (password) => {
    viewerCookie = (await signIn(server.baseUrl, "viewer@openapi.test", password)).cookie;
  });
  adminCookie = (await signIn(server.baseUrl, stack.admin.email, stack.admin.password)).cookie;
});
after(() => stack?.stop());

const admin = () => ({ authorization: `Bearer ${stack.adminToken}` });

/** Frames of an SSE body: each with its event name (or none) and data. */
function sseFrames(text: string) {
  return text
    .split("\n\n")
    .filter((block) => block.trim() !== "")
    .map((block) => {
      const frame: { event?: string; data?: string } = {};
      for (const line of block.split("\n")) {
        if (line.startsWith("event: ")) frame.event = line.slice(7);
        else if (line.startsWith("data: ")) frame.data = line.slice(6);
      }
      return frame;
    });
}

/**
 * Sends a request to `template` (filled as `url`), asserts the answer has `status`, and checks
 * status, content type and body against what the document says of that status.
 */
async function probe<Body = unknown>(
  template: string,
  url: string,
  status: number,
  options: Probe = {},
): Promise<{ response: Response; body: Body }> {
  const answered = await check(template, url, status, options);
  return answered as { response: Response; body: Body };
}

async function check(template: string, url: string, status: number, options: Probe) {
  const method = options.method ?? "GET";
  const documented = operation(method, template);
  assert.ok(documented, `${method} ${template} is not documented`);
  const target = options.server ?? server;
  const abort = new AbortController();
  const response = await fetch(`${target.baseUrl}${url}`, {
    method,
    redirect: "manual",
    signal: abort.signal,
    headers: {
      ...(options.body === undefined ? {} : { "content-type": "application/json", origin: target.baseUrl }),
      ...options.headers,
    },
    body:
      options.body === undefined
        ? undefined
        : typeof options.body === "string"
          ? options.body
          : JSON.stringify(options.body),
  });
  const what = `${method} ${url} -> ${response.status}`;
  const type = response.headers.get("content-type") ?? "";
  let text: string;
  if (method === "HEAD") text = await response.text();
  else if (type.startsWith("text/event-stream")) {
    // A feed: read what arrives within a moment (the replay), then hang up.
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    text = "";
    const stop = setTimeout(() => abort.abort(), 1000);
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        text += value;
      }
    } catch {
      // hung up
    }
    clearTimeout(stop);
  } else text = await response.text();
  assert.equal(response.status, status, `${what}: expected ${status}; body ${text.slice(0, 500)}`);
  const answer = documented.responses[String(status)];
  assert.ok(answer, `${what}: status ${status} is not documented for ${method} ${template}`);
  observed.add(`${method} ${template} ${status}`);
  const [mediaType, media] = Object.entries(answer.content ?? {})[0] ?? [];
  if (!mediaType) {
    assert.equal(text, "", `${what}: documented without a body`);
    return { response, body: null };
  }
  assert.ok(type.startsWith(mediaType), `${what}: content-type ${type}, documented ${mediaType}`);
  if (method === "HEAD") return { response, body: null };
  if (mediaType === "application/json") {
    const body = JSON.parse(text);
    const validate = validatorFor(media!.schema);
    assert.ok(validate(body), `${what}: ${ajv.errorsText(validate.errors)}\n${text.slice(0, 1000)}`);
    return { response, body };
  }
  if (mediaType === "text/event-stream") {
    const frames = sseFrames(text);
    const events = frames.filter((frame) => frame.data !== undefined && frame.event === undefined);
    for (const frame of events) {
      const validate = validatorFor({ $ref: "#/components/schemas/FeedEvent" });
      assert.ok(validate(JSON.parse(frame.data!)), `${what}: ${ajv.errorsText(validate.errors)} in ${frame.data}`);
    }
    for (const frame of frames.filter((candidate) => candidate.event === "status")) {
      const validate = validatorFor({ $ref: "#/components/schemas/FeedStatus" });
      assert.ok(validate(JSON.parse(frame.data!)), `${what}: ${ajv.errorsText(validate.errors)} in ${frame.data}`);
    }
    return { response, body: events.map((frame) => JSON.parse(frame.data!)) };
  }
  return { response, body: text };
}

const TOO_LARGE = JSON.stringify({ name: "x".repeat(20_000) });
// The bulk routes take up to 4 MiB (MAX_BULK_BODY_BYTES): 10,000 items with long skus and reasons.
const TOO_LARGE_FOR_BULK = JSON.stringify({ items: [], reason: "x".repeat(MAX_BULK_BODY_BYTES) });
const bodyProbes = async (template: string, url: string, method: string, tooLarge = TOO_LARGE) => {
  await probe(template, url, 401, { method, body: {} });
  await probe(template, url, 401, { method, body: {}, headers: { authorization: "Bearer not-a-token" } });
  await probe(template, url, 403, { method, body: {}, headers: { authorization: `Bearer ${readToken}` } });
  await probe(template, url, 403, { method, body: {}, headers: { cookie: viewerCookie } });
  await probe(template, url, 403, {
    method,
    body: {},
    headers: { cookie: adminCookie, origin: "https://evil.example" },
  });
  await probe(template, url, 413, { method, body: tooLarge, headers: admin() });
  await probe(template, url, 415, { method, body: "{}", headers: { ...admin(), "content-type": "text/plain" } });
  await probe(template, url, 400, { method, body: "{", headers: admin() });
};

test("products: list, one, create, change, adjust, history", async () => {
  const P = "/api/v1/products";
  const { body: snapshot } = await probe<ProductSnapshot>(P, P, 200);
  assert.ok(snapshot.products.length > 0);
  await probe(P, `${P}?sku=${encodeURIComponent(snapshot.products[0].sku)}`, 200, { headers: admin() });
  await probe(P, `${P}?sku=`, 400);
  await probe(P, P, 200, { headers: { authorization: `Bearer ${readToken}` } });
  await probe(P, P, 401, { headers: { authorization: "Bearer not-a-token" } });

  const sku = `OAS-${randomBytes(4).toString("hex")}`;
  const { body: created } = await probe<ProductDto>(P, P, 201, {
    method: "POST",
    body: { sku, name: "OpenAPI probe", priceCents: 100, stock: 2 },
    headers: admin(),
  });
  await probe(P, P, 409, { method: "POST", body: { sku, name: "again", priceCents: 1, stock: 1 }, headers: admin() });
  await probe(P, P, 400, {
    method: "POST",
    body: { sku, name: "x", priceCents: -1, stock: 1, extra: 1 },
    headers: admin(),
  });
  await bodyProbes(P, P, "POST");

  const ONE = `${P}/{id}`;
  const one = `${P}/${created.id}`;
  await probe(ONE, one, 200);
  await probe(ONE, `${P}/0x4`, 400);
  await probe(ONE, `${P}/99999999`, 404);
  await probe(ONE, one, 401, { headers: { authorization: "Bearer not-a-token" } });
  await probe(ONE, one, 200, { method: "PATCH", body: { priceCents: 150, expectedVersion: 1 }, headers: admin() });
  await probe(ONE, one, 200, { method: "PATCH", body: { priceCents: 160 }, headers: { cookie: adminCookie } });
  await probe(ONE, one, 409, { method: "PATCH", body: { stock: 9, expectedVersion: 1 }, headers: admin() });
  const count = { stock: 5, expectedStock: 2, reason: "correction" };
  await probe(ONE, one, 200, { method: "PATCH", body: count, headers: admin() });
  await probe(ONE, one, 409, { method: "PATCH", body: count, headers: admin() });
  await probe(ONE, one, 400, { method: "PATCH", body: { priceCents: 1, expectedStock: 5 }, headers: admin() });
  await probe(ONE, one, 400, { method: "PATCH", body: {}, headers: admin() });
  await probe(ONE, `${P}/99999999`, 404, { method: "PATCH", body: { stock: 1 }, headers: admin() });
  await bodyProbes(ONE, one, "PATCH");

  const ADJUST = `${P}/{id}/stock-adjustments`;
  const adjust = `${one}/stock-adjustments`;
  await probe(ADJUST, adjust, 200, { method: "POST", body: { delta: -1, reason: "sale" }, headers: admin() });
  await probe(ADJUST, adjust, 409, { method: "POST", body: { delta: -100 }, headers: admin() });
  await probe(ADJUST, adjust, 400, { method: "POST", body: { delta: 0 }, headers: admin() });
  await probe(ADJUST, `${P}/99999999/stock-adjustments`, 404, { method: "POST", body: { delta: 1 }, headers: admin() });
  await bodyProbes(ADJUST, adjust, "POST");

  const EVENTS = `${P}/{id}/events`;
  const { body: anonymous } = await probe<{ events: ProductHistoryEntry[] }>(EVENTS, `${one}/events`, 200);
  assert.ok(anonymous.events.every((entry: object) => !("actor" in entry) && !("reason" in entry)));
  const { body: audited } = await probe<{ events: ProductHistoryEntry[] }>(EVENTS, `${one}/events?limit=10`, 200, {
    headers: admin(),
  });
  assert.ok(audited.events.every((entry: object) => "actor" in entry && "reason" in entry));
  await probe(EVENTS, `${one}/events?limit=0`, 400);
  await probe(EVENTS, `${P}/99999999/events`, 404);
  await probe(EVENTS, `${one}/events`, 401, { headers: { authorization: "Bearer not-a-token" } });
});

test("archive and restore, the archived list, writes to an archived product", async () => {
  const P = "/api/v1/products";
  const { body: created } = await probe<ProductDto>(P, P, 201, {
    method: "POST",
    body: { sku: `OAS-ARC-${randomBytes(4).toString("hex")}`, name: "Archive probe", priceCents: 100, stock: 2 },
    headers: admin(),
  });
  const one = `${P}/${created.id}`;
  const ARCHIVE = `${P}/{id}/archive`;
  const RESTORE = `${P}/{id}/restore`;
  // The body may be left out: no Content-Type, no body.
  const { body: archived } = await probe<ProductDto>(ARCHIVE, `${one}/archive`, 200, {
    method: "POST",
    headers: admin(),
  });
  assert.ok(archived.archivedAt);
  await probe(ARCHIVE, `${one}/archive`, 409, { method: "POST", body: {}, headers: admin() });
  await probe(P, `${P}?archived=true`, 200);
  await probe(P, `${P}?archived=all&sku=${created.sku}`, 200);
  await probe(P, `${P}?archived=maybe`, 400);

  await probe(`${P}/{id}`, one, 409, { method: "PATCH", body: { stock: 1 }, headers: admin() });
  await probe(`${P}/{id}/stock-adjustments`, `${one}/stock-adjustments`, 409, {
    method: "POST",
    body: { delta: 1 },
    headers: admin(),
  });
  const S = "/api/v1/stocktakes";
  await probe(S, S, 409, { method: "POST", headers: admin(), body: { items: [{ productId: created.id, count: 1 }] } });

  await probe(RESTORE, `${one}/restore`, 200, {
    method: "POST",
    body: { reason: "back in the range" },
    headers: admin(),
  });
  await probe(RESTORE, `${one}/restore`, 409, { method: "POST", body: {}, headers: admin() });
  for (const [template, action] of [
    [ARCHIVE, "archive"],
    [RESTORE, "restore"],
  ]) {
    await probe(template, `${P}/99999999/${action}`, 404, { method: "POST", body: {}, headers: admin() });
    await probe(template, `${one}/${action}`, 400, { method: "POST", body: { reason: "" }, headers: admin() });
    await bodyProbes(template, `${one}/${action}`, "POST");
    await reusedKey(template, `${one}/${action}`, "POST", { reason: "first" }, { reason: "second" });
  }
});

test("the shop's history and the CSV exports", async () => {
  const H = "/api/v1/events";
  const { body: page } = await probe<{ events: ProductHistoryEntry[]; nextBefore: string | null }>(
    H,
    `${H}?limit=2`,
    200,
    {
      headers: admin(),
    },
  );
  await probe(H, `${H}?limit=2&before=${page.nextBefore ?? "1"}&kind=stock,price`, 200);
  await probe(H, `${H}?from=yesterday`, 400);
  await probe(H, `${H}?actor=api%3Adefault`, 401);
  await probe(H, `${H}?productId=99999999`, 404);

  const SUGGESTIONS = "/api/v1/events/suggestions";
  await probe(SUGGESTIONS, SUGGESTIONS, 200, { headers: admin() });
  await probe(SUGGESTIONS, `${SUGGESTIONS}?q=a`, 400, { headers: admin() });
  await probe(SUGGESTIONS, SUGGESTIONS, 401);

  const CSV = "/api/v1/events.csv";
  await probe(CSV, `${CSV}?kind=stock&from=2026-01-01`, 200, { headers: admin() });
  await probe(CSV, `${CSV}?limit=3`, 400);
  await probe(CSV, CSV, 401, { headers: { authorization: "Bearer not-a-token" } });
  await probe(CSV, `${CSV}?productId=99999999`, 404);

  const PRODUCTS = "/api/v1/products.csv";
  await probe(PRODUCTS, `${PRODUCTS}?q=a&sort=price&dir=desc&filter=low`, 200);
  await probe(PRODUCTS, `${PRODUCTS}?filter=reorder`, 200);
  await probe(PRODUCTS, `${PRODUCTS}?sort=colour`, 400);
  await probe(PRODUCTS, PRODUCTS, 401, { headers: { authorization: "Bearer not-a-token" } });
});

test("bulk stock adjustments", async () => {
  const B = "/api/v1/stock-adjustments";
  const { body: snapshot } = await probe<ProductSnapshot>("/api/v1/products", "/api/v1/products", 200);
  const [first, second] = snapshot.products;
  await probe(B, B, 200, {
    method: "POST",
    headers: admin(),
    body: {
      reason: "restock",
      items: [
        { productId: first.id, delta: 1 },
        { sku: second.sku, delta: 2 },
      ],
    },
  });
  await probe(B, B, 400, { method: "POST", headers: admin(), body: { items: [{ productId: first.id, delta: 0 }] } });
  await probe(B, B, 404, { method: "POST", headers: admin(), body: { items: [{ productId: 99999999, delta: 1 }] } });
  await probe(B, B, 409, { method: "POST", headers: admin(), body: { items: [{ productId: first.id, delta: -1e9 }] } });
  await bodyProbes(B, B, "POST", TOO_LARGE_FOR_BULK);
});

test("stocktakes", async () => {
  const S = "/api/v1/stocktakes";
  const { body: snapshot } = await probe<ProductSnapshot>("/api/v1/products", "/api/v1/products", 200);
  const [first] = snapshot.products;
  await probe(S, S, 200, { method: "POST", headers: admin(), body: { items: [{ productId: first.id, count: 7 }] } });
  await probe(S, S, 400, { method: "POST", headers: admin(), body: { items: [] } });
  await probe(S, S, 404, { method: "POST", headers: admin(), body: { items: [{ productId: 99999999, count: 1 }] } });
  await probe(S, S, 409, {
    method: "POST",
    headers: admin(),
    body: { items: [{ productId: first.id, count: 1, expectedVersion: first.version + 1000 }] },
  });
  await bodyProbes(S, S, "POST", TOO_LARGE_FOR_BULK);
});

test("CSV imports: preview and apply", async () => {
  const PREVIEW = "/api/v1/imports/preview";
  const APPLY = "/api/v1/imports";
  const { body: snapshot } = await probe<ProductSnapshot>("/api/v1/products", "/api/v1/products", 200);
  const [first] = snapshot.products;
  const csv = (headers: Record<string, string> = {}) => ({ ...admin(), "content-type": "text/csv", ...headers });
  const file = `sku,count\n${first.sku},${first.stock + 3}\n`;
  const { body: seen } = await probe<{ asOf: string }>(PREVIEW, `${PREVIEW}?kind=stocktake`, 200, {
    method: "POST",
    headers: csv(),
    body: file,
  });
  await probe(PREVIEW, `${PREVIEW}?kind=stocktake`, 400, { method: "POST", headers: csv(), body: "qty\n1\n" });
  // A conflict (an edited row whose expectedStock is not the stock) and an unknown sku, skipped.
  const guarded = `sku,count,expectedStock\n${first.sku},${first.stock + 5},${first.stock + 1}\nNO-SUCH-SKU,1,\n`;
  const { body: skipping } = await probe<{ conflicts: unknown[]; skipped: unknown[] }>(
    PREVIEW,
    `${PREVIEW}?kind=stocktake&unknownSkus=skip&conflicts=skip`,
    200,
    { method: "POST", headers: csv(), body: guarded },
  );
  assert.equal(skipping.conflicts.length, 1);
  assert.equal(skipping.skipped.length, 2);
  await probe(APPLY, `${APPLY}?kind=stocktake&reason=oas&unknownSkus=skip`, 409, {
    method: "POST",
    headers: csv(),
    body: guarded,
  });
  const { body: skipped } = await probe<{ changed: number; skipped: unknown[] }>(
    APPLY,
    `${APPLY}?kind=stocktake&reason=oas&unknownSkus=skip&conflicts=skip`,
    200,
    { method: "POST", headers: csv(), body: guarded },
  );
  assert.deepEqual([skipped.changed, skipped.skipped.length], [0, 2]);
  const tooManyRows = "sku,count\n" + "A,1\n".repeat(10_001);
  for (const [template, url] of [
    [PREVIEW, `${PREVIEW}?kind=stocktake`],
    [APPLY, `${APPLY}?kind=stocktake&reason=oas`],
  ]) {
    await probe(template, url, 401, { method: "POST", body: file, headers: { "content-type": "text/csv" } });
    await probe(template, url, 403, {
      method: "POST",
      body: file,
      headers: csv({ authorization: `Bearer ${readToken}` }),
    });
    await probe(template, url, 403, {
      method: "POST",
      body: file,
      headers: { cookie: adminCookie, origin: "https://evil.example", "content-type": "text/csv" },
    });
    await probe(template, url, 413, { method: "POST", headers: csv(), body: tooManyRows });
    await probe(template, url, 415, { method: "POST", headers: admin(), body: file });
  }
  // The product changes after the preview: 409; previewed again, it applies.
  await probe("/api/v1/stocktakes", "/api/v1/stocktakes", 200, {
    method: "POST",
    headers: admin(),
    body: { items: [{ productId: first.id, count: first.stock + 1 }] },
  });
  const stale = `${APPLY}?kind=stocktake&reason=oas&asOf=${seen.asOf}`;
  await probe(APPLY, stale, 409, { method: "POST", headers: csv(), body: file });
  await probe(APPLY, `${APPLY}?kind=stocktake`, 400, { method: "POST", headers: csv(), body: file });
  const headers = csv({ "idempotency-key": `oas-import-${randomBytes(8).toString("hex")}` });
  await probe(APPLY, `${APPLY}?kind=stocktake&reason=oas`, 200, { method: "POST", headers, body: file });
  await probe(APPLY, `${APPLY}?kind=stocktake&reason=oas`, 422, {
    method: "POST",
    headers,
    body: `${file}\n` + "" + `${first.sku}x,1\n`,
  });
});

test("Idempotency-Key answers", async () => {
  const template = "/api/v1/products/{id}/stock-adjustments";
  const url = "/api/v1/products/3/stock-adjustments";
  const key = `oas-${randomBytes(8).toString("hex")}`;
  const first = await fetch(`${server.baseUrl}${url}`, {
    method: "POST",
    headers: { ...admin(), "content-type": "application/json", "idempotency-key": key },
    body: JSON.stringify({ delta: 1 }),
  });
  await first.text();
  const reused = await fetch(`${server.baseUrl}${url}`, {
    method: "POST",
    headers: { ...admin(), "content-type": "application/json", "idempotency-key": key },
    body: JSON.stringify({ delta: 2 }),
  });
  await reused.text();
  assert.equal(reused.status, 422, "a reused key with another body is refused");
  await probe(template, url, 422, {
    method: "POST",
    headers: { ...admin(), "idempotency-key": key },
    body: { delta: 3 },
  });
  await probe(template, url, 400, {
    method: "POST",
    headers: { ...admin(), "idempotency-key": "a b" },
    body: { delta: 1 },
  });

  // The other keyed writes: a first request under a fresh key, then the key with another body.
  const sku = `OAS-KEY-${randomBytes(4).toString("hex")}`;
  const product = { sku, name: "Keyed", priceCents: 100, stock: 10 };
  const writes: Array<[string, string, string, unknown, unknown]> = [
    ["POST", "/api/v1/products", "/api/v1/products", product, { ...product, sku: `${sku}-2` }],
    ["PATCH", "/api/v1/products/{id}", "/api/v1/products/3", { name: "Keyed once" }, { name: "Keyed twice" }],
    [
      "POST",
      "/api/v1/stock-adjustments",
      "/api/v1/stock-adjustments",
      { items: [{ productId: 3, delta: 1 }] },
      { items: [{ productId: 3, delta: 2 }] },
    ],
    [
      "POST",
      "/api/v1/stocktakes",
      "/api/v1/stocktakes",
      { items: [{ productId: 3, count: 40 }] },
      { items: [{ productId: 3, count: 41 }] },
    ],
  ];
  for (const [method, path, target, body, otherBody] of writes) {
    const headers = { ...admin(), "idempotency-key": `oas-${randomBytes(8).toString("hex")}` };
    const answer = await fetch(`${server.baseUrl}${target}`, {
      method,
      headers: { ...headers, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    assert.ok(answer.ok, `${method} ${target} under a fresh key: ${answer.status} ${await answer.text()}`);
    await probe(path, target, 422, { method, headers, body: otherBody });
  }
});

/** An Idempotency-Key used again with another body: 422 IDEMPOTENCY_KEY_REUSED. */
async function reusedKey(template: string, url: string, method: string, first: unknown, second: unknown) {
  const headers = { ...admin(), "content-type": "application/json", "idempotency-key": randomBytes(8).toString("hex") };
  await (await fetch(`${server.baseUrl}${url}`, { method, headers, body: JSON.stringify(first) })).text();
  await probe(template, url, 422, { method, body: second, headers });
}

test("the feed: replay frames, bad parameters, credentials, HEAD", async () => {
  const F = FEED_PATH;
  const adjusted = await fetch(`${server.baseUrl}/api/v1/products/5/stock-adjustments`, {
    method: "POST",
    headers: { ...admin(), "content-type": "application/json" },
    body: JSON.stringify({ delta: 1 }),
  });
  assert.equal(adjusted.status, 200);
  const { body: events } = await probe<FeedEvent[]>(F, `${F}?productIds=5,6&lastEventId=0`, 200);
  assert.ok(events.length > 0, "replayed the history of products 5 and 6");
  await probe(F, F, 200, { headers: { "last-event-id": "0", authorization: `Bearer ${readToken}` } });
  await probe(F, `${F}?productIds=0`, 400);
  await probe(F, F, 400, { headers: { "last-event-id": "abc" } });
  await probe(F, F, 401, { headers: { authorization: "Bearer not-a-token" } });
  await probe(F, F, 200, { method: "HEAD" });
  await probe(F, `${F}?lastEventId=x`, 400, { method: "HEAD" });
  await probe(F, F, 401, { method: "HEAD", headers: { authorization: "Bearer not-a-token" } });
});

test("session: sign in, who, sign out", async () => {
  const S = "/api/v1/session";
  const password = await stack.addUser("session@openapi.test", "viewer");
  const { response } = await probe(S, S, 200, { method: "POST", body: { email: "session@openapi.test", password } });
  const cookie = /^(stockpulse_session=[^;]+)/.exec(response.headers.get("set-cookie") ?? "")![1];
  await probe(S, S, 200, { headers: { cookie } });
  await probe(S, S, 401);
  await probe(S, S, 400, { method: "POST", body: { email: "not an email", password: "x" } });
  await probe(S, S, 401, { method: "POST", body: { email: "nobody@openapi.test", password: "wrong password" } });
  await probe(S, S, 403, {
    method: "POST",
    body: { email: "a@b.test", password: "x" },
    headers: { origin: "https://evil.example" },
  });
  await probe(S, S, 413, { method: "POST", body: TOO_LARGE });
  await probe(S, S, 415, { method: "POST", body: "{}", headers: { "content-type": "text/plain" } });
  for (let attempt = 0; attempt < 5; attempt++) {
    await fetch(`${server.baseUrl}${S}`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: server.baseUrl },
      body: JSON.stringify({ email: "locked@openapi.test", password: "wrong password" }),
    });
  }
  await probe(S, S, 429, { method: "POST", body: { email: "locked@openapi.test", password: "wrong password" } });
  await probe(S, S, 204, { method: "DELETE", headers: { cookie, origin: server.baseUrl } });
  await probe(S, S, 403, { method: "DELETE", headers: { cookie, origin: "https://evil.example" } });
});

test("this document, health, metrics, and both servers serve the document", async () => {
  const { body } = await probe("/api/v1/openapi.json", "/api/v1/openapi.json", 200);
  assert.deepEqual(body, JSON.parse(JSON.stringify(document)));
  const nextStart = await stack.startServer({ transport: "route-handler" });
  const served = await (await fetch(`${nextStart.baseUrl}/api/v1/openapi.json`)).json();
  assert.deepEqual(served, body, "plain next start serves the same document");
  await nextStart.stop();

  await probe("/api/health", "/api/health", 200);
  await probe("/api/health/live", "/api/health/live", 200);
  await probe("/api/health/ready", "/api/health/ready", 200);
  const metrics = "/api/metrics";
  await probe(metrics, metrics, 200, { headers: { authorization: `Bearer ${stack.metricsToken}` } });
  await probe(metrics, metrics, 401);
  await probe(metrics, metrics, 401, { headers: { authorization: `Bearer ${readToken}` } });
  await probe(metrics, metrics, 404, { server: limited });
});

test("webhooks and stock alerts", async () => {
  const A = "/api/v1/alerts";
  await probe(A, A, 200);
  await probe(A, `${A}?limit=0`, 400);
  await probe(A, `${A}?limit=1e1`, 400);
  await probe(A, A, 401, { headers: { authorization: "Bearer not-a-token" } });

  // Deliveries reach a receiver on loopback only where private addresses are allowed.
  const receiver = await startReceiver();
  const hooks = await stack.startServer({ env: { WEBHOOK_ALLOW_PRIVATE_ADDRESSES: "true" } });
  try {
    const W = "/api/v1/webhooks";
    const url = receiver.url("/openapi");
    const { body: created } = await probe<{ id: number }>(W, W, 201, {
      method: "POST",
      body: { url },
      headers: admin(),
      server: hooks,
    });
    await probe(W, W, 400, { method: "POST", body: { url }, headers: admin() });
    await bodyProbes(W, W, "POST");
    await probe(W, W, 200, { headers: admin() });
    await probe(W, W, 401);
    await probe(W, W, 403, { headers: { authorization: `Bearer ${readToken}` } });

    const ONE = `${W}/{id}`;
    const one = `${W}/${created.id}`;
    await probe(ONE, one, 200, { headers: admin() });
    await probe(ONE, `${W}/0x1`, 400, { headers: admin() });
    await probe(ONE, `${W}/99999999`, 404, { headers: admin() });
    await probe(ONE, one, 401);
    await probe(ONE, one, 403, { headers: { authorization: `Bearer ${readToken}` } });
    await probe(ONE, one, 200, { method: "PATCH", body: { status: "paused" }, headers: admin() });
    await probe(ONE, one, 400, { method: "PATCH", body: {}, headers: admin() });
    await probe(ONE, `${W}/99999999`, 404, { method: "PATCH", body: { status: "paused" }, headers: admin() });
    await bodyProbes(ONE, one, "PATCH");

    const REPLAY = `${ONE}/replay`;
    const replay = `${one}/replay`;
    const { body: snapshot } = await probe<ProductSnapshot>("/api/v1/products", "/api/v1/products", 200);
    const from = { fromEventId: snapshot.lastEventId };
    await probe(REPLAY, replay, 200, { method: "POST", body: from, headers: admin() });
    await probe(REPLAY, replay, 409, { method: "POST", body: { fromEventId: "999999999999" }, headers: admin() });
    await probe(REPLAY, replay, 400, { method: "POST", body: { fromEventId: "x" }, headers: admin() });
    await probe(REPLAY, `${W}/99999999/replay`, 404, { method: "POST", body: from, headers: admin() });
    await bodyProbes(REPLAY, replay, "POST");

    await reusedKey(W, W, "POST", { url }, { url, kinds: "threshold" });
    await reusedKey(ONE, one, "PATCH", { status: "paused" }, { status: "active" });
    await reusedKey(REPLAY, replay, "POST", from, { fromEventId: "999999999999" });

    const TEST = `${ONE}/test`;
    await probe(TEST, `${one}/test`, 200, { method: "POST", headers: admin(), server: hooks });
    await probe(TEST, `${W}/0x1/test`, 400, { method: "POST", headers: admin() });
    await probe(TEST, `${W}/99999999/test`, 404, { method: "POST", headers: admin() });
    await probe(TEST, `${one}/test`, 401, { method: "POST" });
    await probe(TEST, `${one}/test`, 403, { method: "POST", headers: { authorization: `Bearer ${readToken}` } });

    const LOG = `${ONE}/deliveries`;
    await probe(LOG, `${one}/deliveries?limit=1`, 200, { headers: admin() });
    await probe(LOG, `${one}/deliveries?limit=0`, 400, { headers: admin() });
    await probe(LOG, `${one}/deliveries?limit=0x10`, 400, { headers: admin() });
    await probe(LOG, `${W}/99999999/deliveries`, 404, { headers: admin() });
    await probe(LOG, `${one}/deliveries`, 401);
    await probe(LOG, `${one}/deliveries`, 403, { headers: { authorization: `Bearer ${readToken}` } });

    await probe(ONE, `${W}/0x1`, 400, { method: "DELETE", headers: admin() });
    await probe(ONE, one, 401, { method: "DELETE" });
    await probe(ONE, one, 403, { method: "DELETE", headers: { cookie: adminCookie, origin: "https://evil.example" } });
    await probe(ONE, one, 204, { method: "DELETE", headers: admin() });
    await probe(ONE, one, 404, { method: "DELETE", headers: admin() });
  } finally {
    await hooks.stop();
    await receiver.close();
  }
});

test("limits and outages answer as documented", async () => {
  const P = "/api/v1/products";
  for (let request = 0; request < 3; request++) await fetch(`${limited.baseUrl}${P}`).then((r) => r.text());
  await probe(P, P, 429, { server: limited });
  await stack.withDatabaseDown(async () => {
    await probe("/api/health", "/api/health", 503);
    await probe("/api/health/ready", "/api/health/ready", 503);
    await probe(P, P, 503);
  });
});

// Statuses documented for every route alike, provoked above on one route each; the rest of the
// contract's statuses that no request here can provoke, and why.
function unprovokable(method: string, template: string, status: string): string | null {
  if (status === "429")
    return "one limiter for every route (lib/http/request-limits.ts), provoked on GET /api/v1/products";
  if (status === "503") return "one errorReply for every route, provoked on GET /api/v1/products and the health routes";
  const conflict = operation(method, template)?.responses["409"] as { description?: string } | undefined;
  if (status === "409" && conflict?.description?.startsWith("IDEMPOTENCY_IN_PROGRESS"))
    return "IDEMPOTENCY_IN_PROGRESS needs a second request while the first runs: its only 409 here";
  return null;
}

test("every documented status was provoked and checked (or is named as out of reach)", () => {
  const missing: string[] = [];
  for (const [template, methods] of Object.entries(document.paths)) {
    for (const [method, described] of Object.entries(methods)) {
      for (const status of Object.keys((described as Operation).responses)) {
        const key = `${method.toUpperCase()} ${template} ${status}`;
        if (!observed.has(key) && !unprovokable(method.toUpperCase(), template, status)) missing.push(key);
      }
    }
  }
  assert.deepEqual(missing, []);
});
