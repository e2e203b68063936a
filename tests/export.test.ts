// CSV exports (GET /api/v1/events.csv, GET /api/v1/products.csv): they parse back (csv-parse) to
// the values the JSON API gives, formulas are neutralised, the file names carry the date, and a
// large export is streamed from the database as the client reads, not built in memory first.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { parse } from "csv-parse/sync";
import { apiClient, type Api } from "./support/api";
import { ProductOrder } from "../lib/products/product-order";
import type { ProductDto, ProductHistoryEntry } from "../lib/products/dto";
import { startStack, type Server, type Stack } from "../scripts/stack";

let stack: Stack;
let server: Server;
let admin: Api;

before(async () => {
  stack = await startStack();
  server = await stack.startServer();
  admin = apiClient(server.baseUrl, stack.adminToken);
});
after(() => stack?.stop());

const auth = () => ({ authorization: `Bearer ${stack.adminToken}` });

/** Rows the server's CSV exports have read from the database (its /api/metrics). */
async function rowsRead() {
  const response = await fetch(`${server.baseUrl}/api/metrics`, {
    headers: { authorization: `Bearer ${stack.metricsToken}` },
  });
  return Number(/^stockpulse_csv_rows_read_total (\d+)/m.exec(await response.text())![1]);
}

async function download(path: string, headers: Record<string, string> = auth()) {
  const response = await fetch(`${server.baseUrl}${path}`, { headers });
  const bytes = new Uint8Array(await response.arrayBuffer());
  return { response, bytes, text: new TextDecoder().decode(bytes) };
}

const rowsOf = (text: string): Array<Record<string, string>> => parse(text, { bom: true, columns: true });

let skuCount = 0;
async function newProduct(
  fields: { name?: string; priceCents?: number; stock?: number; lowStockThreshold?: number } = {},
) {
  const sku = `EXP-${process.pid}-${++skuCount}`;
  const created = await admin.call("POST", "/api/v1/products", {
    sku,
    name: fields.name ?? `Export ${sku}`,
    priceCents: fields.priceCents ?? 1999,
    stock: fields.stock ?? 10,
    lowStockThreshold: fields.lowStockThreshold ?? 5,
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body as ProductDto;
}

describe("history export", () => {
  test("parses back to the values of the JSON history, with price in minor and major units", async () => {
    const product = await newProduct({ name: 'Crème brûlée, "grand"\nfor two', priceCents: 1205 });
    await admin.adjust(product.id, { delta: -3, reason: "sale; table 4" });
    await admin.patch(product.id, { priceCents: 5 });
    const { response, bytes, text } = await download(`/api/v1/events.csv?productId=${product.id}`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "text/csv; charset=utf-8");
    const today = new Date().toISOString().slice(0, 10);
    assert.equal(
      response.headers.get("content-disposition"),
      `attachment; filename="stockpulse-history-product-${product.id}-${today}.csv"`,
    );
    assert.deepEqual([...bytes.slice(0, 3)], [0xef, 0xbb, 0xbf], "a UTF-8 byte order mark for Excel");
    assert.match(text, /\r\n/);

    const json = (await admin.call("GET", `/api/v1/products/${product.id}/events`)).body
      .events as ProductHistoryEntry[];
    const rows = rowsOf(text);
    assert.equal(rows.length, 3);
    assert.deepEqual(
      rows.map((row) => ({
        eventId: row.eventId,
        at: row.at,
        productId: Number(row.productId),
        sku: row.sku,
        name: row.name,
        kind: row.kind,
        delta: row.delta === "" ? null : Number(row.delta),
        stock: Number(row.stock),
        lowStockThreshold: Number(row.lowStockThreshold),
        stockLevel: row.stockLevel,
        previousStockLevel: row.previousStockLevel === "" ? null : row.previousStockLevel,
        priceCents: Number(row.priceMinorUnits),
        version: Number(row.version),
        actor: row.actor,
        reason: row.reason === "" ? null : row.reason,
      })),
      json.map(
        ({
          eventId,
          at,
          productId,
          sku,
          name,
          kind,
          delta,
          stock,
          lowStockThreshold,
          stockLevel,
          previousStockLevel,
          priceCents,
          version,
          actor,
          reason,
        }) => ({
          eventId,
          at,
          productId,
          sku,
          name,
          kind,
          delta,
          stock,
          lowStockThreshold,
          stockLevel,
          previousStockLevel,
          priceCents,
          version,
          actor,
          reason,
        }),
      ),
    );
    assert.deepEqual(
      rows.map((row) => [row.price, row.currency]),
      [
        ["0.05", "EUR"],
        ["12.05", "EUR"],
        ["12.05", "EUR"],
      ],
    );
  });

  test("cells that a spreadsheet would run as formulas are written as text; numbers stay numbers", async () => {
    const product = await newProduct({ name: '=HYPERLINK("http://evil.example","click")' });
    for (const reason of ["+SUM(1,2)", "-2+3", "@cmd", "=1+1"]) await admin.adjust(product.id, { delta: -1, reason });
    const { text } = await download(`/api/v1/events.csv?productId=${product.id}`);
    const rows = rowsOf(text);
    assert.deepEqual(
      rows.map((row) => row.reason),
      ["'=1+1", "'@cmd", "'-2+3", "'+SUM(1,2)", ""],
    );
    assert.ok(rows.every((row) => row.name === `'=HYPERLINK("http://evil.example","click")`));
    assert.deepEqual(
      rows.map((row) => row.delta),
      ["-1", "-1", "-1", "-1", ""],
    );
    // No cell starts with a formula character, quoted or not.
    for (const line of text.split("\r\n").slice(1))
      for (const cell of line.split(",")) assert.doesNotMatch(cell, /^"?[=+@]/, line);
  });

  test("no text breaks a row: every control character and formula prefix in a name or reason round-trips in both exports", async () => {
    // Spreadsheets (and csv-parse given the choice) end a row at a bare LF or CR as at CRLF: an
    // unquoted one in a name or reason starts a forged row. NUL cannot be stored (400 elsewhere).
    const controls = [...Array.from({ length: 31 }, (_, i) => i + 1), 0x7f].map((code) => String.fromCharCode(code));
    const formulas = ["=1+1", "+1", "-1", "@SUM(A1)", "\uFF1D1", "\uFF0B1", "\uFF0D1", "\uFF201"];
    const forged = '\n999,FORGED,"x"\r\n=HYPERLINK("http://evil.example")\r';
    const texts = [...controls.map((c) => `a${c}b`), ...formulas, `ok${forged}end`, `a${controls.join("")}z`];
    const product = await newProduct({ name: `CTL ${process.pid} start` });
    for (const [i, text] of texts.entries()) {
      const patched = await admin.patch(product.id, { name: `CTL ${process.pid} ${i} ${text}` });
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      const adjusted = await admin.adjust(product.id, { delta: 1, reason: text });
      assert.equal(adjusted.status, 200, JSON.stringify(adjusted.body));
    }
    // Taken as a spreadsheet takes it: any of CRLF, LF or CR ends a row outside quotes.
    const strictRows = (text: string): string[][] =>
      parse(text, { bom: true, record_delimiter: ["\r\n", "\n", "\r"], relax_column_count: false });
    // A text cell starting with a formula character reads as text: csv-stringify prefixes a '.
    const asWritten = (value: string | null | undefined) =>
      value == null ? "" : /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/.test(value) ? `'${value}` : value;

    const json = (await admin.call("GET", `/api/v1/products/${product.id}/events?limit=1000`)).body
      .events as ProductHistoryEntry[];
    assert.equal(json.length, 1 + 2 * texts.length);
    const history = strictRows((await download(`/api/v1/events.csv?productId=${product.id}`)).text);
    assert.equal(history.length, 1 + json.length, "one row per event and the header, none forged");
    const [header, ...rows] = history;
    const at = (name: string) => header.indexOf(name);
    assert.deepEqual(
      rows.map((row) => [row[at("eventId")], row[at("name")], row[at("reason")]]),
      json.map((event) => [event.eventId, asWritten(event.name), asWritten(event.reason)]),
    );
    assert.ok(rows.every((row) => row.length === header.length));
    // Every stored text came back, each control character included.
    for (const text of texts)
      assert.ok(
        json.some((event) => event.reason === text.trim()),
        JSON.stringify(text),
      );

    const sku = product.sku;
    const products = strictRows((await download(`/api/v1/products.csv?q=${encodeURIComponent(sku)}`)).text);
    assert.equal(products.length, 2, "the header and the one product, none forged");
    const current = (await admin.call("GET", `/api/v1/products/${product.id}`)).body as ProductDto;
    assert.equal(products[1][products[0].indexOf("name")], asWritten(current.name));
    assert.equal(products[1][products[0].indexOf("sku")], sku);
  });

  test("anonymous readers get no actor or reason columns; the filters and their 400s are the history's", async () => {
    const product = await newProduct();
    await admin.adjust(product.id, { delta: 1, reason: "confidential" });
    const anonymous = await download(`/api/v1/events.csv?productId=${product.id}`, {});
    assert.equal(anonymous.response.status, 200);
    assert.ok(!anonymous.text.includes("confidential"));
    assert.deepEqual(Object.keys(rowsOf(anonymous.text)[0]).includes("actor"), false);
    const stockOnly = rowsOf((await download(`/api/v1/events.csv?productId=${product.id}&kind=stock`)).text);
    assert.deepEqual(
      stockOnly.map((row) => row.kind),
      ["stock"],
    );
    for (const query of ["kind=nope", "from=soon", "limit=5", "productId=x"]) {
      const refused = await download(`/api/v1/events.csv?${query}`);
      assert.equal(refused.response.status, 400, query);
      assert.match(refused.text, new RegExp(`"path":"${query.split("=")[0]}"`));
    }
    assert.equal((await download(`/api/v1/events.csv?actor=api%3Adefault`, {})).response.status, 401);
    assert.equal((await download(`/api/v1/events.csv?productId=99999999`)).response.status, 404);
  });

  test("a large export is streamed: the server reads pages only as fast as the client takes them", async () => {
    // 100,000 events of ~300 bytes: ~30 MB, far more than the socket buffers between server and
    // client hold. A server that read every page before (or while) sending, regardless of the
    // client, would read all 100,000 rows while this client holds only its first chunk.
    const product = await newProduct();
    await stack.db.$executeRaw`
      INSERT INTO "ProductEvent" ("productId", kind, sku, name, stock, "priceCents", "lowStockThreshold", version, actor, reason, "stockLevel")
      SELECT ${product.id}, 'stock', ${product.sku}, repeat('n', 200), g, 100, 5, g, 'api:bulk', 'bulk', stock_level(g, 5)
      FROM generate_series(1, 100000) AS g`;
    const readBefore = await rowsRead();
    const response = await fetch(`${server.baseUrl}/api/v1/events.csv?productId=${product.id}`, { headers: auth() });
    const reader = response.body!.getReader();
    const first = await reader.read();
    assert.ok(!first.done && first.value.byteLength > 0);
    // The client stops reading. The server fills the buffers between it and the client, then
    // waits: its count of rows read settles far below the export's size.
    // Settled: the same count five polls in a row.
    let settled = await rowsRead();
    for (let same = 0, polls = 0; same < 5; polls++) {
      assert.ok(polls < 600, "the export's reads never settled while the client did not read");
      await new Promise((resolve) => setTimeout(resolve, 100));
      const now = await rowsRead();
      same = now === settled ? same + 1 : 0;
      settled = now;
    }
    const readWhilePaused = settled - readBefore;
    assert.ok(readWhilePaused < 50_000, `read ${readWhilePaused} rows while the client held one chunk`);

    // The oldest 1,000 (the export's last rows, not read yet) go before the client reads on.
    const oldest = await stack.db.productEvent.findMany({
      where: { productId: product.id },
      orderBy: { id: "asc" },
      take: 1000,
      select: { id: true },
    });
    await stack.db.productEvent.deleteMany({ where: { id: { in: oldest.map((event) => event.id) } } });
    const chunks = [first.value];
    for (let next = await reader.read(); !next.done; next = await reader.read()) chunks.push(next.value);
    const rows = rowsOf(new TextDecoder().decode(Buffer.concat(chunks)));
    assert.equal(rows.length, 100_000 + 1 - 1000);
    const deleted = new Set(oldest.map((event) => event.id.toString()));
    assert.ok(!rows.some((row) => deleted.has(row.eventId)));
    assert.ok(rows.every((row, index) => index === 0 || BigInt(row.eventId) < BigInt(rows[index - 1].eventId)));
  });
});

describe("an archived product", () => {
  test("its history exports whole, ending in the archive event; the products export leaves it out", async () => {
    const product = await newProduct({ name: "=Retired blend" });
    assert.equal((await admin.adjust(product.id, { delta: -2, reason: "sale" })).status, 200);
    const archived = await admin.call("POST", `/api/v1/products/${product.id}/archive`, { reason: "+discontinued" });
    assert.equal(archived.status, 200, JSON.stringify(archived.body));
    const history = await download(`/api/v1/events.csv?productId=${product.id}`);
    assert.equal(history.response.status, 200);
    const rows = rowsOf(history.text);
    assert.deepEqual(
      rows.map((row) => [row.kind, row.name, row.stock, row.reason]),
      [
        ["archived", "'=Retired blend", "8", "'+discontinued"],
        ["stock", "'=Retired blend", "8", "sale"],
        ["created", "'=Retired blend", "10", ""],
      ],
    );
    const products = rowsOf((await download("/api/v1/products.csv")).text);
    assert.ok(!products.some((row) => row.id === String(product.id)));
  });
});

describe("a client that goes away mid-export", () => {
  test("the server stops reading: the rows read stay far below the export's size", async () => {
    const product = await newProduct();
    await stack.db.$executeRaw`
      INSERT INTO "ProductEvent" ("productId", kind, sku, name, stock, "priceCents", "lowStockThreshold", version, actor, reason, "stockLevel")
      SELECT ${product.id}, 'stock', ${product.sku}, repeat('n', 200), g, 100, 5, g, 'api:bulk', 'bulk', stock_level(g, 5)
      FROM generate_series(1, 100000) AS g`;
    const readBefore = await rowsRead();
    const controller = new AbortController();
    const response = await fetch(`${server.baseUrl}/api/v1/events.csv?productId=${product.id}`, {
      headers: auth(),
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    const first = await reader.read();
    assert.ok(!first.done && first.value.byteLength > 0);
    controller.abort();
    let settled = await rowsRead();
    for (let same = 0, polls = 0; same < 5; polls++) {
      assert.ok(polls < 600, "the export's reads never settled after the client went away");
      await new Promise((resolve) => setTimeout(resolve, 100));
      const now = await rowsRead();
      same = now === settled ? same + 1 : 0;
      settled = now;
    }
    assert.ok(settled - readBefore < 50_000, `read ${settled - readBefore} rows after the client went away`);
  });
});

describe("products export", () => {
  test("the dashboard's view: its search, level filter and order (numeric, locale-aware collation)", async () => {
    const tag = `Ordr${process.pid}`;
    const names = [`${tag} item 10`, `${tag} item 9`, `${tag} Élan`, `${tag} apple`, `${tag} zebra`, `${tag} Item 2`];
    const made: ProductDto[] = [];
    for (const [index, name] of names.entries())
      made.push(await newProduct({ name, stock: index === 1 ? 0 : 50, priceCents: 100 * (index + 1) }));
    const snapshot = (await admin.products()).body.products as ProductDto[];
    for (const [sort, dir] of [
      ["name", "asc"],
      ["name", "desc"],
      ["sku", "desc"],
      ["price", "asc"],
      ["updated", "desc"],
    ] as const) {
      const { response, text } = await download(`/api/v1/products.csv?q=${tag.toLowerCase()}&sort=${sort}&dir=${dir}`);
      assert.equal(response.status, 200);
      // The browser's order: lib/products/product-order.ts in DISPLAY_LOCALE (en-GB here).
      const expected = new ProductOrder("en-GB")
        .sort(snapshot, sort, dir)
        .filter((product) => product.name.includes(tag))
        .map((product) => product.name);
      assert.deepEqual(
        rowsOf(text).map((row) => row.name),
        expected,
        `${sort} ${dir}`,
      );
    }
    const byName = rowsOf((await download(`/api/v1/products.csv?q=${tag}&sort=name`)).text).map((row) => row.name);
    assert.deepEqual(byName, [names[3], names[2], names[5], names[1], names[0], names[4]]);
    const out = rowsOf((await download(`/api/v1/products.csv?q=${tag}&filter=out`)).text);
    assert.deepEqual(
      out.map((row) => [row.name, row.stock, row.stockLevel, row.priceMinorUnits, row.price, row.currency]),
      [[names[1], "0", "out", "200", "2.00", "EUR"]],
    );
    const all = await download("/api/v1/products.csv");
    assert.match(
      all.response.headers.get("content-disposition") ?? "",
      /^attachment; filename="stockpulse-products-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    assert.equal(rowsOf(all.text).length, snapshot.length);
  });

  test("each row carries the stock and price it was taken at, last: the file imports back changing only what was edited", async () => {
    const made = await newProduct({ priceCents: 1205, stock: 7 });
    const { text } = await download(`/api/v1/products.csv?q=${made.sku}`);
    const [header] = parse(text, { bom: true, to: 1 }) as string[][];
    assert.deepEqual(header, [
      "id",
      "sku",
      "name",
      "stock",
      "lowStockThreshold",
      "stockLevel",
      "priceMinorUnits",
      "price",
      "currency",
      "version",
      "updatedAt",
      "expectedStock",
      "expectedPrice",
    ]);
    const [row] = rowsOf(text);
    assert.deepEqual([row.stock, row.expectedStock, row.price, row.expectedPrice], ["7", "7", "12.05", "12.05"]);
  });

  test("filter=reorder: every product at or below its threshold, out of stock (0) included", async () => {
    const tag = `Reord${process.pid}`;
    const [sold, atThreshold, above, zeroThreshold] = [
      await newProduct({ name: `${tag} sold out`, stock: 0, lowStockThreshold: 5 }),
      await newProduct({ name: `${tag} at threshold`, stock: 5, lowStockThreshold: 5 }),
      await newProduct({ name: `${tag} above`, stock: 6, lowStockThreshold: 5 }),
      await newProduct({ name: `${tag} none kept`, stock: 0, lowStockThreshold: 0 }),
    ];
    const shown = async (filter: string) =>
      rowsOf((await download(`/api/v1/products.csv?q=${tag}&filter=${filter}&sort=name`)).text).map((row) => [
        row.name,
        row.stock,
        row.lowStockThreshold,
        row.stockLevel,
      ]);
    assert.deepEqual(await shown("reorder"), [
      [atThreshold.name, "5", "5", "low"],
      [zeroThreshold.name, "0", "0", "out"],
      [sold.name, "0", "5", "out"],
    ]);
    assert.deepEqual(await shown("low"), [[atThreshold.name, "5", "5", "low"]]);
    // A sale takes the one above to its threshold: now it needs reordering too.
    assert.equal((await admin.adjust(above.id, { delta: -1, reason: "sale" })).status, 200);
    assert.deepEqual(
      (await shown("reorder")).map(([name]) => name),
      [above.name, atThreshold.name, zeroThreshold.name, sold.name],
    );
  });

  test("bad view parameters: 400 naming the parameter", async () => {
    for (const query of [
      "sort=colour",
      "dir=up",
      "filter=some",
      "filter=Reorder",
      "page=2",
      "filter=low&filter=out",
      "q=a&q=b",
    ]) {
      const refused = await download(`/api/v1/products.csv?${query}`);
      assert.equal(refused.response.status, 400, query);
      assert.match(refused.text, new RegExp(`"path":"${query.split("=")[0]}"`));
    }
  });
});
