// A webhook endpoint for tests, on loopback: records every request (even one it never answers)
// and answers as the test's script says: a status, "hang" (no answer until the server closes,
// so the deliverer's timeout fires), or "hold" (no answer until the test releases the path). A request is listed once its body is in: a body
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

export type Answer = number | "hang" | "hold";

export type Receiver = {
  url: (path: string) => string;
  requests: (path: string) => ReceivedRequest[];
  /** How to answer the n-th request (0-based) to `path`; 200 unless told otherwise. */
  script: (path: string, answer: (n: number) => Answer) => void;
  /** Requests to `path` answered "hold" and not yet released. */
  held: (path: string) => number;
  /** Answers every held request to `path` with 200, and later ones too (the script becomes 200). */
  release: (path: string) => void;
  /** Answers the requests to `path` held now with `status`; later ones are still held. */
  answerHeld: (path: string, status: number) => void;
  close: () => Promise<void>;
};

export async function startReceiver(): Promise<Receiver> {
  const received = new Map<string, ReceivedRequest[]>();
  const scripts = new Map<string, (n: number) => Answer>();
  const unanswered = new Map<string, number>();
  const whole = new WeakSet<ReceivedRequest>();
  const holding = new Map<string, Array<(status: number) => void>>();
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
      if (answer === "hold") {
        const waiting = holding.get(path) ?? [];
        holding.set(path, waiting);
        waiting.push((status) => {
          unanswered.set(path, unanswered.get(path)! - 1);
          res.writeHead(status, { "content-type": "text/plain" }).end(status < 300 ? "ok" : `held, then ${status}`);
        });
        return;
      }
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
    held: (path) => holding.get(path)?.length ?? 0,
    release: (path) => {
      scripts.set(path, () => 200);
      for (const answer of holding.get(path)?.splice(0) ?? []) answer(200);
    },
    answerHeld: (path, status) => {
      for (const answer of holding.get(path)?.splice(0) ?? []) answer(status);
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
