// Long-lived responses, feed streams and CSV exports, are bounded per client and per instance:
// an export whose client stops reading is cut and gives its slot back, exports count against the
// per-address stream limit, and past the instance's stream limit (derived from the process's
// open-file limit, so sockets never run out) the next stream gets 503 with Retry-After while
// health and writes still answer. The same on both transports.
import assert from "node:assert/strict";
import fs from "node:fs";
import net from "node:net";
import { after, before, describe, test } from "node:test";
import { apiClient } from "./support/api";
import { eventually } from "./support/eventually";
import { rawRequest } from "./support/raw-http";
import { openFeed } from "./support/sse";
import { ASSUMED_FILE_LIMIT, parseOpenFileLimit, streamCapacity } from "../lib/http/stream-capacity";
import { startStack, TRANSPORTS, type Server, type Stack } from "../scripts/stack";

const FEED = "/api/v1/stream/product-updates";

let stack: Stack;
let bigExport: string;

before(async () => {
  stack = await startStack();
  // An export far larger than the socket buffers between server and client (~30 MB), so a
  // client that stops reading leaves the server with bytes it cannot send.
  const [product] = await stack.db.$queryRaw<Array<{ id: number; sku: string }>>`
    INSERT INTO "Product" (sku, name, "priceCents", stock, "lowStockThreshold", "updatedAt")
    VALUES (${`STALL-${process.pid}`}, 'Stalled export product', 100, 100000, 5, now()) RETURNING id, sku`;
  await stack.db.$executeRaw`
    INSERT INTO "ProductEvent" ("productId", kind, sku, name, stock, "priceCents", "lowStockThreshold", version, actor, reason, "stockLevel")
    SELECT ${product.id}, 'stock', ${product.sku}, repeat('n', 200), g, 100, 5, g, 'api:bulk', 'bulk', stock_level(g, 5)
    FROM generate_series(1, 100000) AS g`;
  bigExport = `/api/v1/events.csv?productId=${product.id}`;
});
after(() => stack?.stop());

/** A download that reads the response's first bytes and then nothing more. */
function stalledDownload(server: Server, path: string) {
  const socket = net.connect(server.port, "127.0.0.1");
  socket.on("error", () => {});
  socket.write(`GET ${path} HTTP/1.1\r\nhost: 127.0.0.1:${server.port}\r\n\r\n`);
  let bytes = 0;
  socket.on("data", (chunk: Buffer) => (bytes += chunk.byteLength));
  const status = new Promise<number>((resolve) =>
    socket.once("data", (chunk) => {
      socket.pause();
      resolve(Number(chunk.toString("latin1", 0, 12).split(" ")[1]));
    }),
  );
  return {
    status,
    /** Reads on until the server ends the connection; the bytes received in all. */
    readToEnd: () =>
      new Promise<number>((resolve) => {
        socket.once("close", () => resolve(bytes));
        socket.resume();
      }),
    close: () => socket.destroy(),
  };
}

describe("the stream limit derived from the open-file limit", () => {
  test("reads the soft limit from /proc/self/limits' text", () => {
    const limits = (soft: string, hard: string) =>
      `Limit                     Soft Limit           Hard Limit           Units     \n` +
      `Max cpu time              unlimited            unlimited            seconds   \n` +
      `Max open files            ${soft.padEnd(20)} ${hard.padEnd(20)} files     \n`;
    assert.equal(parseOpenFileLimit(limits("20000", "20000")), 20_000);
    assert.equal(parseOpenFileLimit(limits("1024", "524288")), 1024);
    assert.equal(parseOpenFileLimit(limits("unlimited", "unlimited")), 1_048_576);
    assert.equal(parseOpenFileLimit("Max processes 100 100 processes\n"), null);
    assert.ok(parseOpenFileLimit(fs.readFileSync("/proc/self/limits", "utf8"))! > 0);
  });

  test("leaves max(256, 10%) of the files for everything else; MAX_OPEN_STREAMS may set it, not past the room", () => {
    const derived = (files: number | null) => streamCapacity(files).maxStreams;
    assert.equal(derived(20_000), 18_000);
    assert.equal(derived(65_536), 58_982);
    assert.equal(derived(1024), 768);
    assert.equal(derived(2560), 2304);
    assert.equal(derived(257), 1);
    assert.equal(derived(null), ASSUMED_FILE_LIMIT - 256);
    assert.throws(() => streamCapacity(256), /RLIMIT_NOFILE/);
    assert.throws(() => streamCapacity(100), /RLIMIT_NOFILE/);
    for (const files of [300, 1024, 20_000, 1_048_576]) {
      const { maxStreams } = streamCapacity(files);
      assert.ok(maxStreams >= 1 && maxStreams <= files - 256, `${files}: ${maxStreams}`);
    }
    assert.deepEqual(streamCapacity(20_000, 5), { maxStreams: 5, fileLimit: 20_000, source: "MAX_OPEN_STREAMS" });
    assert.equal(streamCapacity(20_000, 19_744).maxStreams, 19_744);
    assert.throws(() => streamCapacity(20_000, 19_745), /MAX_OPEN_STREAMS=19745 .* at most 19744/);
  });

  test("a started server reports the limit derived from its own file limit (log and /api/metrics)", async () => {
    const server = await stack.startServer();
    const files = parseOpenFileLimit(fs.readFileSync(`/proc/${server.pid}/limits`, "utf8"));
    const expected = streamCapacity(files).maxStreams;
    assert.equal(await server.metric("stockpulse_stream_limit"), expected);
    assert.match(
      server.output(),
      new RegExp(`at most ${expected} feed streams and exports open \\(open-file limit ${files}`),
    );
    await server.stop();
  });

  test("a bad MAX_OPEN_STREAMS stops the start with a message naming it", async () => {
    await assert.rejects(
      stack.startServer({ env: { MAX_OPEN_STREAMS: "many" } }),
      /MAX_OPEN_STREAMS must be a whole number/,
    );
    await assert.rejects(stack.startServer({ env: { MAX_OPEN_STREAMS: "100000000" } }), /MAX_OPEN_STREAMS=100000000/);
  });
});

for (const transport of TRANSPORTS) {
  describe(`streams and exports held by clients (${transport})`, () => {
    test("an export whose client stops reading is cut and gives its slot back", async () => {
      const server = await stack.startServer({ transport, env: { EXPORT_STALL_TIMEOUT_MS: "1000" } });
      const download = stalledDownload(server, bigExport);
      assert.equal(await download.status, 200);
      await eventually(async () => (await server.metric("stockpulse_csv_exports_stalled_total")) === 1, "the cut");
      await eventually(async () => (await server.metric("stockpulse_stream_slots_in_use")) === 0, "the slot back");
      // The connection ends short of the export's ~30 MB: what the buffers held, then the close.
      // (npm start's server closes it at once; under plain `next start` Next's pipe, waiting for
      // the client to take its last write, closes it once the client reads again.)
      const received = await download.readToEnd();
      assert.ok(received < 25 * 1024 * 1024, `received ${received} bytes: the whole export`);
      await server.stop();
    });

    test("exports count against the per-address stream limit, with feed streams", async () => {
      const server = await stack.startServer({ transport, env: { FEED_MAX_STREAMS_PER_ADDRESS: "2" } });
      const download = stalledDownload(server, bigExport);
      assert.equal(await download.status, 200);
      const feed = await openFeed(`${server.baseUrl}${FEED}`);
      assert.equal(feed.status, 200);
      for (const path of [bigExport, "/api/v1/products.csv", FEED]) {
        const refused = await rawRequest(server.port, { path }, (response) => response.status !== 0);
        refused.close();
        assert.equal(refused.status, 429, path);
        assert.ok(
          refused.headers.some(([name, value]) => name === "retry-after" && Number(value) > 0),
          path,
        );
      }
      const refused = await fetch(`${server.baseUrl}/api/v1/products.csv`);
      assert.equal((await refused.json()).error.code, "TOO_MANY_STREAMS");
      // A closed export gives its slot back.
      download.close();
      await eventually(async () => (await fetch(`${server.baseUrl}/api/v1/products.csv`)).status === 200, "a slot");
      feed.close();
      await server.stop();
    });

    test("past the instance's stream limit the next stream gets 503 with Retry-After; health and writes still answer", async () => {
      const server = await stack.startServer({ transport, env: { MAX_OPEN_STREAMS: "3" } });
      assert.equal(await server.metric("stockpulse_stream_limit"), 3);
      const feeds = await Promise.all([1, 2].map(() => openFeed(`${server.baseUrl}${FEED}`)));
      feeds.forEach((feed) => assert.equal(feed.status, 200));
      const download = stalledDownload(server, bigExport);
      assert.equal(await download.status, 200);
      for (const path of [FEED, bigExport]) {
        const refused = await fetch(`${server.baseUrl}${path}`);
        assert.equal(refused.status, 503, path);
        assert.ok(Number(refused.headers.get("retry-after")) > 0, path);
        const { error } = await refused.json();
        assert.equal(error.code, "STREAM_LIMIT_REACHED");
        assert.match(error.message, /3 streams and exports open.*MAX_OPEN_STREAMS/);
      }
      assert.equal((await fetch(`${server.baseUrl}/api/health`)).status, 200);
      const write = await apiClient(server.baseUrl, stack.adminToken).adjust(3, { delta: 1, reason: "at the limit" });
      assert.equal(write.status, 200, JSON.stringify(write.body));
      // A stream that ends gives its slot back.
      feeds[0].close();
      await eventually(async () => (await server.metric("stockpulse_stream_slots_in_use")) === 2, "a slot back");
      const again = await openFeed(`${server.baseUrl}${FEED}`);
      assert.equal(again.status, 200);
      [again, feeds[1]].forEach((feed) => feed.close());
      download.close();
      await server.stop();
    });

    test("HEAD of an export answers its headers and holds no slot", async () => {
      const server = await stack.startServer({ transport, env: { MAX_OPEN_STREAMS: "1" } });
      for (let i = 0; i < 3; i++) {
        const head = await fetch(`${server.baseUrl}${bigExport}`, { method: "HEAD" });
        assert.equal(head.status, 200);
        assert.match(head.headers.get("content-type") ?? "", /^text\/csv/);
      }
      assert.equal(await server.metric("stockpulse_stream_slots_in_use"), 0);
      await server.stop();
    });
  });
}
