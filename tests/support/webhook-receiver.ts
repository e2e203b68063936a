// A webhook endpoint for tests, on loopback: records every request (even one it never answers)
// and answers as the test's script says: a status, or "hang" (no answer until the server
// closes, so the deliverer's timeout fires). A request is listed once its body is in: a body
// that comes in more than one read would otherwise be seen empty, half a JSON document.
import http from "node:http";
import type { AddressInfo } from "node:net";

export type ReceivedRequest = {
  path: string;
  headers: Record<string, string>;
  body: string;
  /** The order in which requests arrived, over every path. */
  index: number;
  /** Whether another request to the same path was still unanswered when this one arrived. */
  overlapped: boolean;
};

export type Answer = number | "hang";

export type Receiver = {
  url: (path: string) => string;
  requests: (path: string) => ReceivedRequest[];
  /** How to answer the n-th request (0-based) to `path`; 200 unless told otherwise. */
  script: (path: string, answer: (n: number) => Answer) => void;
  close: () => Promise<void>;
};

export async function startReceiver(): Promise<Receiver> {
  const received = new Map<string, ReceivedRequest[]>();
  const scripts = new Map<string, (n: number) => Answer>();
  const unanswered = new Map<string, number>();
  const whole = new WeakSet<ReceivedRequest>();
  let index = 0;
  const server = http.createServer((req, res) => {
    const path = req.url ?? "/";
    const log = received.get(path) ?? [];
    received.set(path, log);
    const n = log.length;
    const request: ReceivedRequest = {
      path,
      headers: Object.fromEntries(Object.entries(req.headers).map(([name, value]) => [name, String(value)])),
      body: "",
      index: index++,
      overlapped: (unanswered.get(path) ?? 0) > 0,
    };
    log.push(request);
    unanswered.set(path, (unanswered.get(path) ?? 0) + 1);
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      request.body = Buffer.concat(chunks).toString("utf8");
      whole.add(request);
      const answer = scripts.get(path)?.(n) ?? 200;
      if (answer === "hang") {
        res.on("close", () => unanswered.set(path, unanswered.get(path)! - 1));
        return;
      }
      unanswered.set(path, unanswered.get(path)! - 1);
      res.writeHead(answer, { "content-type": "text/plain" });
      res.end(answer >= 200 && answer < 300 ? "ok" : `receiver refused with ${answer}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    requests: (path) => (received.get(path) ?? []).filter((request) => whole.has(request)),
    script: (path, answer) => void scripts.set(path, answer),
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
