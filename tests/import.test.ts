// CSV import over real HTTP and PostgreSQL, with files as a spreadsheet saves them
// (tests/fixtures/imports): the preview says what each line would change and changes nothing;
// apply is one transaction with one event per changed product; every bad file gets its own
// message and changes nothing; a stale preview is refused; a keyed apply runs once.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import http from "node:http";
import { after, before, beforeEach, describe, test } from "node:test";
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import type { ImportPreview, ImportResult } from "../lib/imports/dto";
import { startStack, type Server, type Stack } from "../scripts/stack";
import { apiClient, signIn, withCookie, type Api } from "./support/api";
import { followFeed, openFeed } from "./support/sse";

const FEED = "/api/v1/stream/product-updates";
const fixture = (name: string) => readFileSync(new URL(`./fixtures/imports/${name}`, import.meta.url));

let stack: Stack;
let server: Server;
let api: Api;

/** The products the fixture files name, as each test starts: stock and price in cents. */
const SHOP = [
  { sku: "COF-250", name: "Espresso beans, 250 g", stock: 20, priceCents: 1190 },
  { sku: "COF-1000", name: "Espresso beans, 1 kg", stock: 4, priceCents: 3990 },
  { sku: "MLK-OAT-1L", name: "Oat milk, 1 l", stock: 6, priceCents: 239 },
  { sku: "TEA-GRN-50", name: "Green tea 50 bags", stock: 25, priceCents: 420 },
  { sku: "CUP-PAPER-8OZ", name: "Paper cup 8 oz", stock: 300, priceCents: 12 },
];

before(async () => {
  stack = await startStack();
  server = await stack.startServer();
  api = apiClient(server.baseUrl, stack.adminToken);
  // The demo shop has some of these skus already; they become the fixtures' products.
  for (const product of SHOP) {
    await stack.db.product.upsert({
      where: { sku: product.sku },
      create: { ...product, lowStockThreshold: 5 },
      update: product,
    });
  }
});
after(() => stack?.stop());

beforeEach(async () => {
  for (const product of SHOP)
    await stack.db.product.update({ where: { sku: product.sku }, data: { ...product, lowStockThreshold: 5 } });
});

type ErrorBody = { error: { code: string; message: string; [detail: string]: unknown } };
type Answer<T> = { status: number; body: T & ErrorBody; headers: Headers };

async function send<T = unknown>(
  path: string,
  file: Uint8Array | string,
  headers: Record<string, string> = {},
): Promise<Answer<T>> {
  const response = await fetch(`${server.baseUrl}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${stack.adminToken}`, "content-type": "text/csv", ...headers },
    body: typeof file === "string" ? file : new Uint8Array(file),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null, headers: response.headers };
}

const preview = (kind: string, file: Uint8Array | string) =>
  send<ImportPreview>(`/api/v1/imports/preview?kind=${kind}`, file);
const apply = (query: string, file: Uint8Array | string, headers: Record<string, string> = {}) =>
  send<ImportResult>(`/api/v1/imports?${query}`, file, headers);

const shopState = async () => ({
  products: await stack.db.product.findMany({ orderBy: { id: "asc" } }),
  events: await stack.db.productEvent.count(),
});
const idOf = async (sku: string) => (await stack.db.product.findUniqueOrThrow({ where: { sku } })).id;
const newestEventId = async () => (await api.products()).body.lastEventId as string;

describe("a clean stocktake", () => {
  test("preview lists old -> new per line and counts the unchanged; changes nothing", async () => {
    const before = await shopState();
    const answer = await preview("stocktake", fixture("stocktake.csv"));
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body.canApply, true);
    assert.equal(answer.body.rows, 5);
    assert.equal(answer.body.unchanged, 1);
    assert.deepEqual(answer.body.ignoredColumns, ["Name"]);
    assert.deepEqual(
      answer.body.changes.map((change) => [change.line, change.sku, change.name, change.old, change.new]),
      [
        [2, "COF-250", "Espresso beans, 250 g", 20, 18],
        [4, "MLK-OAT-1L", "Oat milk, 1 l", 6, 0],
        [5, "TEA-GRN-50", "Green tea 50 bags", 25, 30],
        [6, "CUP-PAPER-8OZ", "Paper cup 8 oz", 300, 250],
      ],
    );
    assert.deepEqual(answer.body.unknown, []);
    assert.deepEqual(answer.body.invalid, []);
    assert.deepEqual(await shopState(), before);
  });

  test("apply: one event per changed product, in file order, all with the one reason and one transaction", async () => {
    const { body: seen } = await preview("stocktake", fixture("stocktake.csv"));
    const feed = await openFeed(`${server.baseUrl}${FEED}?lastEventId=${seen.asOf}`);
    const answer = await apply(`kind=stocktake&reason=stocktake%202026-11&asOf=${seen.asOf}`, fixture("stocktake.csv"));
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.deepEqual(
      { ...answer.body, lastEventId: undefined },
      {
        kind: "stocktake",
        rows: 5,
        changed: 4,
        unchanged: 1,
        skipped: [],
        lastEventId: undefined,
      },
    );
    await feed.waitFor(() => feed.events().length >= 4, "4 events");
    const events = feed.events();
    assert.deepEqual(
      events.map((event) => [event.sku, event.kind, event.newStock, event.delta]),
      [
        ["COF-250", "stock", 18, -2],
        ["MLK-OAT-1L", "stock", 0, -6],
        ["TEA-GRN-50", "stock", 30, 5],
        ["CUP-PAPER-8OZ", "stock", 250, -50],
      ],
    );
    assert.equal(events[1].stockLevel, "out");
    assert.equal(answer.body.lastEventId, events.at(-1)!.eventId);
    const stored = await stack.db.productEvent.findMany({ where: { id: { gt: BigInt(seen.asOf) } } });
    assert.equal(stored.length, 4);
    assert.ok(stored.every((event) => event.reason === "stocktake 2026-11" && event.actor === "api:default"));
    feed.close();
  });
});

describe("line ends", () => {
  test("CRLF, LF and CR-only lines mixed in one file are each a row, numbered as the file's lines", async () => {
    // Rows appended in another editor, or an old Mac "CSV (Macintosh)" file: csv-parse alone takes
    // the first line end it meets as the only one, and runs the rest of the file together.
    const before = await shopState();
    const mixed = await preview("stocktake", "sku,count,name\nCOF-250,18,a\r\nCOF-1000,5,b\rMLK-OAT-1L,0,c\n");
    assert.equal(mixed.status, 200, JSON.stringify(mixed.body));
    assert.deepEqual(
      mixed.body.changes.map((change) => [change.line, change.sku, change.new]),
      [
        [2, "COF-250", 18],
        [3, "COF-1000", 5],
        [4, "MLK-OAT-1L", 0],
      ],
    );
    // A `;` file with CR-only line ends whose sku column is not the first.
    const mac = await preview("stocktake", "count;sku\r18;COF-250\r5;COF-1000\r");
    assert.equal(mac.status, 200, JSON.stringify(mac.body));
    assert.equal(mac.body.delimiter, ";");
    assert.deepEqual(
      mac.body.changes.map((change) => [change.line, change.sku, change.new]),
      [
        [2, "COF-250", 18],
        [3, "COF-1000", 5],
      ],
    );
    // A quoted name over two lines (CRLF inside, LF outside) moves the next row's line by one, not two.
    const quoted = await preview("stocktake", 'sku,name,count\nCOF-250,"two\r\nlines",18\nCOF-1000,x,y\n');
    assert.equal(quoted.status, 200, JSON.stringify(quoted.body));
    assert.deepEqual(
      quoted.body.changes.map((change) => change.line),
      [2],
    );
    assert.deepEqual(
      quoted.body.invalid.map((problem) => problem.line),
      [4],
    );
    assert.deepEqual(await shopState(), before);
  });
});

describe("a price list from a German spreadsheet (BOM, `;`, decimal commas)", () => {
  test("preview reads it, says so, and converts to cents; apply writes price events", async () => {
    const seen = await preview("prices", fixture("prices-de.csv"));
    assert.equal(seen.status, 200, JSON.stringify(seen.body));
    assert.equal(seen.body.delimiter, ";");
    assert.match(seen.body.notes.join(" "), /semicolons/);
    assert.match(seen.body.notes.join(" "), /byte-order mark/);
    assert.deepEqual(
      seen.body.changes.map((change) => [change.line, change.sku, change.old, change.new]),
      [
        [2, "COF-250", 1190, 1250],
        [4, "MLK-OAT-1L", 239, 249],
        [5, "TEA-GRN-50", 420, 450],
        [6, "CUP-PAPER-8OZ", 12, 15],
      ],
    );
    assert.equal(seen.body.unchanged, 1);

    const answer = await apply(
      `kind=prices&reason=supplier%20list%202026-11&asOf=${seen.body.asOf}`,
      fixture("prices-de.csv"),
    );
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body.changed, 4);
    const events = await stack.db.productEvent.findMany({
      where: { id: { gt: BigInt(seen.body.asOf) } },
      orderBy: { id: "asc" },
    });
    assert.deepEqual(
      events.map((event) => [event.sku, event.kind, event.priceCents, event.stock, event.reason]),
      [
        ["COF-250", "price", 1250, 20, "supplier list 2026-11"],
        ["MLK-OAT-1L", "price", 249, 6, "supplier list 2026-11"],
        ["TEA-GRN-50", "price", 450, 25, "supplier list 2026-11"],
        ["CUP-PAPER-8OZ", "price", 15, 300, "supplier list 2026-11"],
      ],
    );
    assert.ok(events.every((event) => event.stockLevel === event.previousStockLevel));
  });
});

describe("a `;` file whose header is not on the first line", () => {
  test("blank lines or a row of empty cells above the header: the separator is still found", async () => {
    for (const [file, line] of [
      ["\r\n\r\nsku;count\r\nCOF-250;18\r\n", 4],
      [";;\nsku;count\nCOF-250;18\n", 3],
    ] as const) {
      const answer = await preview("stocktake", file);
      assert.equal(answer.status, 200, `${JSON.stringify(file)}: ${JSON.stringify(answer.body)}`);
      assert.equal(answer.body.delimiter, ";");
      assert.deepEqual(
        answer.body.changes.map((change) => [change.line, change.sku, change.new]),
        [[line, "COF-250", 18]],
      );
    }
  });
});

describe("a row with more cells than the header has columns", () => {
  test("is invalid, not read with its cells shifted: a decimal comma or an unquoted comma in a comma file", async () => {
    const before = await shopState();
    // 12,50 unquoted in a comma-separated file is two cells: read as the price 12 and an extra cell.
    const price = await preview("prices", "sku,price\nCOF-250,12,50\nCOF-1000,41.00,\n");
    assert.equal(price.status, 200, JSON.stringify(price.body));
    assert.deepEqual(
      price.body.invalid.map((problem) => [problem.line, problem.column, problem.value]),
      [[2, "price", "COF-250,12,50"]],
    );
    assert.match(price.body.invalid[0].message, /3 cells.*header has 2 columns.*quote/i);
    // A trailing separator (an empty cell past the header) is no problem.
    assert.deepEqual(
      price.body.changes.map((change) => [change.line, change.sku, change.new]),
      [[3, "COF-1000", 4100]],
    );
    assert.equal(price.body.canApply, false);
    // A name with an unquoted comma moves the count one cell to the right: "6" is not the count.
    const count = await preview("stocktake", "sku,name,count\nCOF-250,Beans, 6 bags,12\n");
    assert.deepEqual(
      count.body.invalid.map((problem) => [problem.line, problem.column]),
      [[2, "count"]],
    );
    const applied = await apply("kind=prices&reason=prices", "sku,price\nCOF-250,12,50\n");
    assert.equal(applied.status, 400);
    assert.equal(applied.body.error.code, "IMPORT_INVALID");
    assert.deepEqual(await shopState(), before);
  });
});

describe("a negative number", () => {
  test("is a number, not a formula: refused as negative, naming the cell", async () => {
    const count = await preview("stocktake", "sku,count\nCOF-250,-5\n");
    assert.deepEqual(
      count.body.invalid.map((problem) => [problem.line, problem.column, problem.value, problem.message]),
      [[2, "count", "-5", 'count cannot be negative: "-5" (count what is on the shelf, 0 or more)']],
    );
    const price = await preview("prices", "sku,price\nCOF-250,-12.50\n");
    assert.deepEqual(
      price.body.invalid.map((problem) => [problem.line, problem.column, problem.message]),
      [[2, "price", 'price cannot be negative: "-12.50"']],
    );
  });
});

describe("the products export as a price list", () => {
  test("imports back with every row unchanged (BOM, CRLF, quoted names, the price column)", async () => {
    const exported = await fetch(`${server.baseUrl}/api/v1/products.csv`, {
      headers: { authorization: `Bearer ${stack.adminToken}` },
    });
    assert.equal(exported.status, 200);
    const file = new Uint8Array(await exported.arrayBuffer());
    const answer = await preview("prices", file);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.deepEqual(answer.body.invalid, []);
    assert.deepEqual(answer.body.unknown, []);
    assert.deepEqual(answer.body.changes, []);
    assert.equal(answer.body.unchanged, await stack.db.product.count({ where: { archivedAt: null } }));
    assert.equal(answer.body.canApply, true);
  });
});

describe("a broken file", () => {
  test("preview names each problem with its line and refuses; apply is refused and changes nothing", async () => {
    const before = await shopState();
    const seen = await preview("stocktake", fixture("broken.csv"));
    assert.equal(seen.status, 200, JSON.stringify(seen.body));
    assert.equal(seen.body.canApply, false);
    assert.deepEqual(
      seen.body.invalid.map((problem) => [problem.line, problem.column]),
      [
        [3, "count"],
        [4, "count"],
        [5, "sku"],
      ],
    );
    const [formula, word, duplicate] = seen.body.invalid.map((problem) => problem.message);
    assert.match(formula, /a formula, not a value/);
    assert.match(word, /whole number.*"twelve"/);
    assert.match(duplicate, /COF-250 is on lines 2 and 5/);
    assert.deepEqual(
      seen.body.unknown.map((unknown) => [unknown.line, unknown.sku]),
      [[6, "NOPE-404"]],
    );
    assert.equal(seen.body.rows, 6);

    const answer = await apply("kind=stocktake&reason=stocktake", fixture("broken.csv"));
    assert.equal(answer.status, 400);
    assert.equal(answer.body.error.code, "IMPORT_INVALID");
    assert.match(answer.body.error.message, /lines 3, 4, 5/);
    // Cells right, sku unknown: refused by apply too.
    const unknownOnly = await apply("kind=stocktake&reason=stocktake", "sku,count\nCOF-250,1\nNOPE-404,7\n");
    assert.equal(unknownOnly.status, 400);
    assert.equal(unknownOnly.body.error.code, "IMPORT_INVALID");
    assert.deepEqual(unknownOnly.body.error.unknown, [
      { line: 3, sku: "NOPE-404", message: "no product has sku NOPE-404" },
    ]);
    assert.deepEqual(await shopState(), before);
  });
});

describe("files that cannot be read: a 4xx naming the problem, nothing changed, nothing on the feed", () => {
  const header = "sku,count\n";
  const cases: Array<{
    name: string;
    kind?: string;
    file: Uint8Array | string;
    status: number;
    code: string;
    message: RegExp;
    type?: string;
  }> = [
    {
      name: "UTF-16",
      file: fixture("stocktake-utf16.csv"),
      status: 400,
      code: "CSV_ENCODING",
      message: /UTF-16.*CSV UTF-8/,
    },
    {
      name: "UTF-16 without a byte-order mark",
      file: fixture("stocktake-utf16.csv").subarray(2),
      status: 400,
      code: "CSV_ENCODING",
      message: /UTF-16.*CSV UTF-8/,
    },
    {
      name: "Windows-1252 bytes",
      file: Buffer.concat([Buffer.from("sku,name,count\nCOF-250,Caf"), Buffer.from([0xe9]), Buffer.from(",3\n")]),
      status: 400,
      code: "CSV_ENCODING",
      message: /not UTF-8.*CSV UTF-8/,
    },
    {
      name: "binary junk",
      file: Buffer.from([
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0xff, 0x10,
      ]),
      status: 400,
      code: "CSV_NOT_TEXT",
      message: /not a CSV text file/,
    },
    { name: "an empty file", file: "", status: 400, code: "CSV_EMPTY", message: /empty/ },
    { name: "blank lines only", file: "\r\n\r\n", status: 400, code: "CSV_EMPTY", message: /empty/ },
    { name: "a header only", file: header, status: 400, code: "CSV_EMPTY", message: /header but no rows/ },
    {
      name: "wrong columns",
      file: "article,qty\nCOF-250,3\n",
      status: 400,
      code: "CSV_COLUMNS",
      message: /columns sku and count; found article, qty/,
    },
    {
      name: "a price list sent as a stocktake",
      file: "sku,price\nCOF-250,3.50\n",
      status: 400,
      code: "CSV_COLUMNS",
      message: /found sku, price \(it looks like a price list\)/,
    },
    {
      name: "a quoted field left open",
      file: `${header}COF-250,3\n"COF-1000,4\nTEA-GRN-50,1\n`,
      status: 400,
      code: "CSV_MALFORMED",
      message: /line 3 is never closed/,
    },
    {
      name: "10,001 rows",
      file: header + Array.from({ length: 10_001 }, (_, i) => `SKU-${i},1\n`).join(""),
      status: 413,
      code: "IMPORT_TOO_LARGE",
      message: /more than 10,000 rows; at most 10,000 per import/,
    },
    {
      // ~2 million one-cell rows under 4 MiB: the reader stops after row 10,001 instead of
      // parsing them all (seconds of blocked event loop and hundreds of MB for one request).
      name: "2 million short rows",
      file: header + "x\n".repeat(2_000_000),
      status: 413,
      code: "IMPORT_TOO_LARGE",
      message: /more than 10,000 rows; at most 10,000 per import/,
    },
    {
      name: "more than 4 MiB",
      file: header + `COF-250,1,${"x".repeat(4 * 1024 * 1024)}\n`,
      status: 413,
      code: "IMPORT_TOO_LARGE",
      message: /larger than 4 MiB/,
    },
    {
      name: "not sent as text/csv",
      file: "sku,count\nCOF-250,1\n",
      type: "application/json",
      status: 415,
      code: "UNSUPPORTED_MEDIA_TYPE",
      message: /text\/csv/,
    },
    {
      // The bytes are read as UTF-8 whatever is declared: a file said to be another encoding is refused, not misread.
      name: "declared as another charset",
      file: "sku,count\nCOF-250,1\n",
      type: "text/csv; charset=windows-1252",
      status: 415,
      code: "UNSUPPORTED_MEDIA_TYPE",
      message: /charset must be utf-8, not windows-1252/,
    },
    {
      name: "an unknown kind",
      kind: "orders",
      file: `${header}COF-250,1\n`,
      status: 400,
      code: "VALIDATION_FAILED",
      message: /kind must be one of stocktake, prices/,
    },
  ];

  test("preview and apply answer each case the same, and the feed stays quiet", async () => {
    const before = await shopState();
    const feed = await openFeed(`${server.baseUrl}${FEED}?lastEventId=${await newestEventId()}`);
    for (const { name, kind = "stocktake", file, status, code, message, type } of cases) {
      const headers: Record<string, string> = type ? { "content-type": type } : {};
      for (const path of [`/api/v1/imports/preview?kind=${kind}`, `/api/v1/imports?kind=${kind}&reason=stocktake`]) {
        const answer = await send(path, file, headers);
        assert.equal(answer.status, status, `${name} ${path}: ${JSON.stringify(answer.body)}`);
        assert.equal(answer.body.error.code, code, name);
        assert.match(answer.body.error.message, message, name);
      }
    }
    const noReason = await apply("kind=stocktake", "sku,count\nCOF-250,1\n");
    assert.equal(noReason.status, 400);
    assert.match(noReason.body.error.message, /reason is required/);
    assert.deepEqual(await shopState(), before);
    // A change made now is the first thing the feed sends.
    const marker = await api.adjust(await idOf("COF-250"), { delta: 1 });
    assert.equal(marker.status, 200);
    await feed.waitFor(() => feed.events().length >= 1, "the marker");
    assert.deepEqual(
      feed.events().map((event) => event.sku),
      ["COF-250"],
    );
    feed.close();
  });

  test("a chunked body without Content-Length is cut off past 4 MiB: 413, nothing changed", async () => {
    const before = await shopState();
    // Its own connection (node:http, chunked): the server answers before the body ends and closes it.
    const answer = await new Promise<{ status: number; body: ErrorBody }>((resolve, reject) => {
      const url = new URL("/api/v1/imports?kind=stocktake&reason=chunked", server.baseUrl);
      const request = http.request(
        url,
        {
          method: "POST",
          agent: false,
          headers: { authorization: `Bearer ${stack.adminToken}`, "content-type": "text/csv" },
        },
        (response) => {
          let text = "";
          response.on("data", (chunk) => (text += chunk));
          response.on("end", () => resolve({ status: response.statusCode!, body: JSON.parse(text) }));
        },
      );
      request.on("error", reject);
      request.write("sku,count\n");
      // 7 chunks of 640 KiB: 4.4 MiB, more than the limit, sent without a length.
      const chunk = "COF-250,1\n".repeat(64 * 1024);
      const more = (left: number) => {
        if (left === 0) return request.end();
        if (request.write(chunk)) more(left - 1);
        else request.once("drain", () => more(left - 1));
      };
      more(7);
    });
    assert.equal(answer.status, 413);
    assert.equal(answer.body.error.code, "IMPORT_TOO_LARGE");
    assert.deepEqual(await shopState(), before);
  });

  test("a browser session needs the admin role and our own origin", async () => {
    const viewer = await signIn(
      server.baseUrl,
      "viewer-import@stockpulse.test",
      await stack.addUser("viewer-import@stockpulse.test", "viewer"),
    );
    const asViewer = await withCookie(
      server.baseUrl,
      viewer.cookie,
      "POST",
      "/api/v1/imports/preview?kind=stocktake",
      "sku,count\nCOF-250,1\n",
      {
        "content-type": "text/csv",
      },
    );
    assert.equal(asViewer.status, 403);
    const admin = await signIn(server.baseUrl, stack.admin.email, stack.admin.password);
    const crossSite = await withCookie(
      server.baseUrl,
      admin.cookie,
      "POST",
      "/api/v1/imports?kind=stocktake&reason=x",
      "sku,count\nCOF-250,1\n",
      {
        "content-type": "text/csv",
        origin: "https://evil.example",
      },
    );
    assert.equal(crossSite.status, 403);
    assert.equal(crossSite.body?.error?.code, "CROSS_ORIGIN");
    const unauthenticated = await fetch(`${server.baseUrl}/api/v1/imports/preview?kind=stocktake`, {
      method: "POST",
      headers: { "content-type": "text/csv" },
      body: "sku,count\nCOF-250,1\n",
    });
    assert.equal(unauthenticated.status, 401);
  });
});

describe("the query", () => {
  test("an unknown or repeated parameter is refused by name, not ignored or guessed; nothing changes", async () => {
    const before = await shopState();
    const file = "sku,count\nCOF-250,1\n";
    const cases: Array<[path: string, parameter: string, message: RegExp]> = [
      // A mistyped asOf would otherwise apply without the check that the preview is current.
      ["/api/v1/imports?kind=stocktake&reason=count&asof=1", "asof", /asof: unknown query parameter/],
      ["/api/v1/imports?kind=stocktake&reason=count&kind=prices", "kind", /give kind once/],
      ["/api/v1/imports?kind=stocktake&reason=count&reason=other", "reason", /give reason once/],
      ["/api/v1/imports?kind=stocktake&reason=count&asOf=1&asOf=2", "asOf", /give asOf once/],
      ["/api/v1/imports/preview?kind=stocktake&kind=prices", "kind", /give kind once/],
      ["/api/v1/imports/preview?kind=stocktake&dryRun=1", "dryRun", /dryRun: unknown query parameter/],
    ];
    for (const [path, parameter, message] of cases) {
      const answer = await send(path, file);
      assert.equal(answer.status, 400, `${path}: ${JSON.stringify(answer.body)}`);
      assert.equal(answer.body.error.code, "VALIDATION_FAILED", path);
      assert.match(answer.body.error.message, message, path);
      assert.deepEqual(
        (answer.body.error.issues as Array<{ path: string }>).map((issue) => issue.path),
        [parameter],
        path,
      );
    }
    assert.deepEqual(await shopState(), before);
  });

  test("an asOf no preview can have answered (newer than any event id) is refused, not a skipped check", async () => {
    const before = await shopState();
    const future = (BigInt(await newestEventId()) + BigInt(1_000_000)).toString();
    const answer = await apply(`kind=stocktake&reason=count&asOf=${future}`, "sku,count\nCOF-250,1\n");
    assert.equal(answer.status, 400, JSON.stringify(answer.body));
    assert.equal(answer.body.error.code, "VALIDATION_FAILED");
    assert.match(answer.body.error.message, /asOf .* newer than any event/);
    assert.deepEqual(await shopState(), before);
    const notANumber = await apply("kind=stocktake&reason=count&asOf=yesterday", "sku,count\nCOF-250,1\n");
    assert.equal(notANumber.status, 400);
    assert.match(notANumber.body.error.message, /asOf must be the preview's asOf/);
  });
});

describe("an archived product", () => {
  test("its row is refused like an unknown sku, naming the product; restored, the file applies", async () => {
    const id = await idOf("COF-1000");
    assert.equal((await api.call("POST", `/api/v1/products/${id}/archive`, {})).status, 200);
    try {
      const before = await shopState();
      const seen = await preview("stocktake", fixture("stocktake.csv"));
      assert.equal(seen.status, 200, JSON.stringify(seen.body));
      assert.equal(seen.body.canApply, false);
      assert.deepEqual(
        seen.body.unknown.map((row) => [row.line, row.sku]),
        [[3, "COF-1000"]],
      );
      assert.match(seen.body.unknown[0].message, /is archived; restore it or remove this row/);
      const refused = await apply("kind=stocktake&reason=stocktake", fixture("stocktake.csv"));
      assert.equal(refused.status, 400, JSON.stringify(refused.body));
      assert.equal(refused.body.error.code, "IMPORT_INVALID");
      assert.deepEqual(await shopState(), before);
    } finally {
      assert.equal((await api.call("POST", `/api/v1/products/${id}/restore`, {})).status, 200);
    }
    const applied = await apply("kind=stocktake&reason=stocktake", fixture("stocktake.csv"));
    assert.equal(applied.status, 200, JSON.stringify(applied.body));
  });
});

describe("between preview and apply", () => {
  test("a product changed after the preview: 409 naming its line, nothing applied", async () => {
    const seen = await preview("stocktake", fixture("stocktake.csv"));
    assert.equal((await api.adjust(await idOf("TEA-GRN-50"), { delta: -1, reason: "sale" })).status, 200);
    const before = await shopState();
    const answer = await apply(`kind=stocktake&reason=stocktake&asOf=${seen.body.asOf}`, fixture("stocktake.csv"));
    assert.equal(answer.status, 409, JSON.stringify(answer.body));
    assert.equal(answer.body.error.code, "PREVIEW_STALE");
    assert.deepEqual(answer.body.error.lines, [5]);
    assert.match(answer.body.error.message, /line 5 changed after the preview: preview the file again/);
    assert.deepEqual(await shopState(), before);

    const again = await preview("stocktake", fixture("stocktake.csv"));
    const applied = await apply(`kind=stocktake&reason=stocktake&asOf=${again.body.asOf}`, fixture("stocktake.csv"));
    assert.equal(applied.status, 200, JSON.stringify(applied.body));
  });

  test("a preview older than the kept history: 409, since a change after it cannot be ruled out", async () => {
    const seen = await preview("stocktake", fixture("stocktake.csv"));
    const other = (await api.products()).body.products.find(
      (product: { sku: string }) => !SHOP.some((shop) => shop.sku === product.sku),
    );
    for (const delta of [1, -1]) assert.equal((await api.adjust(other.id, { delta })).status, 200);
    // What the retention sweep does to events past EVENT_RETENTION_DAYS.
    await stack.db.productEvent.deleteMany({ where: { id: { lte: BigInt(seen.body.asOf) + BigInt(1) } } });
    const before = await shopState();
    const answer = await apply(`kind=stocktake&reason=stocktake&asOf=${seen.body.asOf}`, fixture("stocktake.csv"));
    assert.equal(answer.status, 409, JSON.stringify(answer.body));
    assert.equal(answer.body.error.code, "PREVIEW_STALE");
    assert.match(answer.body.error.message, /older than the kept history/);
    assert.deepEqual(await shopState(), before);
  });

  test("a keyed apply retried answers the first answer and applies once; another file with the key is 422", async () => {
    const seen = await preview("prices", fixture("prices-de.csv"));
    const query = `kind=prices&reason=prices&asOf=${seen.body.asOf}`;
    const key = { "idempotency-key": `import-${seen.body.asOf}` };
    const first = await apply(query, fixture("prices-de.csv"), key);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    const events = await stack.db.productEvent.count();
    const retry = await apply(query, fixture("prices-de.csv"), key);
    assert.equal(retry.status, 200);
    assert.deepEqual(retry.body, first.body);
    assert.equal(retry.headers.get("idempotent-replayed"), "true");
    assert.equal(await stack.db.productEvent.count(), events);
    const other = await apply(query, "sku;price\nCOF-250;1,00\n", key);
    assert.equal(other.status, 422);
    assert.equal(other.body.error.code, "IDEMPOTENCY_KEY_REUSED");
  });

  test("a keyed apply refused for its file or query is not kept: the key applies the corrected request", async () => {
    // Docs (Idempotent writes): answers given before the change began are not kept. A file that
    // cannot be read or has invalid cells, or an asOf no preview answered, is such an answer.
    const before = await shopState();
    const key = { "idempotency-key": `import-refused-${Date.now()}` };
    const broken = await apply("kind=stocktake&reason=count", "sku,count\nCOF-250,=1+1\n", key);
    assert.equal(broken.status, 400, JSON.stringify(broken.body));
    assert.equal(broken.body.error.code, "IMPORT_INVALID");
    const empty = await apply("kind=stocktake&reason=count", "", key);
    assert.equal(empty.status, 400);
    assert.equal(empty.body.error.code, "CSV_EMPTY");
    const future = (BigInt(await newestEventId()) + BigInt(1_000_000)).toString();
    const early = await apply(`kind=stocktake&reason=count&asOf=${future}`, "sku,count\nCOF-250,1\n", key);
    assert.equal(early.status, 400);
    assert.equal(early.body.error.code, "VALIDATION_FAILED");
    assert.deepEqual(await shopState(), before);
    const fixed = await apply("kind=stocktake&reason=count", "sku,count\nCOF-250,1\n", key);
    assert.equal(fixed.status, 200, JSON.stringify(fixed.body));
    assert.equal(fixed.body.changed, 1);
  });
});

describe("round trip: the products export imports back as a stocktake or a price list", () => {
  // Rule of the product: stock moves while people work (a till sells during every edit), so no
  // write may carry a value its sender did not change. The export's expectedStock/expectedPrice
  // columns are the values each row was taken at; a row still at that value is no change.
  const exportFile = async () => {
    const exported = await fetch(`${server.baseUrl}/api/v1/products.csv`, {
      headers: { authorization: `Bearer ${stack.adminToken}` },
    });
    assert.equal(exported.status, 200);
    return new Uint8Array(await exported.arrayBuffer());
  };
  /** The export with cells changed, as a spreadsheet saves it again: `edits[sku][column] = value`. */
  const edited = (file: Uint8Array, edits: Record<string, Record<string, string>>) => {
    const [header, ...rows] = parse(Buffer.from(file), { bom: true }) as string[][];
    for (const row of rows) {
      for (const [column, value] of Object.entries(edits[row[header.indexOf("sku")]] ?? {})) {
        assert.ok(header.includes(column), column);
        row[header.indexOf(column)] = value;
      }
    }
    return stringify([header, ...rows], { record_delimiter: "windows" });
  };
  const product = (sku: string) => stack.db.product.findUniqueOrThrow({ where: { sku } });
  const previewWith = (query: string, file: Uint8Array | string) =>
    send<ImportPreview>(`/api/v1/imports/preview?${query}`, file);

  test("an unchanged export previews nothing to change and applies no event, as a stocktake and as a price list", async () => {
    const file = await exportFile();
    const before = await shopState();
    const active = await stack.db.product.count({ where: { archivedAt: null } });
    for (const kind of ["stocktake", "prices"]) {
      const seen = await preview(kind, file);
      assert.equal(seen.status, 200, JSON.stringify(seen.body));
      assert.deepEqual(
        [seen.body.changes, seen.body.conflicts, seen.body.unknown, seen.body.invalid, seen.body.skipped],
        [[], [], [], [], []],
        kind,
      );
      assert.equal(seen.body.unchanged, active, kind);
      assert.equal(seen.body.canApply, true, kind);
      const answer = await apply(`kind=${kind}&reason=round%20trip&asOf=${seen.body.asOf}`, file);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.equal(answer.body.changed, 0, kind);
      assert.equal(answer.body.unchanged, active, kind);
      assert.deepEqual(answer.body.skipped, [], kind);
    }
    const stocktake = await preview("stocktake", file);
    assert.match(stocktake.body.notes.join(" "), /counts are read from the stock column/);
    assert.deepEqual(stocktake.body.ignoredColumns, [
      "id",
      "name",
      "lowStockThreshold",
      "stockLevel",
      "priceMinorUnits",
      "price",
      "currency",
      "version",
      "updatedAt",
      "expectedPrice",
    ]);
    assert.deepEqual(await shopState(), before, "no event written, no product changed");
  });

  test("a till sells after the export: the unchanged export does not put the sold units back", async () => {
    const file = await exportFile();
    const seenEarly = await preview("stocktake", file);
    // The till sells 2 after the export and after the preview.
    assert.equal((await api.adjust(await idOf("COF-250"), { delta: -2, reason: "till" })).status, 200);
    const before = await shopState();
    const seen = await preview("stocktake", file);
    assert.deepEqual(seen.body.changes, []);
    assert.deepEqual(seen.body.conflicts, []);
    // Applied with the earlier preview's asOf too: a guarded row is checked by its guard, not refused as stale.
    for (const asOf of [seenEarly.body.asOf, seen.body.asOf]) {
      const answer = await apply(`kind=stocktake&reason=round%20trip&asOf=${asOf}`, file);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.equal(answer.body.changed, 0);
    }
    assert.equal((await product("COF-250")).stock, 18, "the sale stands");
    assert.deepEqual(await shopState(), before);
  });

  test("one count edited: only that product changes; an edited count whose stock moved since is a conflict", async () => {
    const file = await exportFile();
    // COF-1000 recounted (4 -> 7); TEA-GRN-50 recounted too (25 -> 30), but a till sells one first.
    const counted = edited(file, { "COF-1000": { stock: "7" }, "TEA-GRN-50": { stock: "30" } });
    assert.equal((await api.adjust(await idOf("TEA-GRN-50"), { delta: -1, reason: "till" })).status, 200);
    const before = await shopState();
    const seen = await preview("stocktake", counted);
    assert.equal(seen.status, 200, JSON.stringify(seen.body));
    assert.deepEqual(
      seen.body.changes.map((change) => [change.sku, change.old, change.new]),
      [["COF-1000", 4, 7]],
    );
    assert.deepEqual(
      seen.body.conflicts.map(({ sku, expected, current, new: count }) => [sku, expected, current, count]),
      [["TEA-GRN-50", 25, 24, 30]],
    );
    assert.equal(seen.body.canApply, false);
    // Refused whole without conflicts=skip: the conflict is named, nothing is changed.
    const refused = await apply(`kind=stocktake&reason=recount&asOf=${seen.body.asOf}`, counted);
    assert.equal(refused.status, 409, JSON.stringify(refused.body));
    assert.equal(refused.body.error.code, "IMPORT_CONFLICT");
    assert.match(refused.body.error.message, /stock of the product on line \d+ moved since.*conflicts=skip/);
    assert.deepEqual(
      (refused.body.error.conflicts as Array<{ sku: string }>).map((conflict) => conflict.sku),
      ["TEA-GRN-50"],
    );
    assert.deepEqual(await shopState(), before);

    // Skipped on purpose: listed in the preview and the result; the one edited row applies, with one event.
    const skipping = await previewWith("kind=stocktake&conflicts=skip", counted);
    assert.equal(skipping.body.canApply, true);
    assert.deepEqual(
      skipping.body.skipped.map((row) => [row.sku, row.reason]),
      [["TEA-GRN-50", "conflict"]],
    );
    assert.match(skipping.body.skipped[0].message, /expectedStock 25, now 24\); its stock 30 was not applied/);
    const applied = await apply(`kind=stocktake&reason=recount&conflicts=skip&asOf=${skipping.body.asOf}`, counted);
    assert.equal(applied.status, 200, JSON.stringify(applied.body));
    assert.equal(applied.body.changed, 1);
    assert.deepEqual(applied.body.skipped, skipping.body.skipped);
    const events = await stack.db.productEvent.findMany({ where: { id: { gt: BigInt(skipping.body.asOf) } } });
    assert.deepEqual(
      events.map((event) => [event.sku, event.stock, event.delta, event.reason]),
      [["COF-1000", 7, 3, "recount"]],
    );
    assert.equal((await product("TEA-GRN-50")).stock, 24, "the sale stands, the conflicting count is not applied");
    const after = await shopState();
    assert.deepEqual(
      after.products.filter((row) => row.sku !== "COF-1000"),
      before.products.filter((row) => row.sku !== "COF-1000"),
      "only the edited product changed",
    );
  });

  test("an export without its expectedStock column (an older export, or the column deleted) is refused, not applied over a sale", async () => {
    const file = await exportFile();
    const [header, ...rows] = parse(Buffer.from(file), { bom: true }) as string[][];
    const guardAt = header.indexOf("expectedStock");
    const unguarded = stringify(
      [header, ...rows].map((row) => row.filter((_, i) => i !== guardAt)),
      { record_delimiter: "windows" },
    );
    // The till sells after the export: the file's stock cell for COF-250 is the one before the sale.
    assert.equal((await api.adjust(await idOf("COF-250"), { delta: -2, reason: "till" })).status, 200);
    const before = await shopState();
    for (const answer of [
      await preview("stocktake", unguarded),
      await apply("kind=stocktake&reason=old%20export", unguarded),
    ]) {
      assert.equal(answer.status, 400, JSON.stringify(answer.body));
      assert.equal(answer.body.error.code, "CSV_COLUMNS");
      assert.match(answer.body.error.message, /stock column .* needs its expectedStock column/);
    }
    assert.equal((await product("COF-250")).stock, 18, "the sale stands");
    assert.deepEqual(await shopState(), before);
  });

  test("an export with a row's stock and price both edited: each kind says the other's edit is not imported by it", async () => {
    const file = await exportFile();
    const both = edited(file, {
      "COF-1000": { stock: "7", price: "41.50" },
      "TEA-GRN-50": { price: "4.2" }, // the spreadsheet's 4.20 as a number: no edit
      "MLK-OAT-1L": { price: "2.49" },
    });
    const [header, ...rows] = parse(both) as string[][];
    const lineOf = (sku: string) => rows.findIndex((row) => row[header.indexOf("sku")] === sku) + 2;
    const stocktake = await preview("stocktake", both);
    assert.equal(stocktake.status, 200, JSON.stringify(stocktake.body));
    assert.deepEqual(
      stocktake.body.changes.map((change) => [change.sku, change.new]),
      [["COF-1000", 7]],
    );
    const [first, second] = [lineOf("COF-1000"), lineOf("MLK-OAT-1L")].sort((a, b) => a - b);
    assert.ok(
      stocktake.body.notes.includes(
        `Lines ${first}, ${second} also change the price, which a stocktake does not import: import the file as a price list too.`,
      ),
      JSON.stringify(stocktake.body.notes),
    );
    const prices = await preview("prices", both);
    assert.deepEqual(
      prices.body.changes.map((change) => [change.sku, change.new]),
      [
        ["COF-1000", 4150],
        ["MLK-OAT-1L", 249],
      ].sort((a, b) => lineOf(a[0] as string) - lineOf(b[0] as string)),
    );
    assert.ok(
      prices.body.notes.includes(
        `Line ${lineOf("COF-1000")} also changes the stock, which a price list does not import: import the file as a stocktake too.`,
      ),
      JSON.stringify(prices.body.notes),
    );
    // An unedited export says nothing of the kind.
    assert.ok(!(await preview("stocktake", file)).body.notes.some((note) => note.includes("also change")));
  });

  test("a hand-made count sheet with expected_stock: the guard works without the export", async () => {
    await api.adjust(await idOf("COF-250"), { delta: -3, reason: "till" }); // 20 -> 17
    const before = await shopState();
    const sheet = "SKU;Expected stock;Count\r\nCOF-250;20;20\r\nMLK-OAT-1L;6;5\r\nCUP-PAPER-8OZ;300;290\r\n";
    const seen = await preview("stocktake", sheet);
    assert.equal(seen.status, 200, JSON.stringify(seen.body));
    assert.deepEqual(seen.body.ignoredColumns, []);
    assert.deepEqual(
      seen.body.changes.map((change) => [change.sku, change.old, change.new]),
      [
        ["MLK-OAT-1L", 6, 5],
        ["CUP-PAPER-8OZ", 300, 290],
      ],
    );
    assert.equal(seen.body.unchanged, 1, "COF-250 counted as it was: the sale since is not undone");
    const edited20 = await preview("stocktake", "sku,expected_stock,count\nCOF-250,20,19\n");
    assert.deepEqual(
      edited20.body.conflicts.map(({ line, expected, current, new: count }) => [line, expected, current, count]),
      [[2, 20, 17, 19]],
    );
    assert.deepEqual(await shopState(), before);
  });

  test("price list: a price changed after the export stays; an edited price applies; an edited price that moved is a conflict", async () => {
    const file = await exportFile();
    // Another admin changes two prices after the export.
    assert.equal((await api.patch(await idOf("COF-250"), { priceCents: 1290 })).status, 200);
    assert.equal((await api.patch(await idOf("MLK-OAT-1L"), { priceCents: 259 })).status, 200);
    const unchanged = await preview("prices", file);
    assert.deepEqual([unchanged.body.changes, unchanged.body.conflicts], [[], []]);
    const kept = await apply(`kind=prices&reason=prices&asOf=${unchanged.body.asOf}`, file);
    assert.equal(kept.body.changed, 0);
    assert.equal((await product("COF-250")).priceCents, 1290, "the newer price is not reverted");

    // Edited in the file: TEA-GRN-50 (unmoved) and MLK-OAT-1L (moved since: a conflict).
    const prices = edited(file, { "TEA-GRN-50": { price: "4.50" }, "MLK-OAT-1L": { price: "2.49" } });
    const seen = await preview("prices", prices);
    assert.deepEqual(
      seen.body.changes.map((change) => [change.sku, change.old, change.new]),
      [["TEA-GRN-50", 420, 450]],
    );
    assert.deepEqual(
      seen.body.conflicts.map(({ sku, expected, current, new: price }) => [sku, expected, current, price]),
      [["MLK-OAT-1L", 239, 259, 249]],
    );
    const refused = await apply(`kind=prices&reason=prices&asOf=${seen.body.asOf}`, prices);
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error.code, "IMPORT_CONFLICT");
    const applied = await apply(`kind=prices&reason=prices&conflicts=skip&asOf=${seen.body.asOf}`, prices);
    assert.equal(applied.status, 200, JSON.stringify(applied.body));
    assert.equal(applied.body.changed, 1);
    assert.match(applied.body.skipped[0].message, /expectedPrice 2\.39, now 2\.59\); its price 2\.49 was not applied/);
    assert.deepEqual([(await product("TEA-GRN-50")).priceCents, (await product("MLK-OAT-1L")).priceCents], [450, 259]);
  });

  test("a price list in another currency than the shop's is refused naming the row and column", async () => {
    const before = await shopState();
    const answer = await preview("prices", "sku,price,currency\r\nCOF-250,12.00,USD\r\nCOF-1000,40.00,EUR\r\n");
    assert.deepEqual(
      answer.body.invalid.map((problem) => [problem.line, problem.column, problem.value]),
      [[2, "currency", "USD"]],
    );
    assert.match(answer.body.invalid[0].message, /prices here are in EUR, not USD/);
    const applied = await apply("kind=prices&reason=prices", "sku,price,currency\r\nCOF-250,12.00,USD\r\n");
    assert.equal(applied.status, 400);
    assert.equal(applied.body.error.code, "IMPORT_INVALID");
    assert.deepEqual(await shopState(), before);
  });

  test("a bad expectedStock cell or skip choice: 400 naming the row and column or the parameter, nothing changed", async () => {
    const before = await shopState();
    const bad = await preview("stocktake", "sku,count,expectedStock\nCOF-250,12,twelve\nCOF-1000,5,=A1\n");
    assert.deepEqual(
      bad.body.invalid.map((problem) => [problem.line, problem.column, problem.message]),
      [
        [2, "expectedStock", 'expectedStock must be a whole number of 0 or more, not "twelve"'],
        [3, "expectedStock", "a formula, not a value: save the sheet's values (paste as values) before exporting"],
      ],
    );
    const applied = await apply("kind=stocktake&reason=x", "sku,count,expectedStock\nCOF-250,12,-1\n");
    assert.equal(applied.status, 400);
    assert.equal(applied.body.error.code, "IMPORT_INVALID");
    assert.match(JSON.stringify(applied.body.error.invalid), /expectedStock cannot be negative/);
    for (const path of ["/api/v1/imports/preview?kind=stocktake&", "/api/v1/imports?kind=stocktake&reason=x&"]) {
      for (const parameter of ["unknownSkus", "conflicts"]) {
        const answer = await send(`${path}${parameter}=ignore`, "sku,count\nCOF-250,1\n");
        assert.equal(answer.status, 400, JSON.stringify(answer.body));
        assert.equal(answer.body.error.code, "VALIDATION_FAILED");
        assert.match(answer.body.error.message, new RegExp(`${parameter}: ${parameter} must be refuse .* or skip`));
      }
    }
    const twice = await preview("stocktake", "sku,count,expectedStock,expected_stock\nCOF-250,1,2,2\n");
    assert.equal(twice.status, 400);
    assert.equal(twice.body.error.code, "CSV_COLUMNS");
    assert.match(twice.body.error.message, /names the column expectedStock twice/);
    assert.deepEqual(await shopState(), before);
  });
});

describe("unknown skus skipped on purpose", () => {
  const file = "sku,count\nCOF-250,18\nGONE-1,3\nCOF-1000,9\nGONE-2,1\n";
  const skus = (rows: Array<{ sku: string }>) => rows.map((row) => row.sku);

  test("without the option the file is refused naming them; with it, they are listed in preview and result", async () => {
    const before = await shopState();
    const refused = await apply("kind=stocktake&reason=count", file);
    assert.equal(refused.status, 400, JSON.stringify(refused.body));
    assert.equal(refused.body.error.code, "IMPORT_INVALID");
    assert.match(refused.body.error.message, /GONE-1 \(line 3\), GONE-2 \(line 5\).*unknownSkus=skip/);
    // With the preview's asOf too (this used to fail on the unknown row before answering).
    const seenRefusing = await preview("stocktake", file);
    const refusedAsOf = await apply(`kind=stocktake&reason=count&asOf=${seenRefusing.body.asOf}`, file);
    assert.equal(refusedAsOf.status, 400, JSON.stringify(refusedAsOf.body));
    assert.equal(refusedAsOf.body.error.code, "IMPORT_INVALID");
    assert.deepEqual(await shopState(), before);

    const seen = await send<ImportPreview>("/api/v1/imports/preview?kind=stocktake&unknownSkus=skip", file);
    assert.equal(seen.status, 200, JSON.stringify(seen.body));
    assert.equal(seen.body.canApply, true);
    assert.deepEqual(skus(seen.body.unknown), ["GONE-1", "GONE-2"]);
    assert.deepEqual(
      seen.body.skipped.map((row) => [row.line, row.sku, row.reason, row.message]),
      [
        [3, "GONE-1", "unknown", "no product has sku GONE-1"],
        [5, "GONE-2", "unknown", "no product has sku GONE-2"],
      ],
    );
    assert.deepEqual(skus(seen.body.changes), ["COF-250", "COF-1000"]);
    const applied = await apply(`kind=stocktake&reason=count&unknownSkus=skip&asOf=${seen.body.asOf}`, file);
    assert.equal(applied.status, 200, JSON.stringify(applied.body));
    assert.deepEqual(
      { ...applied.body, lastEventId: undefined },
      {
        kind: "stocktake",
        rows: 4,
        changed: 2,
        unchanged: 0,
        skipped: seen.body.skipped,
        lastEventId: undefined,
      },
    );
    assert.deepEqual(
      [
        (await stack.db.product.findUniqueOrThrow({ where: { sku: "COF-250" } })).stock,
        (await stack.db.product.findUniqueOrThrow({ where: { sku: "COF-1000" } })).stock,
      ],
      [18, 9],
    );
  });

  test("an archived product's row is skipped with them; the rows applied are still all or nothing", async () => {
    const id = await idOf("MLK-OAT-1L");
    assert.equal((await api.call("POST", `/api/v1/products/${id}/archive`, {})).status, 200);
    try {
      const guarded = "sku,count,expectedStock\nCOF-250,18,20\nMLK-OAT-1L,1,6\nGONE-1,3,\nTEA-GRN-50,30,25\n";
      const seen = await send<ImportPreview>("/api/v1/imports/preview?kind=stocktake&unknownSkus=skip", guarded);
      assert.deepEqual(skus(seen.body.skipped), ["MLK-OAT-1L", "GONE-1"]);
      assert.match(seen.body.skipped[0].message, /is archived/);
      // A till sells TEA-GRN-50 before the apply: its row is a conflict, and unless it is
      // skipped too, no row applies (COF-250's count included).
      assert.equal((await api.adjust(await idOf("TEA-GRN-50"), { delta: -1 })).status, 200);
      const before = await shopState();
      const refused = await apply(`kind=stocktake&reason=count&unknownSkus=skip&asOf=${seen.body.asOf}`, guarded);
      assert.equal(refused.status, 409, JSON.stringify(refused.body));
      assert.equal(refused.body.error.code, "IMPORT_CONFLICT");
      assert.deepEqual(await shopState(), before);
    } finally {
      assert.equal((await api.call("POST", `/api/v1/products/${id}/restore`, {})).status, 200);
    }
  });
});

describe("10,000 rows", () => {
  test("preview lists every change; apply is one transaction with 10,000 events in file order", async () => {
    await stack.db.product.createMany({
      data: Array.from({ length: 10_000 }, (_, i) => ({
        sku: `BIG-${String(i).padStart(5, "0")}`,
        name: `Big shop item ${i}`,
        priceCents: 100,
        stock: 50,
        lowStockThreshold: 5,
      })),
    });
    // Descending sku: file order is not id order.
    const lines = Array.from({ length: 10_000 }, (_, i) => `BIG-${String(9_999 - i).padStart(5, "0")},${i % 100}`);
    const file = `sku,count\r\n${lines.join("\r\n")}\r\n`;
    const seen = await preview("stocktake", file);
    assert.equal(seen.status, 200);
    assert.equal(seen.body.canApply, true);
    assert.equal(seen.body.rows, 10_000);
    assert.equal(seen.body.changes.length + seen.body.unchanged, 10_000);
    assert.deepEqual(seen.body.changes[0], {
      line: 2,
      sku: "BIG-09999",
      productId: await idOf("BIG-09999"),
      name: "Big shop item 9999",
      version: 1,
      old: 50,
      new: 0,
    });

    // 10,000 events at once outgrow a live client's buffer: it is cut and resumes from its last
    // id (lib/events/session.ts), as EventSource does; the follower does the same.
    const feed = followFeed(`${server.baseUrl}${FEED}?lastEventId=${seen.body.asOf}`);
    const answer = await apply(`kind=stocktake&reason=stocktake%202026-11&asOf=${seen.body.asOf}`, file);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body.changed, seen.body.changes.length);
    await feed.waitFor(() => feed.events.length >= answer.body.changed, "every event");
    const events = feed.events;
    assert.deepEqual(
      events.map((event) => event.sku),
      seen.body.changes.map((change) => change.sku),
    );
    for (let i = 1; i < events.length; i++) assert.ok(BigInt(events[i].eventId) > BigInt(events[i - 1].eventId));
    // One transaction: now() is its start, the same for every event it wrote.
    const stored = await stack.db.productEvent.findMany({ where: { id: { gt: BigInt(seen.body.asOf) } } });
    assert.equal(new Set(stored.map((event) => event.createdAt.getTime())).size, 1);
    feed.stop();
  });
});
