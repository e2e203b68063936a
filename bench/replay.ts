// Replay benchmark: many feed clients resume far behind at once (a reconnect storm after a
// restart, or an attacker), while a member of staff writes. Against `npm start`'s production
// server (or the route handler) on the real database.
//
//   npx tsx bench/replay.ts                                   # 200 resumes 9,999 events behind
//   BENCH_RESUMES=200 BENCH_ADDRESSES=10 npx tsx bench/replay.ts
//   BENCH_CATCH_UP=latest npx tsx bench/replay.ts             # ?catchUp=latest (conflated)
//   BENCH_TRANSPORT=route-handler npx tsx bench/replay.ts
//   BENCH_CPU_PROFILE=/tmp/prof npx tsx bench/replay.ts && npx tsx bench/profile-summary.ts /tmp/prof/*.cpuprofile
//
// Builds 10,000 events (BENCH_PRODUCTS (1,000) products, each counted BENCH_STOCKTAKES (10)
// times), restarts the server (its recent log empty: every resume reads the database; BENCH_WARM=1
// keeps the instance that saw them), then: (1) idle: BENCH_WRITES (100) stock adjustments one after another, latency from
// "request sent" to "response read"; (2) during: BENCH_RESUMES (200) streams resume from the
// event 9,999 events behind the newest, from BENCH_ADDRESSES (1) loopback addresses
// (127.0.0.1, .2, ...), and the same writes run one after another until every stream has caught
// up. Prints write p50/p99/max for both, the server's CPU seconds and the bytes the streams
// received in (2), how long until every stream had caught up, and the server's event-loop lag
// p99 and busiest database connections as sampled during (2) (where a slow write waits).
// Loopback only; bounded in count and time. Needs `next build` first.
import "../lib/supported-node";
import { fork } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import pg from "pg";
import { startStack, type Transport } from "../scripts/stack";
import type { ReplayReport } from "./replay-client";

const PRODUCTS = Number(process.env.BENCH_PRODUCTS ?? 1000);
const STOCKTAKES = Number(process.env.BENCH_STOCKTAKES ?? 10);
const RESUMES = Number(process.env.BENCH_RESUMES ?? 200);
const ADDRESSES = Number(process.env.BENCH_ADDRESSES ?? 1);
const WRITES = Number(process.env.BENCH_WRITES ?? 100);
const CATCH_UP = process.env.BENCH_CATCH_UP ?? "all";
const TRANSPORT = (process.env.BENCH_TRANSPORT ?? "node") as Transport;
/** The replay phase ends when every stream has caught up, or after this long. */
const WINDOW_MS = Number(process.env.BENCH_WINDOW_MS ?? 120_000);
const profileDir = process.env.BENCH_CPU_PROFILE ? path.resolve(process.env.BENCH_CPU_PROFILE) : null;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const stack = await startStack({
  env: {
    // One load generator on loopback is far past a shop's traffic: lift the abuse limits so the
    // bench measures the replay, not them (the replay budget is what is under test).
    FEED_MAX_STREAMS_PER_ADDRESS: "100000",
    RATE_LIMIT_PER_TOKEN_PER_MINUTE: "100000000",
    RATE_LIMIT_PER_ADDRESS_PER_MINUTE: "100000000",
    // The writes made while the resumes start must not push them past the limit (a reset).
    FEED_REPLAY_MAX_EVENTS: "20000",
    ...(profileDir ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profileDir}` } : {}),
    ...Object.fromEntries(Object.entries(process.env).filter(([name]) => name.startsWith("FEED_REPLAY_"))),
  },
});
let server = await stack.startServer({ transport: TRANSPORT });
const url = () => new URL(server.baseUrl);
let agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      {
        host: url().hostname,
        port: url().port,
        path,
        method,
        agent,
        headers: {
          authorization: `Bearer ${stack.adminToken}`,
          ...(payload ? { "content-type": "application/json", "content-length": Buffer.byteLength(payload) } : {}),
          ...headers,
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

let delta = 1;
async function timedWrite(): Promise<number> {
  const started = performance.now();
  delta = -delta;
  const answer = await request("POST", "/api/v1/products/1/stock-adjustments", { delta, reason: "replay bench" });
  if (answer.status !== 200) throw new Error(`write: ${answer.status} ${answer.body.slice(0, 300)}`);
  return performance.now() - started;
}

// The history: PRODUCTS products, each counted STOCKTAKES times.
const rows = await stack.db.$queryRaw<Array<{ id: number }>>`
  INSERT INTO "Product" (sku, name, "priceCents", stock, "lowStockThreshold", "updatedAt")
  SELECT 'REPLAY-' || lpad(g::text, 5, '0'), 'Replay product ' || g, 100, 1000, 10, now()
  FROM generate_series(1, ${PRODUCTS}::int) AS g RETURNING id`;
for (let count = 1; count <= STOCKTAKES; count++) {
  const items = rows.map((row) => ({ productId: row.id, count }));
  const answer = await request("POST", "/api/v1/stocktakes", { items, reason: "replay bench" });
  if (answer.status !== 200) throw new Error(`stocktake: ${answer.status} ${answer.body.slice(0, 300)}`);
}
// Cold (the default): a restarted instance, whose recent log is empty, so every resume reads the
// database (a reconnect storm after a deploy). BENCH_WARM=1: the instance that saw the history.
if (process.env.BENCH_WARM !== "1") {
  await server.stop();
  server = await stack.startServer({ transport: TRANSPORT });
  agent.destroy();
  agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
}

// Warm-up, then idle.
for (let i = 0; i < 20; i++) await timedWrite();
const idle: number[] = [];
for (let i = 0; i < WRITES; i++) idle.push(await timedWrite());

// Resume from the event with PRODUCTS * STOCKTAKES - 1 (9,999) events after it.
const [{ id: fromId }] = await stack.db.$queryRaw<Array<{ id: bigint }>>`
  SELECT id FROM "ProductEvent" ORDER BY id DESC OFFSET ${PRODUCTS * STOCKTAKES - 1} LIMIT 1`;
const from = fromId;
const last = (await stack.db.productEvent.aggregate({ _max: { id: true } }))._max.id!;
const behind = await stack.db.productEvent.count({ where: { id: { gt: from } } });

const percentile = (values: number[], share: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))] ?? NaN;
};
const summary = (values: number[]) =>
  `p50 ${percentile(values, 0.5).toFixed(1)} ms, p99 ${percentile(values, 0.99).toFixed(1)} ms, max ${Math.max(...values).toFixed(1)} ms (${values.length} writes)`;

function cpuSeconds(pid: number) {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in ticks of 10 ms
}

const metric = (name: string) => server.metric(name);

const database = new pg.Client({ connectionString: stack.databaseUrl });
await database.connect();
await metric("nodejs_eventloop_lag_p99_seconds"); // resets the lag histogram
const cpuBefore = cpuSeconds(server.pid);
const started = performance.now();
const clients = fork(
  path.join(import.meta.dirname, "replay-client.ts"),
  [url().hostname, url().port, String(from), String(last), String(RESUMES), String(ADDRESSES), CATCH_UP],
  { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] },
);
let finished = false;
let caughtUp = false;
const report = new Promise<ReplayReport>((resolve) =>
  clients.once("message", (message: ReplayReport) => resolve(message)),
);
const allDone = report.then(() => (finished = caughtUp = true));
const during: number[] = [];
const lags: number[] = [];
let busiest = 0;
const sampler = (async () => {
  while (!finished) {
    lags.push((await metric("nodejs_eventloop_lag_p99_seconds")) * 1000);
    const [{ active }] = (
      await database.query<{ active: number }>(
        `SELECT count(*)::int AS active FROM pg_stat_activity
         WHERE state = 'active' AND query LIKE '%ProductEvent%' AND pid <> pg_backend_pid()`,
      )
    ).rows;
    busiest = Math.max(busiest, active);
    await sleep(250);
  }
})();
const writer = (async () => {
  while (!finished && performance.now() - started < WINDOW_MS) during.push(await timedWrite());
})();
await Promise.race([allDone, sleep(WINDOW_MS)]);
const elapsed = performance.now() - started;
finished = true;
await Promise.all([writer, sampler]);
const cpu = cpuSeconds(server.pid) - cpuBefore;
clients.kill();
const { bytes, resets, statuses } = await Promise.race([report, { bytes: NaN, resets: NaN, statuses: [] }]);
console.log(
  `replay bench: ${TRANSPORT}, ${RESUMES} resumes ${behind} events behind (catchUp=${CATCH_UP}) from ${ADDRESSES} address(es)`,
);
console.log(`  writes idle:            ${summary(idle)}`);
console.log(`  writes during replays:  ${summary(during)}`);
console.log(
  `  replays: ${caughtUp ? "all caught up" : "not all caught up"} in ${(elapsed / 1000).toFixed(1)} s (status ${statuses.join(",")}, ${resets} reset); ` +
    `${(bytes / 1024 / 1024).toFixed(1)} MiB sent; server CPU ${cpu.toFixed(1)} s`,
);
console.log(
  `  server event-loop lag p99 (per 250 ms sample): median ${percentile(lags, 0.5).toFixed(0)} ms, ` +
    `max ${Math.max(...lags).toFixed(0)} ms; most database connections busy on ProductEvent at once: ${busiest}`,
);
await database.end();
agent.destroy();
await stack.stop();
