// The feed over node:http, for the production server (scripts/server.ts): frames go straight to
// the socket with `res.write`, and the client's buffer is what the socket has not sent yet.
// Same session, same bytes and headers as the route handler (transport-web.ts), a fraction of
// the CPU and memory per stream (docs/benchmarks.md).
import type { IncomingMessage, ServerResponse } from "node:http";
import { requireReader } from "@/lib/auth/guards";
import { parseFeedRequest } from "@/lib/events/feed-request";
import { feedReady, FeedSession, type FeedSink } from "@/lib/events/session";
import { SSE_HEADERS } from "@/lib/events/sse";
import { clientAddress } from "@/lib/http/client-address";
import { API_HEADERS, nodeHeaders, sendError } from "@/lib/http/node";
import { admitRequest, admitStream } from "@/lib/http/request-limits";

export const FEED_PATH = "/api/v1/stream/product-updates";

export async function handleFeedRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { ...API_HEADERS, Allow: "GET, HEAD" });
    res.end();
    return;
  }
  let release: (() => void) | null = null;
  try {
    const headers = nodeHeaders(req);
    await admitRequest(headers, req.socket.remoteAddress ?? null);
    await requireReader({ headers });
    const url = new URL(req.url ?? "/", "http://localhost");
    const feedRequest = parseFeedRequest(url.searchParams, headers.get("last-event-id"));
    // HEAD gets the headers GET would, and never subscribes (nothing would read the stream).
    if (req.method === "HEAD") {
      res.writeHead(200, { ...API_HEADERS, ...SSE_HEADERS });
      res.end();
      return;
    }
    const address = clientAddress(headers.get("x-forwarded-for"), req.socket.remoteAddress ?? null);
    release = admitStream(address);
    await feedReady();
    if (res.destroyed) return release();
    res.writeHead(200, { ...API_HEADERS, ...SSE_HEADERS });
    const sink: FeedSink = {
      write: (bytes) => void res.write(bytes),
      bufferedBytes: () => res.writableLength,
      // 'drain' comes only after a write went past the socket's high-water mark. Below it, Node 24
      // hands the bytes to the kernel a tick after write() (Node 20 did so at once) with no event:
      // look again shortly rather than wait for a 'drain' that never comes.
      drained: () =>
        new Promise((resolve) => {
          if (!res.writableNeedDrain) {
            setTimeout(resolve, 10);
            return;
          }
          const done = () => {
            res.off("drain", done);
            res.off("close", done);
            resolve();
          };
          res.on("drain", done);
          res.on("close", done);
        }),
      end: () => res.end(),
      abort: () => res.destroy(),
    };
    const session = new FeedSession(feedRequest, sink, address, release);
    release = null; // the session gives the slot back when it closes
    res.once("close", () => session.clientGone());
    session.start();
  } catch (error) {
    release?.();
    sendError(res, error);
  }
}
