// Bad input over every mutating endpoint, table-driven: each case gets a 4xx in docs/design.md's
// error shape, with a message that names the problem, and the database is unchanged afterwards.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { apiClient, type Api } from "./support/api";
import { startStack, type Server, type Stack } from "../scripts/stack";

let stack: Stack;
let server: Server;
let api: Api;

before(async () => {
  stack = await startStack();
  server = await stack.startServer();
  api = apiClient(server.baseUrl, stack.adminToken);
});
after(() => stack?.stop());

type Endpoint = {
  method: string;
  path: string;
  valid: Record<string, unknown>;
  counts: string[]; // whole numbers >= 0
  signed?: string[]; // whole numbers that may be negative
  strings: string[];
  withId?: (id: string) => string;
};

const ENDPOINTS: Endpoint[] = [
  {
    method: "POST",
    path: "/api/v1/products",
    valid: { sku: "BAD-INPUT-1", name: "Never created", priceCents: 100, stock: 1, lowStockThreshold: 2 },
    counts: ["priceCents", "stock", "lowStockThreshold"],
    strings: ["sku", "name"],
  },
  {
    method: "PATCH",
    path: "/api/v1/products/1",
    valid: { stock: 1, priceCents: 100, name: "x", sku: "COF-ESP-250", lowStockThreshold: 1, expectedVersion: 1 },
    counts: ["priceCents", "stock", "lowStockThreshold", "expectedVersion"],
    strings: ["sku", "name"],
    withId: (id) => `/api/v1/products/${id}`,
  },
  {
    method: "POST",
    path: "/api/v1/products/1/stock-adjustments",
    valid: { delta: 1, reason: "restock" },
    counts: [],
    signed: ["delta"],
    strings: ["reason"],
    withId: (id) => `/api/v1/products/${id}/stock-adjustments`,
  },
  {
    method: "POST",
    path: "/api/v1/session",
    valid: { email: "admin@stockpulse.test", password: "not-the-password" },
    counts: [],
    strings: ["email", "password"],
  },
];

type Case = {
  name: string;
  path?: string;
  body: unknown;
  status: number;
  mentions: RegExp;
  headers?: Record<string, string>;
};

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

function casesFor(endpoint: Endpoint): Case[] {
  const { valid } = endpoint;
  const cases: Case[] = [
    { name: "invalid JSON", body: "{stock: 1", status: 400, mentions: /not valid JSON/ },
    { name: "a JSON array", body: "[1]", status: 400, mentions: /object/ },
    { name: "JSON null", body: "null", status: 400, mentions: /object/ },
    { name: "an empty body", body: "", status: 400, mentions: /empty/ },
    { name: "an oversized body", body: { ...valid, pad: "x".repeat(20_000) }, status: 413, mentions: /16 KiB/ },
    {
      name: "a form-encoded body",
      body: "stock=1",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      status: 415,
      mentions: /application\/json/,
    },
    { name: "an unknown field", body: { ...valid, bogusField: 1 }, status: 400, mentions: /bogusField/ },
  ];
  for (const field of [...endpoint.counts, ...(endpoint.signed ?? [])]) {
    const bad: Array<[string, unknown]> = [
      ["a string", "5"],
      ["NaN as a string", "NaN"],
      ["Infinity as a string", "Infinity"],
      ["a fraction", 1.5],
      ["a number past 32 bits", 2 ** 31],
      ["a huge number", 1e300],
      ["null", null],
      ["a boolean", true],
    ];
    if (endpoint.counts.includes(field)) bad.push(["a negative number", -1]);
    for (const [what, value] of bad) {
      cases.push({
        name: `${field} as ${what}`,
        body: { ...valid, [field]: value },
        status: 400,
        mentions: new RegExp(escape(field)),
      });
    }
  }
  for (const field of endpoint.strings) {
    for (const [what, value] of [
      ["a number", 42],
      ["an object", { a: 1 }],
      ["blank", "   "],
    ] as Array<[string, unknown]>) {
      if (field === "password" && what === "blank") continue; // a blank password is just wrong: 401
      cases.push({
        name: `${field} as ${what}`,
        body: { ...valid, [field]: value },
        status: 400,
        mentions: new RegExp(field),
      });
    }
  }
  if (endpoint.withId) {
    for (const [what, id, status, mentions] of [
      ["an unknown id", "424242", 404, /424242/],
      ["a non-numeric id", "abc", 400, /^id: product id/],
      ["id 0", "0", 400, /^id: product id/],
      ["an id past 32 bits", "99999999999", 400, /^id: product id/],
      ["a negative id", "-3", 400, /^id: product id/],
    ] as const) {
      cases.push({ name: what, path: endpoint.withId(id), body: valid, status, mentions });
    }
  }
  return cases;
}

const fingerprint = async () => ({
  products: await stack.db.product.findMany({ orderBy: { id: "asc" } }),
  events: await stack.db.productEvent.count(),
  users: await stack.db.user.count(),
  sessions: await stack.db.session.count(),
  failures: await stack.db.signInFailure.count(),
});

for (const endpoint of ENDPOINTS) {
  test(`${endpoint.method} ${endpoint.path}: every bad input is a named 4xx and changes nothing`, async () => {
    const before = await fingerprint();
    for (const { name, path, body, status, mentions, headers } of casesFor(endpoint)) {
      const response = await api.call(endpoint.method, path ?? endpoint.path, body, {
        origin: server.baseUrl,
        ...headers,
      });
      const shown = `${name}: ${response.status} ${JSON.stringify(response.body)}`;
      assert.equal(response.status, status, shown);
      assert.match(response.body.error.code, /^[A-Z_]+$/, shown);
      assert.match(response.body.error.message, mentions, shown);
    }
    assert.deepEqual(await fingerprint(), before);
  });
}
