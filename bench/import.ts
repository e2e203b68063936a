// CSV import benchmark: preview and apply of a 10,000-row stocktake and price list against
// `npm start`'s production server on an embedded PostgreSQL, beside a floor measured in the
// same run: the same 10,000 changes as one plain UPDATE statement sent with pg (no parsing, no
// events, no notifications, no HTTP).
//
//   npx tsx bench/import.ts                      # 5 runs of each, 10,000 rows
//   BENCH_RUNS=10 BENCH_ROWS=5000 npx tsx bench/import.ts
//
// Each run is one request, sent after the previous answered, timed from "request sent" to
// "response read" on the client. Applies alternate two values so every row changes its product
// (10,000 events each). The server's resident memory is sampled from /proc every 5 ms while a
// request runs: its peak, and its level before. One feed stream follows everything. Checks
// every answer and the event count. Loopback only; needs `next build` first. Never in `npm test`.
import "../lib/supported-node";
import fs from "node:fs";
import pg from "pg";
import { startStack } from "../scripts/stack";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const ROWS = Number(process.env.BENCH_ROWS ?? 10_000);
const WARMUP_RUNS = 1;

// The tests' stack: an embedded PostgreSQL with the demo shop, and `npm start`'s server on it.
const stack = await startStack();
const client = new pg.Client({ connectionString: stack.databaseUrl });
await client.connect();
const { rows: products } = await client.query<{ id: number; sku: string }>(
  `INSERT INTO "Product" (sku, name, "priceCents", stock, "lowStockThreshold", "updatedAt")
   SELECT 'IMPORT-' || lpad(g::text, 5, '0'), 'Import product ' || g, 100, 1000, 10, now()
   FROM generate_series(1, $1::int) AS g
   RETURNING id, sku`,
  [ROWS],
);
const server = await stack.startServer();
const { baseUrl } = server;
const adminToken = stack.adminToken;

/** The server process's resident memory now, in MiB (Linux /proc). */
const serverRss = () => {
  const status = fs.readFileSync(`/proc/${server.pid}/status`, "utf8");
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)![1]) / 1024;
};

/** Runs `request`, sampling the server's RSS meanwhile: elapsed ms and peak MiB. */
async function measured(request: () => Promise<void>): Promise<{ ms: number; peak: number }> {
  let peak = serverRss();
  const sampler = setInterval(() => (peak = Math.max(peak, serverRss())), 5);
  const started = performance.now();
  try {
    await request();
  } finally {
    clearInterval(sampler);
  }
  const ms = performance.now() - started;
  return { ms, peak: Math.max(peak, serverRss()) };
}

const stocktakeFile = (run: number) =>
  `sku,count\n${products.map((product) => `${product.sku},${run % 2 ? 500 : 600}`).join("\n")}\n`;
const priceFile = (run: number) =>
  `sku;price\n${products.map((product) => `${product.sku};${run % 2 ? "12,50" : "13,75"}`).join("\n")}\n`;

async function post(route: string, file: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${baseUrl}${route}`, {
    method: "POST",
    headers: { authorization: `Bearer ${adminToken}`, "content-type": "text/csv" },
    body: file,
  });
  const answer = (await response.json()) as Record<string, unknown>;
  if (response.status !== 200) throw new Error(`${route}: ${response.status} ${JSON.stringify(answer).slice(0, 300)}`);
  return answer;
}

try {
  const feedAbort = new AbortController();
  const feed = await fetch(`${baseUrl}/api/v1/stream/product-updates`, { signal: feedAbort.signal });
  void feed.body?.pipeTo(new WritableStream()).catch(() => {});

  type Step = [name: string, run: (run: number) => Promise<void>];
  const steps: Step[] = [];
  for (const [kind, file] of [
    ["stocktake", stocktakeFile],
    ["prices", priceFile],
  ] as const) {
    steps.push([
      `preview ${kind}`,
      async (run) => {
        const preview = await post(`/api/v1/imports/preview?kind=${kind}`, file(run));
        if ((preview.changes as unknown[]).length !== ROWS) throw new Error(`preview ${kind}: not every row changes`);
      },
    ]);
    steps.push([
      `apply ${kind}`,
      async (run) => {
        const applied = await post(`/api/v1/imports?kind=${kind}&reason=bench`, file(run));
        if (applied.changed !== ROWS) throw new Error(`apply ${kind}: changed ${applied.changed}`);
      },
    ]);
  }
  // The floor: the same changes as one plain statement, on one pg connection.
  const ids = products.map((product) => product.id);
  steps.push([
    "floor: one UPDATE via pg",
    async (run) => {
      const stock = ids.map(() => (run % 2 ? 500 : 600));
      await client.query(
        `UPDATE "Product" p SET stock = i.stock FROM unnest($1::int[], $2::int[]) AS i(id, stock) WHERE p.id = i.id`,
        [ids, stock],
      );
    },
  ]);

  const percentile = (sorted: number[], p: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
  console.log(`${ROWS} rows per file, ${RUNS} runs each after ${WARMUP_RUNS} warm-up run, Node ${process.version}`);
  console.log("| step | median ms | max ms | server RSS before, MiB | server peak RSS, MiB |");
  console.log("| ---- | --------- | ------ | ---------------------- | -------------------- |");
  const medians = new Map<string, number>();
  for (const [name, run] of steps) {
    for (let i = 0; i < WARMUP_RUNS; i++) await run(i);
    // Applies alternate with the run before, so every row changes its product.
    const before = serverRss();
    const times: number[] = [];
    let peak = 0;
    for (let i = WARMUP_RUNS; i < WARMUP_RUNS + RUNS; i++) {
      const result = await measured(() => run(i));
      times.push(result.ms);
      peak = Math.max(peak, result.peak);
    }
    times.sort((a, b) => a - b);
    medians.set(name, percentile(times, 0.5));
    console.log(
      `| ${name} | ${percentile(times, 0.5).toFixed(0)} | ${times.at(-1)!.toFixed(0)} | ${before.toFixed(0)} | ${peak.toFixed(0)} |`,
    );
  }
  const floor = medians.get("floor: one UPDATE via pg")!;
  for (const name of ["apply stocktake", "apply prices"]) {
    console.log(`${name}: ${(medians.get(name)! / floor).toFixed(1)}x the floor`);
  }
  const [{ events }] = (
    await client.query<{ events: string }>(`SELECT count(*) AS events FROM "ProductEvent" WHERE sku LIKE 'IMPORT-%'`)
  ).rows;
  const expected = 2 * (WARMUP_RUNS + RUNS) * ROWS;
  console.log(`events written: ${events} (expected ${expected})`);
  if (Number(events) !== expected) process.exitCode = 1;
  feedAbort.abort();
} finally {
  await client.end();
  await stack.stop();
}
