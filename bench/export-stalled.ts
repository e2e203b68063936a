// Downloads that stop reading, against the production server (`npm start`'s, scripts/server.ts):
//  1. BENCH_STALLED (default 300) anonymous CSV exports of a 100,000-event history that read
//     nothing after their request's first bytes: the server's resident memory once their reads
//     have settled (EXPORT_STALL_TIMEOUT_MS: BENCH_STALL_MS, default 10 minutes, so none is cut).
//  2. Feed streams up to the global stream limit (MAX_OPEN_STREAMS, BENCH_STREAMS, default 2,000
//     here): the server's resident memory there, what the next stream gets, and that
//     /api/health and a write still answer.
// Loopback only, bounded in count and time; every socket is closed at the end.
//
//   npx next build && node --import tsx bench/export-stalled.ts
import "../lib/supported-node";
import fs from "node:fs";
import net from "node:net";
import { startStack } from "../scripts/stack";
import { productWithHistory, rssMiB } from "./support";

const STALLED = Number(process.env.BENCH_STALLED ?? 300);
const STREAMS = Number(process.env.BENCH_STREAMS ?? 2000);
const EVENTS = 100_000;
// Long enough that all of them are held when measured (they start over minutes: each fills its
// socket's buffers first); the tests prove the cut (tests/stream-limits.test.ts).
const STALL_MS = Number(process.env.BENCH_STALL_MS ?? 600_000);

const openFiles = (pid: number) => fs.readdirSync(`/proc/${pid}/fd`).length;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A request on a bare socket that reads nothing after the response's first bytes. */
function stalledRequest(port: number, path: string) {
  const socket = net.connect(port, "127.0.0.1");
  const state = { status: 0, closed: false, socket };
  socket.write(`GET ${path} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\n\r\n`);
  socket.once("data", (chunk) => {
    state.status = Number(chunk.toString("latin1", 0, 12).split(" ")[1]);
    socket.pause(); // from here on the kernel's buffers fill and the server's writes back up
  });
  socket.on("error", () => {});
  socket.on("close", () => (state.closed = true));
  return state;
}

async function until(what: string, condition: () => boolean | Promise<boolean>, ms = 120_000) {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

const stack = await startStack();
const server = await stack.startServer({
  env: {
    EXPORT_STALL_TIMEOUT_MS: String(STALL_MS),
    MAX_OPEN_STREAMS: String(STREAMS),
    FEED_MAX_STREAMS_PER_ADDRESS: String(STREAMS + STALLED),
    RATE_LIMIT_PER_ADDRESS_PER_MINUTE: "100000",
  },
});
const metric = (name: string) => server.metric(name);
const product = await productWithHistory(stack, "BENCH-STALLED", "Bench stalled product", EVENTS);

// 1. Stalled exports.
await fetch(`${server.baseUrl}/api/v1/events.csv?productId=${product.id}`).then((response) => response.arrayBuffer());
await server.collectGarbage();
const rssIdle = rssMiB(server.pid);
const heldIdle =
  ((await metric("nodejs_heap_size_used_bytes")) + (await metric("nodejs_external_memory_bytes"))) / 1024 / 1024;
const stalled = Array.from({ length: STALLED }, () =>
  stalledRequest(server.port, `/api/v1/events.csv?productId=${product.id}`),
);
await until(
  "every export's first bytes",
  () => {
    const answered = stalled.filter((request) => request.status !== 0 || request.closed).length;
    process.stdout.write(`\r${answered} of ${STALLED} exports answered`);
    return answered === STALLED;
  },
  600_000,
);
console.log();
// Settled: the rows read stay the same for a second (the buffers between server and client are full).
let rows = await metric("stockpulse_csv_rows_read_total");
for (let same = 0; same < 5;) {
  await sleep(200);
  const now = await metric("stockpulse_csv_rows_read_total");
  same = now === rows ? same + 1 : 0;
  rows = now;
}
const rssStalled = rssMiB(server.pid);
await server.collectGarbage();
const rssStalledAfterGc = rssMiB(server.pid);
// What the exports hold (live after a full GC), apart from what the process keeps of its peak.
const heldMiB = async () =>
  ((await metric("nodejs_heap_size_used_bytes")) + (await metric("nodejs_external_memory_bytes"))) / 1024 / 1024;
const heldStalled = await heldMiB();
const statuses = new Map<number, number>();
for (const request of stalled) statuses.set(request.status, (statuses.get(request.status) ?? 0) + 1);
console.log(
  `${STALLED} stalled exports (statuses ${JSON.stringify(Object.fromEntries(statuses))}): RSS idle ${rssIdle.toFixed(0)} MiB, ` +
    `with them ${rssStalled.toFixed(0)} MiB (${rssStalledAfterGc.toFixed(0)} MiB after a GC), ` +
    `${(((rssStalled - rssIdle) * 1024) / STALLED).toFixed(0)} KiB each; V8 heap + external in use after a GC ` +
    `${heldIdle.toFixed(0)} -> ${heldStalled.toFixed(0)} MiB (${(((heldStalled - heldIdle) * 1024) / STALLED).toFixed(0)} KiB each); ` +
    `rows read ${rows}, open files ${openFiles(server.pid)}`,
);
console.log(
  `open after measuring: ${stalled.filter((request) => !request.closed).length}; stream slots in use ${await metric("stockpulse_stream_slots_in_use")}; ` +
    `cut for a stall so far ${await metric("stockpulse_csv_exports_stalled_total")}`,
);
for (const request of stalled) request.socket.destroy();
await server.collectGarbage();
console.log(`RSS after the exports went: ${rssMiB(server.pid).toFixed(0)} MiB`);

// 2. Feed streams up to the global limit (BENCH_STREAMS=0 skips it).
if (STREAMS === 0) {
  await stack.stop();
  process.exit(0);
}
await sleep(1000);
await server.collectGarbage();
const rssBeforeStreams = rssMiB(server.pid);
const streams: Array<ReturnType<typeof stalledRequest>> = [];
for (let opened = 0; opened < STREAMS; opened += 100) {
  for (let i = 0; i < Math.min(100, STREAMS - opened); i++)
    streams.push(stalledRequest(server.port, "/api/v1/stream/product-updates"));
  await until("a hundred streams", () => streams.every((stream) => stream.status !== 0));
}
const next = await fetch(`${server.baseUrl}/api/v1/stream/product-updates`);
const health = await fetch(`${server.baseUrl}/api/health`);
const write = await fetch(`${server.baseUrl}/api/v1/products/${product.id}/stock-adjustments`, {
  method: "POST",
  headers: { authorization: `Bearer ${stack.adminToken}`, "content-type": "application/json" },
  body: JSON.stringify({ delta: 1, reason: "bench" }),
});
await server.collectGarbage();
const rssAtLimit = rssMiB(server.pid);
console.log(
  `${STREAMS} feed streams (MAX_OPEN_STREAMS=${STREAMS}; statuses ${[...new Set(streams.map((s) => s.status))]}): ` +
    `RSS ${rssBeforeStreams.toFixed(0)} -> ${rssAtLimit.toFixed(0)} MiB (${(((rssAtLimit - rssBeforeStreams) * 1024) / STREAMS).toFixed(1)} KiB a stream), ` +
    `open files ${openFiles(server.pid)}; the next stream: ${next.status} retry-after ${next.headers.get("retry-after")} ` +
    `${(await next.text()).slice(0, 160)}; health ${health.status}; write ${write.status}`,
);
for (const stream of streams) stream.socket.destroy();
await stack.stop();
