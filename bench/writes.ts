// Write-path benchmark: N concurrent writers, each doing POST /api/v1/products/{id}/stock-adjustments
// with the admin bearer token over a keep-alive connection for a fixed time, against StockPulse
// (`next start`) and against the floor (bench/floor-writes.ts: node:http + pg, the same SQL
// statement), with feed streams open on the same server.
//
//   npm run bench:writes                                  # nextjs and floor, 1 / 8 / 32 writers
//   BENCH_TARGETS=nextjs BENCH_WRITERS=8 BENCH_SECONDS=5 npm run bench:writes
//   BENCH_CPU_PROFILE=/tmp/prof BENCH_TARGETS=nextjs BENCH_WRITERS=8 npm run bench:writes
//   npx tsx bench/profile-summary.ts /tmp/prof/*.cpuprofile
//
// Per target and writer count: accepted writes/s (200 responses), latency p50/p99/max from
// "request sent" to "response read", the server's CPU per accepted write, and the exactly-once
// check: the ProductEvent rows added in the phase, and the distinct event ids each watcher
// stream received, must both equal the number of 200 responses, with no id received twice.
//
// Streams: BENCH_STREAMS (1,000) feed connections are held open through bench/load-client.ts.
// BENCH_WATCHERS (2) of them follow every product and count events by id; the others follow
// one product nobody writes (`?productIds=`), so the server holds and pings them and filters
// every event against them, but does not deliver each write 1,000 times: fan-out cost is
// bench/fanout.ts's subject, and at ~10-35 µs per delivery it would bound writes here to what
// 2 cores can deliver, not to what the write path can do.
//
// Writes alternate +1 and -1 per writer, spread over BENCH_PRODUCTS (10) products, so stock never
// falls below its start and every write is accepted unless something is wrong.
// Loopback only; every phase is bounded in time. Needs `next build` first.
import "../lib/supported-node";
import { fork, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { freePort, startEmbeddedPostgres, temporaryDataDir } from "../scripts/embedded-postgres";
import { migrateDatabase } from "../scripts/migrate";
import { nextBin } from "../scripts/bins";

const root = path.join(import.meta.dirname, "..");
const list = (value: string) => value.split(",").filter(Boolean);
const targetNames = list(process.env.BENCH_TARGETS ?? "nextjs,production,floor");
const writerCounts = list(process.env.BENCH_WRITERS ?? "1,8,32").map(Number);
const DURATION_MS = Number(process.env.BENCH_SECONDS ?? 10) * 1000;
const WARMUP_MS = 2000;
const STREAMS = Number(process.env.BENCH_STREAMS ?? 1000);
const WATCHERS = Math.min(STREAMS, Number(process.env.BENCH_WATCHERS ?? 2));
const PRODUCTS = Number(process.env.BENCH_PRODUCTS ?? 10);
const QUIET_PRODUCT = 50; // seeded, never written: what the non-watching streams follow
const profileDir = process.env.BENCH_CPU_PROFILE ? path.resolve(process.env.BENCH_CPU_PROFILE) : null;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const now = () => performance.now();

/**
 * How each target starts: node arguments (after any profiling flags) run in the repository root
 * with PORT, DATABASE_URL, NODE_ENV=production, ADMIN_API_TOKEN, ADMIN_EMAIL/ADMIN_PASSWORD set.
 * Each must answer GET /api/health, serve the feed at /api/v1/stream/product-updates and take
 * POST /api/v1/products/{id}/stock-adjustments. Adding a target is one entry.
 */
const TARGETS: Record<string, { args: (port: number) => string[] }> = {
  nextjs: { args: (port) => [nextBin, "start", "--port", String(port), "--hostname", "127.0.0.1"] },
  floor: { args: () => ["--import", "tsx", "bench/floor-writes.ts"] },
  // `npm start`'s production server: Next plus node:http for the feed and stock adjustments.
  production: {
    args: (port) => ["--import", "tsx", "scripts/server.ts", "--port", String(port), "--hostname", "127.0.0.1"],
  },
};
for (const name of targetNames) {
  if (!TARGETS[name]) throw new Error(`unknown target ${name}; known: ${Object.keys(TARGETS).join(", ")}`);
}
if (!fs.existsSync(path.join(root, ".next", "BUILD_ID"))) throw new Error("no build in .next/: run `npx next build`");

const dir = temporaryDataDir("stockpulse-bench-writes-");
const database = await startEmbeddedPostgres(path.join(dir, "pg"));
await migrateDatabase(database.url);
{
  const { createPrismaClient } = await import("../lib/db");
  const { seedDemoProducts } = await import("../prisma/seed");
  const prisma = createPrismaClient(database.url);
  await seedDemoProducts(prisma);
  await prisma.$disconnect();
}
const sql = new pg.Client({ connectionString: database.url });
await sql.connect();
const adminToken = randomBytes(24).toString("base64url");

const maxEventId = async () =>
  BigInt((await sql.query(`SELECT coalesce(max(id), 0)::text AS id FROM "ProductEvent"`)).rows[0].id);

function cpuMs(pid: number) {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in ticks of 10 ms
}

/** CPU of PostgreSQL (postmaster and every backend), in ms. */
function postgresCpuMs() {
  const postmaster = Number(fs.readFileSync(path.join(dir, "pg", "cluster", "postmaster.pid"), "utf8").split("\n")[0]);
  let total = cpuMs(postmaster);
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const fields = fs.readFileSync(`/proc/${entry}/stat`, "utf8").split(") ")[1].split(" ");
      if (Number(fields[1]) === postmaster) total += cpuMs(Number(entry));
    } catch {
      // gone
    }
  }
  return total;
}

/** Busy CPU time of the whole machine (all cores), in ms: shows load from other processes. */
function machineBusyMs() {
  const [, user, nice, system, , , irq, softirq, steal] = fs
    .readFileSync("/proc/stat", "utf8")
    .split("\n")[0]
    .split(/\s+/);
  return ((Number(user) + Number(nice) + Number(system) + Number(irq) + Number(softirq) + Number(steal)) * 1000) / 100;
}

function startTarget(name: string, port: number): ChildProcess {
  const profile = profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [];
  return spawn(process.execPath, [...profile, ...TARGETS[name].args(port)], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      DATABASE_URL: database.url,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      ADMIN_API_TOKEN: adminToken,
      // Production refuses to start without a first admin; nobody signs in here.
      ADMIN_EMAIL: "bench@stockpulse.local",
      ADMIN_PASSWORD: randomBytes(18).toString("base64url"),
      // One load generator on 127.0.0.1 with one token is far past a shop's traffic: lift the
      // abuse limits (README, "Who may do what") so the bench measures the server, not them.
      FEED_MAX_STREAMS_PER_ADDRESS: "1000000",
      RATE_LIMIT_PER_TOKEN_PER_MINUTE: "100000000",
      RATE_LIMIT_PER_ADDRESS_PER_MINUTE: "100000000",
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
}

async function waitHealthy(port: number, server: ChildProcess) {
  for (let attempt = 0; attempt < 300; attempt++) {
    if (server.exitCode !== null) throw new Error(`target on ${port} exited (${server.exitCode})`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/api/health`)).ok) return;
    } catch {
      // starting
    }
    await sleep(100);
  }
  throw new Error(`target on ${port} did not start`);
}

/** One feed stream that records every event id it receives (and how often). */
function watch(port: number) {
  const seen = new Map<bigint, number>();
  let buffer = "";
  const request = http.get({
    host: "127.0.0.1",
    port,
    path: "/api/v1/stream/product-updates",
    agent: false,
    headers: { accept: "text/event-stream" },
  });
  const opened = new Promise<void>((resolve, reject) => {
    request.on("error", reject);
    request.on("response", (response) => {
      if (response.statusCode !== 200) reject(new Error(`watcher got ${response.statusCode}`));
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        buffer += chunk;
        const end = buffer.lastIndexOf("\n\n");
        if (end < 0) return;
        for (const line of buffer.slice(0, end).split("\n")) {
          if (!line.startsWith("id: ")) continue;
          const id = BigInt(line.slice(4));
          seen.set(id, (seen.get(id) ?? 0) + 1);
        }
        buffer = buffer.slice(end + 2);
      });
      resolve();
    });
  });
  return { seen, opened, close: () => request.destroy() };
}

/** The background streams, held by one bench/load-client.ts process. */
async function holdStreams(port: number, count: number) {
  const generator = fork(
    path.join(import.meta.dirname, "load-client.ts"),
    ["sse", "127.0.0.1", String(port), `/api/v1/stream/product-updates?productIds=${QUIET_PRODUCT}`, String(count)],
    { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] },
  );
  await new Promise<void>((resolve) =>
    generator.on("message", (message: { type: string }) => message.type === "connected" && resolve()),
  );
  const report = () =>
    new Promise<{ open: number; failed: number }>((resolve) => {
      generator.on("message", (message: { type: string; open: number; failed: number }) => {
        if (message.type === "report") resolve(message);
      });
      generator.send({ type: "report" });
    });
  return { report, stop: () => generator.send({ type: "stop" }) };
}

type Phase = { accepted: number; statuses: Record<string, number>; latencies: number[]; elapsedMs: number };

/** `writers` loops, each one keep-alive connection, writing until `durationMs` has passed. */
async function runWriters(port: number, writers: number, durationMs: number): Promise<Phase> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: writers });
  const statuses: Record<string, number> = {};
  const latencies: number[] = [];
  let accepted = 0;
  const post = (productId: number, delta: number) =>
    new Promise<number>((resolve, reject) => {
      const body = JSON.stringify({ delta, reason: "bench" });
      const request = http.request(
        {
          host: "127.0.0.1",
          port,
          agent,
          method: "POST",
          path: `/api/v1/products/${productId}/stock-adjustments`,
          headers: {
            authorization: `Bearer ${adminToken}`,
            "content-type": "application/json",
            "content-length": Buffer.byteLength(body),
          },
        },
        (response) => {
          response.resume();
          response.on("end", () => resolve(response.statusCode ?? 0));
          response.on("error", reject);
        },
      );
      request.on("error", reject);
      request.end(body);
    });
  const started = now();
  const deadline = started + durationMs;
  await Promise.all(
    Array.from({ length: writers }, async (_, writer) => {
      const productId = (writer % PRODUCTS) + 1;
      for (let i = 0; now() < deadline; i++) {
        const sent = now();
        const status = await post(productId, i % 2 === 0 ? 1 : -1).catch(() => 0);
        latencies.push(now() - sent);
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status === 200) accepted++;
      }
    }),
  );
  const elapsedMs = now() - started;
  agent.destroy();
  return { accepted, statuses, latencies, elapsedMs };
}

const quantile = (sorted: number[], q: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN;

async function runTarget(name: string) {
  const port = await freePort();
  const server = startTarget(name, port);
  const results = [];
  try {
    await waitHealthy(port, server);
    const watchers = Array.from({ length: WATCHERS }, () => watch(port));
    await Promise.all(watchers.map((watcher) => watcher.opened));
    const streams = STREAMS > WATCHERS ? await holdStreams(port, STREAMS - WATCHERS) : null;
    await runWriters(port, 8, WARMUP_MS); // JIT, connection pools
    await sleep(500);

    for (const writers of writerCounts) {
      const before = await maxEventId();
      const cpuBefore = cpuMs(server.pid!);
      const [pgBefore, machineBefore, benchBefore] = [postgresCpuMs(), machineBusyMs(), process.cpuUsage()];
      const phase = await runWriters(port, writers, DURATION_MS);
      const cpuAfter = cpuMs(server.pid!);
      const [pgAfter, machineAfter, bench] = [postgresCpuMs(), machineBusyMs(), process.cpuUsage(benchBefore)];
      const after = await maxEventId();
      // The feed may lag the responses a little: wait (bounded) for every watcher to reach `after`.
      const reached = () => watchers.every((watcher) => after === before || watcher.seen.has(after));
      for (const until = now() + 5000; !reached() && now() < until;) await sleep(50);
      await sleep(200);
      const rows = Number(
        (await sql.query(`SELECT count(*)::int AS n FROM "ProductEvent" WHERE id > $1 AND id <= $2`, [before, after]))
          .rows[0].n,
      );
      const perWatcher = watchers.map((watcher) => {
        const ids = [...watcher.seen].filter(([id]) => id > before && id <= after);
        return { distinct: ids.length, duplicates: ids.filter(([, count]) => count > 1).length };
      });
      const sorted = phase.latencies.sort((a, b) => a - b);
      const held = streams ? (await streams.report()).open + WATCHERS : WATCHERS;
      const exact = rows === phase.accepted && perWatcher.every((w) => w.distinct === rows && w.duplicates === 0);
      const result = {
        target: name,
        writers,
        seconds: phase.elapsedMs / 1000,
        accepted: phase.accepted,
        writesPerSecond: (phase.accepted * 1000) / phase.elapsedMs,
        p50: quantile(sorted, 0.5),
        p99: quantile(sorted, 0.99),
        max: sorted[sorted.length - 1] ?? NaN,
        statuses: phase.statuses,
        serverCpuMsPerWrite: (cpuAfter - cpuBefore) / Math.max(1, phase.accepted),
        postgresCpuMsPerWrite: (pgAfter - pgBefore) / Math.max(1, phase.accepted),
        // The machine's busy time not spent by the server, PostgreSQL or this process (writers,
        // watchers), as a share of both cores: load from elsewhere that makes the run noisy.
        otherLoadPercent:
          (100 *
            (machineAfter -
              machineBefore -
              (cpuAfter - cpuBefore) -
              (pgAfter - pgBefore) -
              (bench.user + bench.system) / 1000)) /
          (phase.elapsedMs * os.cpus().length),
        streamsHeld: held,
        eventRows: rows,
        watchers: perWatcher,
        exactlyOnce: exact,
      };
      results.push(result);
      console.log(
        `  ${name} ${writers} writers: ${result.writesPerSecond.toFixed(0)}/s, p50 ${result.p50.toFixed(1)} ms, ` +
          `p99 ${result.p99.toFixed(1)} ms, ${rows} rows, watchers ${perWatcher.map((w) => w.distinct).join("/")}, ` +
          `statuses ${JSON.stringify(phase.statuses)}${exact ? "" : "  NOT EXACTLY ONCE"}`,
      );
    }
    watchers.forEach((watcher) => watcher.close());
    streams?.stop();
  } finally {
    // A profiled server must exit normally to write its profile.
    server.kill(profileDir ? "SIGINT" : "SIGKILL");
    await Promise.race([new Promise((resolve) => server.once("exit", resolve)), sleep(15_000)]);
    server.kill("SIGKILL");
    await sleep(500);
  }
  return results;
}

console.log(
  `node ${process.version}, ${os.cpus().length} cores; ${STREAMS} streams (${WATCHERS} watching all), ` +
    `${DURATION_MS / 1000} s per phase, ${PRODUCTS} products`,
);
const results: Awaited<ReturnType<typeof runTarget>> = [];
for (const name of targetNames) results.push(...(await runTarget(name)));

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : "-");
const floorOf = (writers: number) => results.find((r) => r.target === "floor" && r.writers === writers);
console.log(
  "\ntarget     | writers | writes/s | p50 ms | p99 ms | max ms | CPU ms/write server, pg | other load | streams | exactly once | vs floor: writes/s, p50",
);
for (const r of results) {
  const floor = floorOf(r.writers);
  const ratio = floor ? `${fmt(r.writesPerSecond / floor.writesPerSecond, 2)}x, ${fmt(r.p50 / floor.p50, 2)}x` : "-";
  console.log(
    [
      r.target.padEnd(10),
      String(r.writers).padStart(7),
      fmt(r.writesPerSecond, 0).padStart(8),
      fmt(r.p50).padStart(6),
      fmt(r.p99).padStart(6),
      fmt(r.max).padStart(6),
      `${fmt(r.serverCpuMsPerWrite, 2)}, ${fmt(r.postgresCpuMsPerWrite, 2)}`.padStart(24),
      `${fmt(r.otherLoadPercent, 0)}%`.padStart(10),
      String(r.streamsHeld).padStart(7),
      (r.exactlyOnce ? "yes" : "NO").padStart(12),
      ratio,
    ].join(" | "),
  );
}
fs.mkdirSync(path.join(root, "bench", "results"), { recursive: true });
const file = path.join(root, "bench", "results", `writes-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
fs.writeFileSync(file, JSON.stringify(results, null, 2));
console.log(`raw results: ${path.relative(root, file)}`);
await sql.end();
await database.stop();
fs.rmSync(dir, { recursive: true, force: true });
process.exit(results.every((r) => r.exactlyOnce) ? 0 : 1);
