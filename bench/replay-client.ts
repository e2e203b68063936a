// The resuming streams of bench/replay.ts, in a process of their own: reading hundreds of MiB
// must not hold up the bench's own event loop, which times the writes. Opens `count` streams
// that resume after `from` (with `catchUp` unless "all"), from `addresses` loopback addresses
// (127.0.0.1, .2, ...), scans bytes (not text) for event `until`, and reports once every stream
// has it or has ended: { bytes, resets, statuses }.
import http from "node:http";

const [host, port, fromText, untilText, countText, addressesText, catchUp] = process.argv.slice(2);
const count = Number(countText);
const addresses = Number(addressesText);
const until = Buffer.from(`\nid: ${untilText}\n`);
const RESET = Buffer.from("event: reset");

export type ReplayReport = { bytes: number; resets: number; statuses: number[] };

let bytes = 0;
let resets = 0;
const statuses = new Set<number>();

function resume(index: number) {
  return new Promise<void>((resolve) => {
    let tail = Buffer.alloc(0);
    const req = http.get(
      {
        host,
        port,
        path: `/api/v1/stream/product-updates${catchUp === "all" ? "" : `?catchUp=${catchUp}`}`,
        localAddress: `127.0.0.${1 + (index % addresses)}`,
        headers: { "last-event-id": fromText, accept: "text/event-stream" },
      },
      (res) => {
        statuses.add(res.statusCode ?? 0);
        res.on("data", (chunk: Buffer) => {
          bytes += chunk.length;
          // Only the chunk and the end of the one before: a frame may straddle two chunks.
          const window = Buffer.concat([tail, chunk]);
          if (window.includes(RESET)) resets++;
          if (window.includes(until)) {
            res.destroy();
            resolve();
          }
          tail = window.subarray(Math.max(0, window.length - until.length));
        });
        res.on("close", () => resolve());
      },
    );
    req.on("error", () => resolve());
  });
}

await Promise.all(Array.from({ length: count }, (_, index) => resume(index)));
process.send!({ bytes, resets, statuses: [...statuses] } satisfies ReplayReport);
process.exit(0);
