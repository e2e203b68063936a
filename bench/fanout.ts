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
import "../lib/supported-node";
import { fork, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort, startEmbeddedPostgres, temporaryDataDir } from "../scripts/embedded-postgres";
import { migrateDatabase } from "../scripts/migrate";
import { nextBin } from "../scripts/bins";

const root = path.join(import.meta.dirname, "..");
const sizes = (process.env.BENCH_SIZES ?? "1000,5000,10000,19000").split(",").map(Number);
const targets = (process.env.BENCH_TARGETS ?? "nextjs,production,node-sse,ws").split(",");
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
const { seedDemoProducts } = await import("../prisma/seed");
await seedDemoProducts(db);
const BENCH_PRODUCT = 1;

function processStat(pid: number) {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(status)![1]);
  const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  const cpuTicks = Number(fields[11]) + Number(fields[12]); // utime + stime
  return { rssBytes: rssKiB * 1024, cpuMs: (cpuTicks * 1000) / 100 };
}

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
    RATE_LIMIT_PER_TOKEN_PER_MINUTE: "100000000",
    RATE_LIMIT_PER_ADDRESS_PER_MINUTE: "100000000",
  };
  if (target === "nextjs") {
    const profile = profileDir ? ["--experimental-cpu-prof"] : [];
    return spawn(process.execPath, [nextBin, "start", "--port", String(port), "--hostname", "127.0.0.1", ...profile], {
      cwd: root,
      env,
      stdio: "ignore",
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
        stdio: "ignore",
      },
    );
  }
  const script = path.join(import.meta.dirname, target === "ws" ? "floor-ws.ts" : "floor-sse.ts");
  return spawn(process.execPath, ["--import", "tsx", script], { cwd: root, env, stdio: "ignore" });
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

const results = [];
const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : "-");
console.log(`node ${process.version}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`);
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
fs.mkdirSync(path.join(root, "bench", "results"), { recursive: true });
const file = path.join(root, "bench", "results", `fanout-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
fs.writeFileSync(file, JSON.stringify(results, null, 2));
console.log(`raw results: ${path.relative(root, file)}`);
await db.$disconnect();
await database.stop();
fs.rmSync(dir, { recursive: true, force: true });
process.exit(0);
