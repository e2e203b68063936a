// One load-generator process: holds `count` feed connections (SSE or WebSocket) to one server and
// measures, for every event, the time from the write being sent (told by the parent over IPC) to
// its arrival here. Reports sparse latency histograms (0.1 ms buckets) back to the parent.
import http from "node:http";
import { WebSocket } from "ws";

type Command = { type: "sent"; key: number; sentAt: number; phase: string } | { type: "report" } | { type: "stop" };

const [kind, host, portText, pathname, countText] = process.argv.slice(2);
const port = Number(portText);
const count = Number(countText);
const now = () => performance.timeOrigin + performance.now();

const sentAt = new Map<number, { at: number; phase: string }>();
const early = new Map<number, number[]>(); // arrivals before the parent's "sent" message
const histograms: Record<string, Map<number, number>> = {};
let received = 0;
let open = 0;
let failed = 0;
const sockets: Array<{ close: () => void }> = [];

function record(key: number, arrival: number) {
  const sent = sentAt.get(key);
  if (!sent) {
    early.set(key, [...(early.get(key) ?? []), arrival]);
    return;
  }
  received++;
  const bucket = Math.max(0, Math.round((arrival - sent.at) * 10));
  const histogram = (histograms[sent.phase] ??= new Map());
  histogram.set(bucket, (histogram.get(bucket) ?? 0) + 1);
}

const KEY = /"newStock"\s*:\s*(\d+)/g; // the floors pass on the NOTIFY payload as PostgreSQL wrote it
function onText(text: string) {
  const arrival = now();
  for (const match of text.matchAll(KEY)) record(Number(match[1]), arrival);
}

function openSse(): Promise<void> {
  return new Promise((resolve) => {
    const request = http.request({
      host,
      port,
      path: pathname,
      agent: false,
      headers: { accept: "text/event-stream" },
    });
    request.on("response", (response) => {
      response.setEncoding("utf8");
      let buffer = "";
      let counted = false;
      response.on("data", (chunk: string) => {
        if (!counted) {
          counted = true;
          open++;
          resolve();
        }
        buffer += chunk;
        const end = buffer.lastIndexOf("\n\n");
        if (end < 0) return;
        onText(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      });
      response.on("close", () => counted && open--);
    });
    request.on("error", () => {
      failed++;
      resolve();
    });
    request.end();
    sockets.push({ close: () => request.destroy() });
  });
}

function openWs(): Promise<void> {
  return new Promise((resolve) => {
    const socket = new WebSocket(`ws://${host}:${port}${pathname}`, { perMessageDeflate: false });
    socket.on("open", () => {
      open++;
      resolve();
    });
    socket.on("message", (data) => onText(data.toString()));
    socket.on("close", () => open--);
    socket.on("error", () => {
      failed++;
      resolve();
    });
    sockets.push({ close: () => socket.terminate() });
  });
}

process.on("message", (command: Command) => {
  if (command.type === "sent") {
    sentAt.set(command.key, { at: command.sentAt, phase: command.phase });
    for (const arrival of early.get(command.key) ?? []) record(command.key, arrival);
    early.delete(command.key);
  } else if (command.type === "report") {
    process.send!({
      type: "report",
      open,
      failed,
      received,
      histograms: Object.fromEntries(Object.entries(histograms).map(([phase, map]) => [phase, [...map]])),
    });
  } else if (command.type === "stop") {
    sockets.forEach((socket) => socket.close());
    process.exit(0);
  }
});

const BATCH = 250;
for (let started = 0; started < count; started += BATCH) {
  const batch = Math.min(BATCH, count - started);
  await Promise.all(Array.from({ length: batch }, () => (kind === "ws" ? openWs() : openSse())));
  process.send!({ type: "progress", open, failed });
}
process.send!({ type: "connected", open, failed });
