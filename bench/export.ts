// CSV export benchmark: streams a 100,000-event history export (GET /api/v1/events.csv) and a
// 5,000-product export (GET /api/v1/products.csv) from the production server (`npm start`'s,
// scripts/server.ts) and the same history from a plain node:http floor (bench/floor-csv.ts: the
// same query, columns and csv-stringify, no framework), in one run. Reports each download's time
// and size, and the serving process's resident memory before and at its peak (sampled every
// 10 ms), so a server that buffered the export would show it.
//
//   npx next build && node --import tsx bench/export.ts
import "../lib/supported-node";
import { spawn } from "node:child_process";
import path from "node:path";
import { freePort } from "../scripts/embedded-postgres";
import { startStack } from "../scripts/stack";
import { productWithHistory, rssMiB } from "./support";

const EVENTS = 100_000;
const PRODUCTS = 5_000;
const root = path.join(import.meta.dirname, "..");

/** V8 heap in use in a StockPulse server (its /api/metrics), in MiB; null for the floor. */
let heapOf: ((baseUrl: string) => Promise<number>) | null = null;

/** Downloads `url` to the end, sampling `pid`'s resident memory (and a server's heap) meanwhile. */
async function measure(label: string, url: string, pid: number, headers: Record<string, string> = {}) {
  const before = rssMiB(pid);
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(pid))), 10);
  const origin = new URL(url).origin;
  const stockpulse = "authorization" in headers && heapOf !== null;
  const heapBefore = stockpulse ? await heapOf!(origin) : NaN;
  let heapPeak = heapBefore;
  let sampling = stockpulse;
  const heapSampler = (async () => {
    while (sampling) {
      heapPeak = Math.max(heapPeak, await heapOf!(origin));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  const started = performance.now();
  const response = await fetch(url, { headers });
  if (!response.ok) throw new Error(`${label}: ${response.status} ${await response.text()}`);
  let bytes = 0;
  let lines = 0;
  const reader = response.body!.getReader();
  for (let next = await reader.read(); !next.done; next = await reader.read()) {
    bytes += next.value.byteLength;
    for (const byte of next.value) if (byte === 10) lines++;
  }
  const ms = performance.now() - started;
  clearInterval(sampler);
  sampling = false;
  await heapSampler;
  peak = Math.max(peak, rssMiB(pid));
  return {
    label,
    rows: lines - 1,
    mib: bytes / 1024 / 1024,
    ms,
    rssBeforeMiB: before,
    rssPeakMiB: peak,
    heapBefore,
    heapPeak,
  };
}

const stack = await startStack();
const server = await stack.startServer();
heapOf = async (baseUrl) => {
  const text = await (
    await fetch(`${baseUrl}/api/metrics`, { headers: { authorization: `Bearer ${stack.metricsToken}` } })
  ).text();
  return Number(/^nodejs_heap_size_used_bytes (\S+)/m.exec(text)![1]) / 1024 / 1024;
};
const product = await productWithHistory(stack, "BENCH-HISTORY", "Bench history product", EVENTS);
await stack.db.$executeRaw`
  INSERT INTO "Product" (sku, name, "priceCents", stock, "lowStockThreshold", "updatedAt")
  SELECT 'BENCH-' || g, 'Bench product ' || g, 100 + g, g % 50, 10, now() FROM generate_series(1, ${PRODUCTS}) AS g`;
await stack.db.$executeRaw`ANALYZE`;

const floorPort = await freePort();
const floor = spawn(process.execPath, ["--import", "tsx", path.join(root, "bench", "floor-csv.ts")], {
  cwd: root,
  env: { ...process.env, PORT: String(floorPort), DATABASE_URL: stack.databaseUrl },
  stdio: ["ignore", "inherit", "inherit"],
});
for (let attempt = 0; ; attempt++) {
  try {
    await fetch(`http://127.0.0.1:${floorPort}/`, { method: "HEAD" });
    break;
  } catch {
    if (attempt > 100) throw new Error("the floor did not start");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const auth = { authorization: `Bearer ${stack.adminToken}` };
const history = `/api/v1/events.csv?productId=${product.id}`;
const floorHistory = `http://127.0.0.1:${floorPort}/?productId=${product.id}`;
// The first export of a fresh process runs cold code and grows V8's heap before it collects;
// its figures are printed as "first", then the steady state.
const results: Array<Awaited<ReturnType<typeof measure>>> = [];
results.push(await measure("StockPulse history (first)", `${server.baseUrl}${history}`, server.pid, auth));
results.push(await measure("floor history (first)", floorHistory, floor.pid!));
await measure("warm-up", `${server.baseUrl}/api/v1/products.csv`, server.pid, auth);
for (let round = 0; round < 3; round++) {
  await server.collectGarbage();
  results.push(await measure("StockPulse history", `${server.baseUrl}${history}`, server.pid, auth));
  results.push(await measure("floor history", floorHistory, floor.pid!));
  await server.collectGarbage();
  results.push(
    await measure("StockPulse products", `${server.baseUrl}/api/v1/products.csv?sort=name`, server.pid, auth),
  );
}

console.table(
  results.map((result) => ({
    export: result.label,
    rows: result.rows,
    MiB: result.mib.toFixed(1),
    ms: result.ms.toFixed(0),
    "rows/s": Math.round((result.rows / result.ms) * 1000),
    "RSS before MiB": result.rssBeforeMiB.toFixed(0),
    "RSS peak MiB": result.rssPeakMiB.toFixed(0),
    "RSS growth MiB": (result.rssPeakMiB - result.rssBeforeMiB).toFixed(0),
    "heap before MiB": Number.isNaN(result.heapBefore) ? "-" : result.heapBefore.toFixed(0),
    "heap peak MiB": Number.isNaN(result.heapPeak) ? "-" : result.heapPeak.toFixed(0),
  })),
);
const median = (label: string) => {
  const times = results.filter((result) => result.label === label).map((result) => result.ms);
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
};
const [ours, floorMs] = [median("StockPulse history"), median("floor history")];
console.log(
  `history export of ${EVENTS} events, median of 3: StockPulse ${ours.toFixed(0)} ms, floor ${floorMs.toFixed(0)} ms, ratio ${(ours / floorMs).toFixed(2)}x`,
);

floor.kill("SIGTERM");
await stack.stop();
