// Bulk-write benchmark: how long POST /api/v1/stock-adjustments and POST /api/v1/stocktakes take
// with 1,000 items, against `npm start`'s production server on an embedded PostgreSQL.
//
//   npx tsx bench/bulk.ts                        # 30 runs of each, 1,000 items
//   BENCH_RUNS=50 BENCH_ITEMS=500 npx tsx bench/bulk.ts
//
// Each run is one request, sent after the previous answered, timed from "request sent" to
// "response read" on the client. Adjustments alternate +1 and -1 on the same 1,000 products
// (every item changes a product: 1,000 events); stocktakes alternate two counts (every item
// changes too). Prints median, p95 and max per kind, and checks every answer is a 200 with
// one event per item. One feed stream follows everything, so each event is also delivered.
// Loopback only; needs `next build` first. Never part of `npm test`.
import "../lib/supported-node";
import pg from "pg";
import { startStack } from "../scripts/stack";

const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const ITEMS = Number(process.env.BENCH_ITEMS ?? 1000);
const WARMUP_RUNS = 3;

// The tests' stack: an embedded PostgreSQL with the demo shop, and `npm start`'s server on it.
const stack = await startStack();
const client = new pg.Client({ connectionString: stack.databaseUrl });
await client.connect();
const { rows } = await client.query<{ id: number }>(
  `INSERT INTO "Product" (sku, name, "priceCents", stock, "lowStockThreshold", "updatedAt")
   SELECT 'BENCH-' || g, 'Bench product ' || g, 100, 1000, 10, now() FROM generate_series(1, $1::int) AS g
   RETURNING id`,
  [ITEMS],
);
const ids = rows.map((row) => row.id);

const server = await stack.startServer();
const { baseUrl } = server;
const adminToken = stack.adminToken;

try {
  const feedAbort = new AbortController();
  const feed = await fetch(`${baseUrl}/api/v1/stream/product-updates`, { signal: feedAbort.signal });
  void feed.body?.pipeTo(new WritableStream()).catch(() => {});

  async function post(route: string, body: unknown): Promise<number> {
    const started = performance.now();
    const response = await fetch(`${baseUrl}${route}`, {
      method: "POST",
      headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const answer = (await response.json()) as { products?: unknown[]; changed?: number; error?: unknown };
    const elapsed = performance.now() - started;
    if (response.status !== 200 || answer.products?.length !== ITEMS) {
      throw new Error(`${route}: ${response.status} ${JSON.stringify(answer).slice(0, 300)}`);
    }
    if (answer.changed !== undefined && answer.changed !== ITEMS)
      throw new Error(`${route}: changed ${answer.changed}`);
    return elapsed;
  }

  const kinds: Array<[string, (run: number) => Promise<number>]> = [
    [
      "stock-adjustments",
      (run) =>
        post("/api/v1/stock-adjustments", {
          reason: "bench",
          items: ids.map((productId) => ({ productId, delta: run % 2 ? -1 : 1 })),
        }),
    ],
    [
      "stocktakes",
      (run) =>
        post("/api/v1/stocktakes", {
          reason: "bench",
          items: ids.map((productId) => ({ productId, count: run % 2 ? 500 : 600 })),
        }),
    ],
  ];
  const percentile = (sorted: number[], p: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
  console.log(
    `${ITEMS} items per request, ${RUNS} runs each after ${WARMUP_RUNS} warm-up runs, Node ${process.version}`,
  );
  console.log("| request | median ms | p95 ms | max ms |");
  console.log("| ------- | --------- | ------ | ------ |");
  for (const [name, run] of kinds) {
    // Each request alternates with the one before, so every item changes its product.
    for (let i = 0; i < WARMUP_RUNS; i++) await run(i);
    const times: number[] = [];
    for (let i = WARMUP_RUNS; i < WARMUP_RUNS + RUNS; i++) times.push(await run(i));
    times.sort((a, b) => a - b);
    const format = (ms: number) => ms.toFixed(1);
    console.log(
      `| POST /api/v1/${name} | ${format(percentile(times, 0.5))} | ${format(percentile(times, 0.95))} | ${format(times.at(-1)!)} |`,
    );
  }
  const [{ events }] = (
    await client.query<{ events: string }>(`SELECT count(*) AS events FROM "ProductEvent" WHERE sku LIKE 'BENCH-%'`)
  ).rows;
  const expected = 2 * (RUNS + WARMUP_RUNS) * ITEMS;
  console.log(`events written: ${events} (expected ${expected})`);
  if (Number(events) !== expected) process.exitCode = 1;
  feedAbort.abort();
} finally {
  await client.end();
  await stack.stop();
}
