// Fan-out benchmark: N concurrent feed clients against (1) StockPulse's Next.js route handler
// (`nextjs`: plain `next start`), (2) StockPulse's production server (`production`: what
// `npm start` runs, scripts/server.ts, the feed on node:http), (3) a plain node:http SSE server
// (`node-sse`, the floor) and (4) a `ws` WebSocket broadcast, all fed by the same PostgreSQL
// notifications from the real write path (lib/products adjustStock).
//
//   npm run bench                                   # 1,000 / 5,000 / 10,000 / 19,000 clients
//   BENCH_SIZES=1000 BENCH_TARGETS=nextjs,production npm run bench
//
// Prints, per target and size: connections held, time to accept them, latency from "write sent"
// to "event received" (so it includes the commit) for single changes and for a burst of 100
// changes in one second (p50/p99/max), server memory per open stream, CPU per delivered event.
// Loopback only; every phase is bounded in time. Needs `next build` first (npm test does it).
//
//   BENCH_MODE=burst BENCH_SIZES=1000 npm run bench   # the burst phase instead (below)
//   BENCH_MODE=burst BENCH_SLOW_SHARE=0.1 BENCH_SLOW_MS=5000 BENCH_SIZES=1000 npm run bench
//
// The burst phase (BENCH_MODE=burst; targets production and node-sse by default): N clients that
// reconnect like EventSource (bench/burst-client.ts), then one stocktake of BENCH_BURST_ITEMS
// (10,000) products in one transaction through lib/products (applyStocktake: 10,000 events in
// one COMMIT), and 100 ms after its commit a single change to another product. Prints, per
// target and size: time from the stocktake's commit until each client has every event
// (p50/p99/max over clients), the single change's latency from "write sent" to each client,
// clients cut off / reconnected / reset, events lost or out of order, the server's RSS before
// and at its peak (sampled every 20 ms) and its CPU seconds.
import "../lib/supported-node";
import { fork, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort, startEmbeddedPostgres, temporaryDataDir } from "../scripts/embedded-postgres";
import { migrateDatabase } from "../scripts/migrate";
import { nextBin } from "../scripts/bins";
import type { BurstClient } from "./burst-client";

const root = path.join(import.meta.dirname, "..");
const sizes = (process.env.BENCH_SIZES ?? "1000,5000,10000,19000").split(",").map(Number);
const mode = process.env.BENCH_MODE ?? "fanout";
const targets = (
  process.env.BENCH_TARGETS ?? (mode === "burst" ? "production,node-sse" : "nextjs,production,node-sse,ws")
).split(",");
const BURST_ITEMS = Number(process.env.BENCH_BURST_ITEMS ?? 10_000);
const SLOW_SHARE = Number(process.env.BENCH_SLOW_SHARE ?? 0);
const SLOW_MS = Number(process.env.BENCH_SLOW_MS ?? 5000);
/** A burst phase ends when every client has everything, or after this long. */
const BURST_WINDOW_MS = Number(process.env.BENCH_BURST_WINDOW_MS ?? 120_000);
/** The feed's `retry:` (SSE_RETRY_MS default): how long a cut client waits before it reconnects. */
const RETRY_MS = 2000;
const PER_GENERATOR = 5000;
const profileDir = process.env.BENCH_CPU_PROFILE ? path.resolve(process.env.BENCH_CPU_PROFILE) : null;
const SINGLE_CHANGES = 20;
const BURST_CHANGES = 100;
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const dir = temporaryDataDir("stockpulse-bench-");
const database = await startEmbeddedPostgres(path.join(dir, "pg"));
await migrateDatabase(database.url);
process.env.DATABASE_URL = database.url;
process.env.ADMIN_API_TOKEN ??= "bench-token-bench-token-bench-token";
const { db } = await import("../lib/db");
const { adjustStock } = await import("../lib/products/mutations");
const { applyStocktake } = await import("../lib/products/bulk");
const { seedDemoProducts } = await import("../prisma/seed");
await seedDemoProducts(db);
const BENCH_PRODUCT = 1;
// The burst's products: another BURST_ITEMS of them, counted in one stocktake per run.
const burstProductIds =
  mode === "burst"
    ? (
        await db.$queryRawUnsafe<Array<{ id: number }>>(
          `INSERT INTO "Product" (sku, name, "priceCents", stock, "lowStockThreshold", "updatedAt")
           SELECT 'BURST-' || lpad(g::text, 5, '0'), 'Burst product ' || g, 100, 1000, 10, now()
           FROM generate_series(1, ${BURST_ITEMS}) AS g RETURNING id`,
        )
      ).map((row) => row.id)
    : [];

function processStat(pid: number) {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(status)![1]);
  const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  const cpuTicks = Number(fields[11]) + Number(fields[12]); // utime + stime
  return { rssBytes: rssKiB * 1024, cpuMs: (cpuTicks * 1000) / 100 };
}

/** BENCH_SERVER_LOG=file: the servers' output goes there (appended) instead of nowhere. */
const serverOutput = () =>
  process.env.BENCH_SERVER_LOG
    ? (["ignore", fs.openSync(process.env.BENCH_SERVER_LOG, "a"), fs.openSync(process.env.BENCH_SERVER_LOG, "a")] as [
        "ignore",
        number,
        number,
      ])
    : "ignore";

function startTarget(target: string, port: number): ChildProcess {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    // Production refuses to start without a first admin (lib/env.ts); nobody signs in here.
    ADMIN_EMAIL: "bench@stockpulse.local",
    ADMIN_PASSWORD: randomBytes(18).toString("base64url"),
    // One load generator on 127.0.0.1 with one token is far past a shop's traffic: lift the
    // abuse limits (README, "Who may do what") so the bench measures the server, not them.
    FEED_MAX_STREAMS_PER_ADDRESS: "1000000",
    // 19,000 streams is past the derived instance limit (18,000 at 20,000 files) and within what
    // MAX_OPEN_STREAMS may be set to (the file limit less 256).
    MAX_OPEN_STREAMS: String(Math.max(...sizes)),
    RATE_LIMIT_PER_TOKEN_PER_MINUTE: "100000000",
    RATE_LIMIT_PER_ADDRESS_PER_MINUTE: "100000000",
  };
  if (target === "nextjs") {
    const profile = profileDir ? ["--experimental-cpu-prof"] : [];
    return spawn(process.execPath, [nextBin, "start", "--port", String(port), "--hostname", "127.0.0.1", ...profile], {
      cwd: root,
      env,
      stdio: serverOutput(),
    });
  }
  if (target === "production") {
    const profile = profileDir ? ["--cpu-prof", "--cpu-prof-dir", profileDir] : [];
    const server = path.join(root, "scripts", "server.ts");
    return spawn(
      process.execPath,
      [...profile, "--import", "tsx", server, "--port", String(port), "--hostname", "127.0.0.1"],
      {
        cwd: root,
        env,
        stdio: serverOutput(),
      },
    );
  }
  const script = path.join(import.meta.dirname, target === "ws" ? "floor-ws.ts" : "floor-sse.ts");
  return spawn(process.execPath, ["--import", "tsx", script], { cwd: root, env, stdio: serverOutput() });
}

async function waitHealthy(port: number) {
  for (let attempt = 0; attempt < 300; attempt++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/api/health`)).ok) return;
    } catch {
      // starting
    }
    await sleep(100);
  }
  throw new Error(`target on ${port} did not start`);
}

type Report = { open: number; failed: number; received: number; histograms: Record<string, Array<[number, number]>> };

function percentiles(reports: Report[], phase: string) {
  const merged = new Map<number, number>();
  for (const report of reports) {
    for (const [bucket, count] of report.histograms[phase] ?? []) merged.set(bucket, (merged.get(bucket) ?? 0) + count);
  }
  const sorted = [...merged].sort((a, b) => a[0] - b[0]);
  const total = sorted.reduce((sum, [, count]) => sum + count, 0);
  const at = (q: number) => {
    let seen = 0;
    for (const [bucket, count] of sorted) {
      seen += count;
      if (seen >= q * total) return bucket / 10;
    }
    return NaN;
  };
  return { count: total, p50: at(0.5), p99: at(0.99), max: sorted.length ? sorted[sorted.length - 1][0] / 10 : NaN };
}

let stock = (await db.product.findUniqueOrThrow({ where: { id: BENCH_PRODUCT } })).stock;

async function write(generators: ChildProcess[], phase: string) {
  stock += 1;
  const key = stock;
  const sentAt = now();
  generators.forEach((generator) => generator.send({ type: "sent", key, sentAt, phase }));
  await adjustStock(BENCH_PRODUCT, { delta: 1 }, { name: "bench" });
}

async function run(target: string, clients: number) {
  const port = await freePort();
  const server = startTarget(target, port);
  try {
    await waitHealthy(port);
    await sleep(500);
    const idle = processStat(server.pid!);
    const pathname = target === "ws" ? "/" : "/api/v1/stream/product-updates";
    const kind = target === "ws" ? "ws" : "sse";
    const started = now();
    const generators: ChildProcess[] = [];
    const connected: Promise<void>[] = [];
    for (let offset = 0; offset < clients; offset += PER_GENERATOR) {
      const count = Math.min(PER_GENERATOR, clients - offset);
      const generator = fork(
        path.join(import.meta.dirname, "load-client.ts"),
        [kind, "127.0.0.1", String(port), pathname, String(count)],
        {
          execArgv: ["--import", "tsx"],
          stdio: ["ignore", "inherit", "inherit", "ipc"],
        },
      );
      generators.push(generator);
      connected.push(
        new Promise((resolve) =>
          generator.on("message", (message: { type: string }) => message.type === "connected" && resolve()),
        ),
      );
    }
    const allConnected = await Promise.race([
      Promise.all(connected).then(() => true),
      sleep(180_000).then(() => false),
    ]);
    const acceptSeconds = (now() - started) / 1000;
    await sleep(1000);
    const loaded = processStat(server.pid!);

    for (let i = 0; i < SINGLE_CHANGES; i++) {
      await write(generators, "single");
      await sleep(250);
    }
    const burstStart = now();
    const burst: Promise<void>[] = [];
    for (let i = 0; i < BURST_CHANGES; i++) {
      burst.push(write(generators, "burst"));
      await sleep(Math.max(0, burstStart + ((i + 1) * 1000) / BURST_CHANGES - now()));
    }
    await Promise.all(burst);
    await sleep(3000);
    const after = processStat(server.pid!);

    const reports = await Promise.all(
      generators.map(
        (generator) =>
          new Promise<Report>((resolve) => {
            generator.on(
              "message",
              (message: Report & { type: string }) => message.type === "report" && resolve(message),
            );
            generator.send({ type: "report" });
          }),
      ),
    );
    generators.forEach((generator) => generator.send({ type: "stop" }));
    const held = reports.reduce((sum, report) => sum + report.open, 0);
    const received = reports.reduce((sum, report) => sum + report.received, 0);
    const expected = held * (SINGLE_CHANGES + BURST_CHANGES);
    return {
      target,
      clients,
      held,
      allConnected,
      acceptSeconds,
      memoryPerStreamKiB: (loaded.rssBytes - idle.rssBytes) / 1024 / Math.max(1, held),
      rssMiB: loaded.rssBytes / 1024 / 1024,
      single: percentiles(reports, "single"),
      burst: percentiles(reports, "burst"),
      deliveredPercent: (100 * received) / Math.max(1, expected),
      cpuMicrosPerDelivery: ((after.cpuMs - loaded.cpuMs) * 1000) / Math.max(1, received),
    };
  } finally {
    // A profiled server must exit normally to write its profile.
    server.kill(profileDir ? "SIGINT" : "SIGKILL");
    await Promise.race([new Promise((resolve) => server.once("exit", resolve)), sleep(15_000)]);
    server.kill("SIGKILL");
    await sleep(1000);
  }
}

type BurstReport = { open: number; failed: number; clients: BurstClient[] };
type BurstResult = Awaited<ReturnType<typeof runBurst>>;

/** When the client first had event `id` (from its (last id, arrival) marks), or null. */
function reachedAt(client: BurstClient, id: number): number | null {
  for (let i = 0; i < client.marks.length; i += 2) if (client.marks[i] >= id) return client.marks[i + 1];
  return null;
}

function spread(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] : NaN;
  return { count: sorted.length, p50: at(0.5), p99: at(0.99), max: sorted.length ? sorted[sorted.length - 1] : NaN };
}

let burstRun = 0;

async function runBurst(target: string, clients: number) {
  const port = await freePort();
  const server = startTarget(target, port);
  const generators: ChildProcess[] = [];
  try {
    await waitHealthy(port);
    await sleep(500);
    const connected: Promise<void>[] = [];
    for (let offset = 0; offset < clients; offset += PER_GENERATOR) {
      const count = Math.min(PER_GENERATOR, clients - offset);
      const generator = fork(
        path.join(import.meta.dirname, "burst-client.ts"),
        ["127.0.0.1", String(port), "/api/v1/stream/product-updates", String(count), String(RETRY_MS)],
        { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] },
      );
      generators.push(generator);
      connected.push(
        new Promise((resolve) =>
          generator.on("message", (message: { type: string }) => message.type === "connected" && resolve()),
        ),
      );
    }
    await Promise.race([Promise.all(connected), sleep(180_000)]);
    await sleep(1000);
    const report = () =>
      Promise.all(
        generators.map(
          (generator) =>
            new Promise<BurstReport>((resolve) => {
              const onMessage = (message: BurstReport & { type: string }) => {
                if (message.type !== "report") return;
                generator.off("message", onMessage);
                resolve(message);
              };
              generator.on("message", onMessage);
              generator.send({ type: "report" });
            }),
        ),
      );

    const before = processStat(server.pid!);
    let rssPeak = before.rssBytes;
    const sampler = setInterval(() => {
      try {
        rssPeak = Math.max(rssPeak, processStat(server.pid!).rssBytes);
      } catch {
        // the server is gone
      }
    }, 20);
    const fromId = Number((await db.productEvent.aggregate({ _max: { id: true } }))._max.id ?? 0);
    generators.forEach((generator) =>
      generator.send({ type: "burst", fromId, slowShare: SLOW_SHARE, slowMs: SLOW_MS }),
    );
    burstRun++;
    const count = burstRun % 2 ? 500 : 600;
    const writeStarted = now();
    const stocktake = await applyStocktake(
      { items: burstProductIds.map((productId) => ({ productId, count })), reason: "bench burst" },
      { name: "bench" },
    );
    const committedAt = now();
    const burstLastId = Number(stocktake.lastEventId);
    generators.forEach((generator) => generator.send({ type: "newest", id: burstLastId }));
    await sleep(Math.max(0, committedAt + 100 - now()));
    const singleSentAt = now();
    await adjustStock(BENCH_PRODUCT, { delta: 1 }, { name: "bench" });
    const singleEvent = await db.productEvent.findFirstOrThrow({
      where: { productId: BENCH_PRODUCT },
      orderBy: { id: "desc" },
    });
    const singleId = Number(singleEvent.id);
    generators.forEach((generator) => generator.send({ type: "newest", id: singleId }));
    const expected = Number(
      await db.productEvent.count({ where: { id: { gt: BigInt(fromId), lte: BigInt(singleId) } } }),
    );

    // Until every client has the single change (it follows the burst), or the window closes.
    const deadline = committedAt + BURST_WINDOW_MS + SLOW_MS;
    let reports = await report();
    while (now() < deadline) {
      const pending = reports.flatMap((r) => r.clients).filter((c) => c.lastId < singleId).length;
      if (pending === 0) break;
      await sleep(1000);
      reports = await report();
    }
    clearInterval(sampler);
    if (server.exitCode !== null || server.signalCode !== null)
      throw new Error(`${target} exited during the burst (${server.exitCode ?? server.signalCode})`);
    const after = processStat(server.pid!);
    const all = reports.flatMap((r) => r.clients);
    const done: number[] = [];
    const singles: number[] = [];
    let lost = 0;
    for (const client of all) {
      const reached = client.resets > 0 ? client.resetAt : reachedAt(client, burstLastId);
      if (reached !== null && client.lastId >= singleId) done.push(reached - committedAt);
      const singleAt = client.resets > 0 ? null : reachedAt(client, singleId);
      if (singleAt !== null) singles.push(singleAt - singleSentAt);
      // Clients never reset got every event between fromId and the single change, or lost some.
      if (client.resets === 0 && client.lastId >= singleId) lost += Math.max(0, expected - client.received);
    }
    return {
      target,
      clients,
      held: reports.reduce((sum, r) => sum + r.open, 0),
      expectedEvents: expected,
      commitMs: committedAt - writeStarted,
      done: spread(done),
      single: spread(singles),
      notDone: all.filter((client) => client.lastId < singleId).length,
      cut: all.filter((client) => client.cuts > 0).length,
      reconnects: all.reduce((sum, client) => sum + client.reconnects, 0),
      reset: all.filter((client) => client.resets > 0).length,
      lost,
      disorder: all.reduce((sum, client) => sum + client.disorder, 0),
      rssBeforeMiB: before.rssBytes / 2 ** 20,
      rssPeakMiB: rssPeak / 2 ** 20,
      cpuSeconds: (after.cpuMs - before.cpuMs) / 1000,
      load: os
        .loadavg()
        .map((n) => n.toFixed(1))
        .join(" "),
      slowShare: SLOW_SHARE,
      slowMs: SLOW_MS,
    };
  } finally {
    generators.forEach((generator) => generator.send({ type: "stop" }));
    server.kill("SIGKILL");
    await Promise.race([new Promise((resolve) => server.once("exit", resolve)), sleep(15_000)]);
    await sleep(1000);
  }
}

const results: unknown[] = [];
const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : "-");
console.log(`node ${process.version}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`);
console.log(
  `load average before: ${os
    .loadavg()
    .map((n) => n.toFixed(2))
    .join(" ")}`,
);
if (mode === "burst") await runBursts();
else await runFanouts();

async function runFanouts() {
  console.log(
    "target   | clients | held   | accept s | single p50/p99/max ms | burst p50/p99/max ms | KiB/stream | delivered | CPU µs/delivery",
  );
  for (const target of targets) {
    for (const clients of sizes) {
      const result = await run(target, clients);
      results.push(result);
      console.log(
        [
          target.padEnd(8),
          String(clients).padStart(7),
          String(result.held).padStart(6),
          fmt(result.acceptSeconds).padStart(8),
          `${fmt(result.single.p50)}/${fmt(result.single.p99)}/${fmt(result.single.max)}`.padStart(21),
          `${fmt(result.burst.p50)}/${fmt(result.burst.p99)}/${fmt(result.burst.max)}`.padStart(20),
          fmt(result.memoryPerStreamKiB).padStart(10),
          `${fmt(result.deliveredPercent, 2)}%`.padStart(9),
          fmt(result.cpuMicrosPerDelivery, 2).padStart(15),
        ].join(" | "),
      );
    }
  }
}

async function runBursts() {
  console.log(
    `burst: one stocktake of ${BURST_ITEMS} products, a single change 100 ms after its commit; ` +
      `${SLOW_SHARE * 100}% of clients pause reading for ${SLOW_MS} ms`,
  );
  console.log(
    "| target | clients | commit ms | all events p50/p99/max s | single p50/p99/max ms | not done | cut | reconnects | reset | lost | disorder | RSS before/peak MiB | CPU s | load |",
  );
  console.log("| --- | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --- |");
  const bySize = new Map<number, Record<string, BurstResult>>();
  for (const clients of sizes) {
    for (const target of targets) {
      const result = await runBurst(target, clients);
      results.push(result);
      bySize.set(clients, { ...bySize.get(clients), [target]: result });
      const { done, single } = result;
      console.log(
        `| ${target} | ${clients} | ${fmt(result.commitMs, 0)} | ${fmt(done.p50 / 1000, 2)}/${fmt(done.p99 / 1000, 2)}/${fmt(done.max / 1000, 2)} | ` +
          `${fmt(single.p50, 0)}/${fmt(single.p99, 0)}/${fmt(single.max, 0)} | ${result.notDone} | ${result.cut} | ${result.reconnects} | ` +
          `${result.reset} | ${result.lost} | ${result.disorder} | ${fmt(result.rssBeforeMiB, 0)}/${fmt(result.rssPeakMiB, 0)} | ` +
          `${fmt(result.cpuSeconds, 1)} | ${result.load} |`,
      );
    }
  }
  for (const [clients, byTarget] of bySize) {
    const floor = byTarget["node-sse"];
    for (const [target, result] of Object.entries(byTarget)) {
      if (target === "node-sse" || !floor) continue;
      const ratio = (a: number, b: number) => `${fmt(a / b, 2)}x`;
      console.log(
        `${target} / node-sse at ${clients}: all events p50 ${ratio(result.done.p50, floor.done.p50)}, ` +
          `p99 ${ratio(result.done.p99, floor.done.p99)}, max ${ratio(result.done.max, floor.done.max)}; ` +
          `single p99 ${ratio(result.single.p99, floor.single.p99)}; ` +
          `RSS growth ${ratio(result.rssPeakMiB - result.rssBeforeMiB, floor.rssPeakMiB - floor.rssBeforeMiB)}; ` +
          `CPU ${ratio(result.cpuSeconds, floor.cpuSeconds)}`,
      );
    }
  }
}

fs.mkdirSync(path.join(root, "bench", "results"), { recursive: true });
const file = path.join(root, "bench", "results", `fanout-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
fs.writeFileSync(file, JSON.stringify(results, null, 2));
console.log(`raw results: ${path.relative(root, file)}`);
await db.$disconnect();
await database.stop();
fs.rmSync(dir, { recursive: true, force: true });
process.exit(0);
