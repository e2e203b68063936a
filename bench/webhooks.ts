// Webhook delivery rate per subscription: how many events per second one subscription delivers
// to a local receiver that answers 200 at once, with batches of 1 and of 100 events.
//
//   npm run bench:webhooks                       # batch sizes 1 and 100
//   BENCH_BATCH_SIZES=1,20,100 BENCH_EVENTS=5000 npm run bench:webhooks
//
// Per batch size: a fresh production server (scripts/server.ts) with WEBHOOK_MAX_BATCH_SIZE set,
// one paused subscription, BENCH_EVENTS events (default 2,000 for batch size 1, 20,000 for
// larger batches) committed meanwhile, then the clock runs from resume to the cursor passing the
// last event. The receiver checks that every event arrived once and in order. Each request is
// signed and connects afresh (no keep-alive: the address is checked before every request).
// Loopback only; needs `next build` first.
import "../lib/supported-node";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { startStack } from "../scripts/stack";

const batchSizes = (process.env.BENCH_BATCH_SIZES ?? "1,100").split(",").map(Number);
const eventsFor = (batch: number) => Number(process.env.BENCH_EVENTS ?? (batch === 1 ? 2_000 : 20_000));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Tally = { requests: number; events: number; last: bigint; outOfOrder: number };

async function startReceiver(tally: Tally) {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      res.writeHead(200).end();
      const { events } = JSON.parse(Buffer.concat(chunks).toString()) as { events: Array<{ eventId: string }> };
      tally.requests++;
      for (const event of events) {
        const id = BigInt(event.eventId);
        if (id <= tally.last) tally.outOfOrder++;
        tally.last = id;
        tally.events++;
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook` };
}

/** The webhook API with the admin token. */
function webhookApi(baseUrl: string, token: string) {
  return async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return response.status === 204 ? null : response.json();
  };
}

/** Copies an existing event `count` times in one statement: the log grows without the write path's cost. */
async function appendEvents(stack: Awaited<ReturnType<typeof startStack>>, count: number) {
  const columns = (
    await stack.db.$queryRaw<Array<{ column_name: string }>>`
      SELECT column_name::text FROM information_schema.columns
      WHERE table_name = 'ProductEvent' AND column_name NOT IN ('id', 'createdAt')`
  )
    .map(({ column_name }) => `"${column_name}"`)
    .join(", ");
  await stack.db.$executeRawUnsafe(
    `INSERT INTO "ProductEvent" (${columns})
     SELECT ${columns} FROM (SELECT * FROM "ProductEvent" ORDER BY id DESC LIMIT 1) e, generate_series(1, $1)`,
    count,
  );
}

const stack = await startStack();
console.log("batch size | events | requests | seconds | events/s | requests/s");
try {
  for (const batch of batchSizes) {
    const server = await stack.startServer({
      env: { WEBHOOK_ALLOW_PRIVATE_ADDRESSES: "true", WEBHOOK_MAX_BATCH_SIZE: String(batch) },
    });
    const call = webhookApi(server.baseUrl, stack.adminToken);
    const tally: Tally = { requests: 0, events: 0, last: BigInt(0), outOfOrder: 0 };
    const receiver = await startReceiver(tally);
    await call("POST", "/api/v1/products/1/stock-adjustments", { delta: 1 });
    const { id } = (await call("POST", "/api/v1/webhooks", { url: receiver.url })) as { id: number };
    await call("PATCH", `/api/v1/webhooks/${id}`, { status: "paused" });
    const count = eventsFor(batch);
    await appendEvents(stack, count);
    const newest = (await stack.db.productEvent.aggregate({ _max: { id: true } }))._max.id!;

    const started = performance.now();
    await call("PATCH", `/api/v1/webhooks/${id}`, { status: "active" });
    while ((await stack.db.webhookSubscription.findUniqueOrThrow({ where: { id } })).cursor < newest) await sleep(20);
    const seconds = (performance.now() - started) / 1000;

    if (tally.events !== count || tally.outOfOrder > 0) {
      throw new Error(`receiver got ${tally.events} of ${count} events, ${tally.outOfOrder} out of order`);
    }
    console.log(
      [
        batch,
        count,
        tally.requests,
        seconds.toFixed(2),
        Math.round(count / seconds),
        Math.round(tally.requests / seconds),
      ].join(" | "),
    );
    await call("DELETE", `/api/v1/webhooks/${id}`);
    receiver.server.close();
    await server.stop();
  }
} finally {
  await stack.stop();
}
