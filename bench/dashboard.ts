// Dashboard benchmark: a large shop (5,000 products) receiving 200 changes per second, in a real
// Chromium driven by Playwright, against the production build.
//
//   npm run bench:dashboard
//   BENCH_PRODUCTS=5000 BENCH_RATE=200 BENCH_SECONDS=30 BENCH_VIEWS=name,updated npm run bench:dashboard
//   BENCH_VIEWS=admin npm run bench:dashboard             # the admin list, every product selected
//   BENCH_PIN=1 npm run bench:dashboard                   # browser on its own core (see below)
//   BENCH_CPU_PROFILE=/tmp/prof npm run bench:dashboard   # the page's CPU profile per phase
//   BENCH_TRACE=/tmp/trace npm run bench:dashboard         # a Chrome trace (devtools.timeline) per phase
//
// For each view it prints:
// - long tasks (PerformanceObserver `longtask` entries): count over 50 ms and the longest, for
//   the page load and for the time the changes stream in;
// - event-to-paint: from the feed message arriving in the page to the first paint showing the
//   changed row (p50/p95/p99/max), sampled on every change to a row that is on screen;
// - DOM rows rendered and the page's JS heap.
// Changes go through the REST API as another shop service's would (POST .../stock-adjustments ->
// PostgreSQL NOTIFY -> the server's hub -> SSE), a fifth of them to the products on screen so that there are paints to
// time. The browser, the server, PostgreSQL and this writer share the machine's cores.
import "../lib/supported-node";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type Page } from "@playwright/test";
import { CHROMIUM_ARGS, findChromium } from "../scripts/find-chromium";
import { startStack } from "../scripts/stack";

const PRODUCTS = Number(process.env.BENCH_PRODUCTS ?? 5000);
const RATE = Number(process.env.BENCH_RATE ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const ON_SCREEN_SHARE = 0.2;
const profileDir = process.env.BENCH_CPU_PROFILE ? path.resolve(process.env.BENCH_CPU_PROFILE) : null;
const traceDir = process.env.BENCH_TRACE ? path.resolve(process.env.BENCH_TRACE) : null;
const root = path.join(import.meta.dirname, "..");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Runs in the page before any of its scripts. Marks when each feed message arrives, finds the
// moment a row first shows that message's stock, and times the paint that follows: a task posted
// from inside a rendering frame runs after that frame's paint; outside one, wait for the next.
function instrumentPage() {
  type Probe = {
    longTasks: Array<{ start: number; duration: number }>;
    paints: Array<{ at: number; latency: number }>;
    /** Whether a row that enters the DOM showing a change counts (not while scrolling). */
    countMounted: boolean;
  };
  const probe: Probe = { longTasks: [], paints: [], countMounted: true };
  (window as unknown as { __probe: Probe }).__probe = probe;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) probe.longTasks.push({ start: entry.startTime, duration: entry.duration });
  }).observe({ type: "longtask", buffered: true });

  // Per "product:stock": when the message arrived and whether the product's row was in the DOM.
  const arrived = new Map<string, { at: number; inDom: boolean }>();
  const NativeEventSource = window.EventSource;
  window.EventSource = class extends NativeEventSource {
    constructor(url: string | URL, init?: EventSourceInit) {
      super(url, init);
      this.addEventListener("message", (message) => {
        const event = JSON.parse(message.data) as { productId: number; newStock: number };
        const inDom = document.querySelector(`[data-testid="product-row-${event.productId}"]`) !== null;
        arrived.set(`${event.productId}:${event.newStock}`, { at: performance.now(), inDom });
      });
    }
  };

  let inFrame = false;
  const clearFrame = new MessageChannel();
  clearFrame.port1.onmessage = () => (inFrame = false);
  const nativeRaf = window.requestAnimationFrame.bind(window);
  window.requestAnimationFrame = (callback) =>
    nativeRaf((time) => {
      if (!inFrame) clearFrame.port2.postMessage(0);
      inFrame = true;
      callback(time);
    });
  const afterPaint = (done: () => void) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = done;
    if (inFrame) channel.port2.postMessage(0);
    else nativeRaf(() => channel.port2.postMessage(0));
  };

  let waiting: number[] = [];
  const observer = new MutationObserver((records) => {
    const rows = new Set<Element>();
    for (const record of records) {
      const element = record.target instanceof Element ? record.target : record.target.parentElement;
      const row = element?.closest('tr[data-testid^="product-row-"]');
      if (row) rows.add(row);
      for (const node of record.addedNodes) {
        if (node instanceof HTMLTableRowElement && node.dataset.testid?.startsWith("product-row-")) rows.add(node);
      }
    }
    for (const row of rows) {
      const id = (row as HTMLElement).dataset.testid!.slice("product-row-".length);
      const key = `${id}:${row.querySelector('[data-testid="stock"]')?.textContent}`;
      const arrival = arrived.get(key);
      if (arrival === undefined) continue;
      arrived.delete(key);
      if (!arrival.inDom && !probe.countMounted) continue;
      if (waiting.length === 0)
        afterPaint(() => {
          const now = performance.now();
          for (const start of waiting) probe.paints.push({ at: start, latency: now - start });
          waiting = [];
        });
      waiting.push(arrival.at);
    }
  });
  document.addEventListener("DOMContentLoaded", () =>
    observer.observe(document.body, { subtree: true, childList: true, characterData: true }),
  );
}

function percentile(sorted: number[], p: number) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const ms = (value: number) => (Number.isNaN(value) ? "-" : `${value.toFixed(1)} ms`);

async function probeSince(page: Page, since: number) {
  return page.evaluate((from) => {
    const probe = (
      window as unknown as {
        __probe: {
          longTasks: Array<{ start: number; duration: number }>;
          paints: Array<{ at: number; latency: number }>;
        };
      }
    ).__probe;
    const memory = (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory;
    return {
      longTasks: probe.longTasks.filter((task) => task.start >= from).map((task) => task.duration),
      paints: probe.paints.filter((paint) => paint.at >= from).map((paint) => paint.latency),
      rows: document.querySelectorAll('tr[data-testid^="product-row-"]').length,
      heapBytes: memory?.usedJSHeapSize ?? NaN,
    };
  }, since);
}

function summarise(name: string, result: Awaited<ReturnType<typeof probeSince>>) {
  const paints = [...result.paints].sort((a, b) => a - b);
  const over50 = result.longTasks.filter((duration) => duration > 50);
  return {
    phase: name,
    longTasksOver50ms: over50.length,
    longestTask: result.longTasks.length ? Math.max(...result.longTasks) : 0,
    paintSamples: paints.length,
    p50: percentile(paints, 50),
    p95: percentile(paints, 95),
    p99: percentile(paints, 99),
    max: paints.length ? paints[paints.length - 1] : NaN,
    rows: result.rows,
    heapMiB: result.heapBytes / 2 ** 20,
  };
}

// A shop's staff watch the dashboard on their own computer, not on the server. With BENCH_PIN=1
// (and taskset), the browser gets the first core to itself and everything else (the server,
// PostgreSQL, this writer) shares the others; without it they all compete for every core.
const pin = process.env.BENCH_PIN === "1" && os.cpus().length >= 2;
let executablePath = findChromium();
if (pin) {
  const rest = `1-${os.cpus().length - 1}`;
  execFileSync("taskset", ["-a", "-p", "-c", rest, String(process.pid)], { stdio: "ignore" });
  const wrapper = path.join(os.tmpdir(), "stockpulse-bench-chromium.sh");
  fs.writeFileSync(wrapper, `#!/bin/sh\nexec taskset -c 0 ${executablePath} "$@"\n`, { mode: 0o755 });
  executablePath = wrapper;
}
console.log(
  `${PRODUCTS} products, ${RATE} changes/s for ${SECONDS} s per view; ${os.cpus().length} cores, ` +
    (pin ? "browser pinned to core 0, server + database + writer to the rest" : "all processes share all cores"),
);
const stack = await startStack();
const missing = PRODUCTS - (await stack.db.product.count());
await stack.db.product.createMany({
  data: Array.from({ length: Math.max(0, missing) }, (_, i) => ({
    sku: `BEN-${String(i).padStart(5, "0")}`,
    name: `Bench product ${String(i).padStart(5, "0")}`,
    priceCents: 100 + ((i * 7919) % 20000),
    stock: 50 + (i % 500),
    lowStockThreshold: 10,
  })),
});
const server = await stack.startServer();
/** One stock adjustment through the API, as the shop's other services make them. */
const adjust = (id: number) =>
  fetch(`${server.baseUrl}/api/v1/products/${id}/stock-adjustments`, {
    method: "POST",
    headers: { authorization: `Bearer ${stack.adminToken}`, "content-type": "application/json" },
    body: JSON.stringify({ delta: 1, reason: "bench" }),
  });
const allIds = (await stack.db.product.findMany({ select: { id: true }, orderBy: { id: "asc" } })).map((p) => p.id);

/** RATE changes per second until `stop` resolves, a fifth of them to `onScreen`. */
function writeChanges(onScreen: number[], until: () => boolean) {
  let sent = 0;
  let failed = 0;
  const started = performance.now();
  const inFlight = new Set<Promise<unknown>>();
  return new Promise<{ sent: number; failed: number }>((resolve) => {
    const timer = setInterval(() => {
      if (until()) {
        clearInterval(timer);
        void Promise.all(inFlight).then(() => resolve({ sent, failed }));
        return;
      }
      const due = Math.floor(((performance.now() - started) / 1000) * RATE) - sent;
      for (let i = 0; i < due; i++) {
        const pool = onScreen.length && Math.random() < ON_SCREEN_SHARE ? onScreen : allIds;
        const id = pool[Math.floor(Math.random() * pool.length)];
        const write = adjust(id)
          .then((response) => response.status === 200 || failed++)
          .catch(() => failed++)
          .finally(() => inFlight.delete(write));
        inFlight.add(write);
        sent++;
      }
    }, 10);
  });
}

const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
const views = [
  { key: "name", name: "sorted by name", query: "", admin: false },
  { key: "updated", name: "sorted by last update", query: "?sort=updated&dir=desc", admin: false },
  // The same table with selection on, every product selected (select-all is timed to its paint).
  { key: "admin", name: "admin list, all selected", query: "admin", admin: true },
].filter((view) => (process.env.BENCH_VIEWS ?? "name,updated").split(",").includes(view.key));
const rows = [];
for (const view of views) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on("pageerror", (error) => console.error(`page error: ${error.message}`));
  // tsx compiles with esbuild's keepNames, which wraps named functions in a `__name` helper that
  // the page does not have.
  await page.addInitScript({ content: "window.__name = (target) => target;" });
  await page.addInitScript(instrumentPage);
  if (view.admin) {
    const signIn = await context.request.post(`${server.baseUrl}/api/v1/session`, {
      headers: { origin: server.baseUrl },
      data: stack.admin,
    });
    if (!signIn.ok()) throw new Error(`sign-in failed: ${signIn.status()}`);
  }
  await page.goto(`${server.baseUrl}/${view.query}`);
  await page.getByTestId("connection-state").and(page.locator('[data-state="live"]')).waitFor({ timeout: 60_000 });
  await sleep(2000);
  rows.push({ view: view.name, ...summarise("load", await probeSince(page, 0)) });
  if (view.admin) {
    // From the click to the frame after the one that paints every row ticked.
    const selectAllMs = await page.evaluate(async () => {
      const box = document.querySelector<HTMLInputElement>('thead input[type="checkbox"]')!;
      const start = performance.now();
      box.click();
      await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
      return performance.now() - start;
    });
    const selected = await page.getByTestId("selection-count").textContent();
    console.log(`${view.name}: select-all to paint ${selectAllMs.toFixed(1)} ms (${selected})`);
  }

  const onScreen = await page.$$eval('tr[data-testid^="product-row-"]', (elements) =>
    elements.slice(0, 25).map((element) => Number((element as HTMLElement).dataset.testid!.slice(12))),
  );
  const cdp = profileDir ? await context.newCDPSession(page) : null;
  const startProfile = async () => {
    if (traceDir) await browser.startTracing(page, { categories: ["devtools.timeline"] });
    if (!cdp) return;
    await cdp.send("Profiler.enable");
    await cdp.send("Profiler.start");
  };
  const stopProfile = async (phase: string) => {
    if (traceDir) {
      fs.mkdirSync(traceDir, { recursive: true });
      fs.writeFileSync(path.join(traceDir, `dashboard-${view.key}-${phase}.trace.json`), await browser.stopTracing());
    }
    if (!cdp || !profileDir) return;
    const { profile } = await cdp.send("Profiler.stop");
    fs.mkdirSync(profileDir, { recursive: true });
    fs.writeFileSync(path.join(profileDir, `dashboard-${view.key}-${phase}.cpuprofile`), JSON.stringify(profile));
  };
  await startProfile();
  const start = await page.evaluate(() => performance.now());
  const deadline = Date.now() + SECONDS * 1000;
  const written = await writeChanges(onScreen, () => Date.now() >= deadline);
  await sleep(1000);
  await stopProfile("changes");
  rows.push({ view: view.name, ...summarise(`${RATE}/s changes`, await probeSince(page, start)), ...written });

  const scrollStart = await page.evaluate(() => {
    (window as unknown as { __probe: { countMounted: boolean } }).__probe.countMounted = false;
    return performance.now();
  });
  await startProfile();
  const scrollDeadline = Date.now() + 10_000;
  const scrolling = writeChanges([], () => Date.now() >= scrollDeadline);
  // A fast, steady scroll as a wheel or trackpad delivers it: 100 px steps, about 60 a second.
  await page.mouse.move(640, 600);
  while (Date.now() < scrollDeadline) {
    await page.mouse.wheel(0, 100);
    await sleep(16);
  }
  await scrolling;
  await sleep(500);
  await stopProfile("scrolling");
  rows.push({ view: view.name, ...summarise(`scrolling + ${RATE}/s`, await probeSince(page, scrollStart)) });
  await context.close();
}
await browser.close();
await stack.stop();

console.log("");
console.log(
  "| view | phase | long tasks > 50 ms | longest task | event-to-paint p50 / p95 / p99 / max (samples) | rows in DOM | JS heap |",
);
console.log("|---|---|---|---|---|---|---|");
for (const row of rows) {
  console.log(
    `| ${row.view} | ${row.phase} | ${row.longTasksOver50ms} | ${ms(row.longestTask)} | ` +
      `${ms(row.p50)} / ${ms(row.p95)} / ${ms(row.p99)} / ${ms(row.max)} (${row.paintSamples}) | ${row.rows} | ${row.heapMiB.toFixed(1)} MiB |`,
  );
}
fs.mkdirSync(path.join(root, "bench", "results"), { recursive: true });
const file = path.join(root, "bench", "results", `dashboard-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
fs.writeFileSync(file, JSON.stringify({ products: PRODUCTS, rate: RATE, seconds: SECONDS, rows }, null, 2));
console.log(`raw results: ${path.relative(root, file)}`);
