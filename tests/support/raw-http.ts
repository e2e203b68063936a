// HTTP/1.1 over a bare socket, for tests that look at what goes over the wire: exact header
// lists and the chunks of a chunked body (one chunk = one write by the server).
import net from "node:net";

export type RawResponse = {
  status: number;
  /** Header names lowercased, in the order sent. */
  headers: Array<[string, string]>;
  /** The body's chunks as sent (chunked transfer encoding), or the whole body as one. */
  chunks: Buffer[];
  body: () => string;
  /** Ends the connection. */
  close: () => void;
};

/**
 * Sends `request` and reads the response until `done(response)` holds, the server closes, or
 * `timeoutMs` passes (then it rejects, naming what it got).
 */
export function rawRequest(
  port: number,
  request: { method?: string; path: string; headers?: Record<string, string> },
  done: (response: RawResponse) => boolean = () => false,
  timeoutMs = 15_000,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    const headerLines = Object.entries({ host: `127.0.0.1:${port}`, ...request.headers }).map(
      ([name, value]) => `${name}: ${value}\r\n`,
    );
    socket.write(`${request.method ?? "GET"} ${request.path} HTTP/1.1\r\n${headerLines.join("")}\r\n`);
    let buffer = Buffer.alloc(0);
    const response: RawResponse = {
      status: 0,
      headers: [],
      chunks: [],
      body: () => Buffer.concat(response.chunks).toString("utf8"),
      close: () => socket.destroy(),
    };
    let headed = false;
    let chunked = false;
    let finished = false;
    const finish = (error?: Error) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      if (error) {
        socket.destroy();
        reject(error);
      } else resolve(response);
    };
    const timer = setTimeout(
      () => finish(new Error(`timed out; got ${response.status} ${response.body().slice(0, 2000)}`)),
      timeoutMs,
    );

    const parse = () => {
      if (!headed) {
        const end = buffer.indexOf("\r\n\r\n");
        if (end < 0) return;
        const [statusLine, ...lines] = buffer.subarray(0, end).toString("latin1").split("\r\n");
        response.status = Number(statusLine.split(" ")[1]);
        for (const line of lines) {
          const colon = line.indexOf(":");
          response.headers.push([line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()]);
        }
        chunked = response.headers.some(([name, value]) => name === "transfer-encoding" && value === "chunked");
        headed = true;
        buffer = buffer.subarray(end + 4);
        if (request.method === "HEAD") return finish();
      }
      if (!chunked) {
        if (buffer.length) response.chunks.push(buffer);
        buffer = Buffer.alloc(0);
        return;
      }
      for (;;) {
        const lineEnd = buffer.indexOf("\r\n");
        if (lineEnd < 0) return;
        const size = parseInt(buffer.subarray(0, lineEnd).toString("latin1"), 16);
        if (buffer.length < lineEnd + 2 + size + 2) return;
        if (size === 0) return finish();
        response.chunks.push(buffer.subarray(lineEnd + 2, lineEnd + 2 + size));
        buffer = buffer.subarray(lineEnd + 2 + size + 2);
      }
    };

    socket.on("data", (data) => {
      buffer = Buffer.concat([buffer, data]);
      parse();
      if (headed && done(response)) finish();
    });
    socket.on("close", () => finish());
    socket.on("error", (error) => finish(error));
  });
}
