// One load-generator process for the burst phase of bench/fanout.ts: holds `count` SSE feed
// connections that behave like EventSource (on a broken stream, reconnect after `retry` with
// Last-Event-ID; on `event: reset`, "reload the snapshot": reconnect from the newest id the
// parent names). A share of them pause reading for a while when the burst starts.
//
// Frames are scanned as bytes (Buffer.indexOf), not decoded: 1,000 clients take 4.5 GB of a
// 10,000-event burst, more than the generators could parse as text on this machine. Each client
// records, per chunk that raised its last id, (last id, arrival time); the parent turns that
// into "time until the client had id N" for the burst's last id and the single change's id.
import http from "node:http";

type Command =
  | { type: "burst"; fromId: number; slowShare: number; slowMs: number }
  | { type: "newest"; id: number }
  | { type: "report" }
  | { type: "stop" };

const [host, portText, pathname, countText, retryText] = process.argv.slice(2);
const port = Number(portText);
const count = Number(countText);
const retryMs = Number(retryText);
const now = () => performance.timeOrigin + performance.now();

const ID = Buffer.from("\nid: ");
const RESET = Buffer.from("event: reset");
const FRAME_END = Buffer.from("\n\n");

/** What the bench reads of each client once the burst is over (`request` stays here). */
export type BurstClient = Omit<Client, "request">;

type Client = {
  index: number;
  lastId: number;
  received: number;
  /** Ids that did not increase (duplicates or out of order). */
  disorder: number;
  cuts: number;
  resets: number;
  reconnects: number;
  /** Arrival times by last id, recorded once the burst started. */
  marks: number[];
  resetAt: number | null;
  request: http.ClientRequest | null;
  response: http.IncomingMessage | null;
  open: boolean;
};

let recording = false;
let newest = 0;
let stopping = false;
let open = 0;
let failed = 0;
const clients: Client[] = [];

function scan(client: Client, region: Buffer, arrival: number) {
  // Each event frame starts with "id: " at the start of the region or after a newline.
  let position = region.subarray(0, 4).toString() === "id: " ? 0 : region.indexOf(ID);
  const before = client.lastId;
  while (position >= 0) {
    let cursor = position + (region[position] === 0x0a ? ID.length : 4);
    let id = 0;
    for (let byte = region[cursor]; byte >= 0x30 && byte <= 0x39; byte = region[++cursor]) id = id * 10 + byte - 0x30;
    if (id > client.lastId) {
      client.lastId = id;
      client.received++;
    } else client.disorder++;
    position = region.indexOf(ID, cursor);
  }
  if (recording && client.lastId > before) client.marks.push(client.lastId, arrival);
  if (region.indexOf(RESET) >= 0) {
    client.resets++;
    client.resetAt = arrival;
    // Reloading the snapshot: the client now stands at the newest id the parent knows.
    client.lastId = Math.max(client.lastId, newest);
  }
}

function connect(client: Client): Promise<void> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = { accept: "text/event-stream" };
    if (client.lastId > 0) headers["last-event-id"] = String(client.lastId);
    const request = http.request({ host, port, path: pathname, agent: false, headers });
    client.request = request;
    let settled = false;
    const settle = () => {
      if (!settled) {
        settled = true;
        resolve();
      }
    };
    const closed = (error: boolean) => {
      if (client.open) open--;
      client.open = false;
      if (error) failed++;
      settle();
      if (stopping) return;
      client.cuts++;
      setTimeout(() => {
        client.reconnects++;
        void connect(client);
      }, retryMs);
    };
    request.on("response", (response) => {
      client.response = response;
      let carry: Buffer | null = null;
      response.on("data", (chunk: Buffer) => {
        if (!client.open) {
          client.open = true;
          open++;
          settle();
        }
        const buffer: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
        const end = buffer.lastIndexOf(FRAME_END);
        if (end < 0) {
          carry = buffer;
          return;
        }
        scan(client, buffer.subarray(0, end + 2), now());
        carry = end + 2 < buffer.length ? Buffer.from(buffer.subarray(end + 2)) : null;
      });
      response.on("close", () => closed(false));
    });
    request.on("error", () => {
      if (!client.request || client.request === request) closed(true);
    });
    request.end();
  });
}

process.on("message", (command: Command) => {
  if (command.type === "burst") {
    recording = true;
    for (const client of clients) {
      // Like a dashboard that connected with ?lastEventId= from its snapshot.
      client.lastId = Math.max(client.lastId, command.fromId);
      client.marks = [client.lastId, now()];
      // The first slowShare of this generator's clients stop reading for slowMs.
      const response = client.response;
      if (client.index < Math.round(command.slowShare * count) && response) {
        response.pause();
        setTimeout(() => response.resume(), command.slowMs);
      }
    }
  } else if (command.type === "newest") {
    newest = Math.max(newest, command.id);
  } else if (command.type === "report") {
    process.send!({
      type: "report",
      open,
      failed,
      clients: clients.map(({ index, lastId, received, disorder, cuts, resets, reconnects, marks, resetAt }) => ({
        index,
        lastId,
        received,
        disorder,
        cuts,
        resets,
        reconnects,
        marks,
        resetAt,
      })),
    });
  } else if (command.type === "stop") {
    stopping = true;
    clients.forEach((client) => client.request?.destroy());
    process.exit(0);
  }
});

const BATCH = 250;
for (let started = 0; started < count; started += BATCH) {
  const batch = Array.from({ length: Math.min(BATCH, count - started) }, (_, offset): Client => ({
    index: started + offset,
    lastId: 0,
    received: 0,
    disorder: 0,
    cuts: 0,
    resets: 0,
    reconnects: 0,
    marks: [],
    resetAt: null,
    request: null,
    response: null,
    open: false,
  }));
  clients.push(...batch);
  await Promise.all(batch.map(connect));
  process.send!({ type: "progress", open, failed });
}
process.send!({ type: "connected", open, failed });
