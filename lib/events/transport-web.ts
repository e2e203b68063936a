// The feed over a web ReadableStream, for the route handler (`next dev`, plain `next start`).
// The stream's queue is the client's buffer: Next's pipe reads from it as the socket drains.
import { requireReader } from "@/lib/auth/guards";
import { parseFeedRequest } from "@/lib/events/feed-request";
import { feedReady, FeedSession, type FeedSink } from "@/lib/events/session";
import { SSE_HEADERS } from "@/lib/events/sse";
import { clientAddress } from "@/lib/http/client-address";
import { admitStream } from "@/lib/http/request-limits";

export async function feedResponse(request: Request): Promise<Response> {
  await requireReader(request);
  const feedRequest = parseFeedRequest(new URL(request.url).searchParams, request.headers.get("last-event-id"));
  // HEAD gets the headers GET would, and never subscribes (nothing would read the stream).
  if (request.method === "HEAD") return new Response(null, { headers: SSE_HEADERS });
  const address = clientAddress(request.headers.get("x-forwarded-for"));
  const release = admitStream(address);
  try {
    await feedReady();
  } catch (error) {
    release();
    throw error;
  }

  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let waiting: Array<() => void> = [];
  const wake = () => {
    const resolvers = waiting;
    waiting = [];
    resolvers.forEach((resolve) => resolve());
  };
  // A high-water mark this large never asks for data by itself; it only tells how much is queued.
  const highWaterMark = 1 << 30;
  const stream = new ReadableStream<Uint8Array>(
    {
      start: (streamController) => void (controller = streamController),
      pull: wake,
      cancel: () => {
        session.clientGone();
        wake();
      },
    },
    { highWaterMark, size: (chunk) => chunk.byteLength },
  );
  const sink: FeedSink = {
    write: (bytes) => controller.enqueue(bytes),
    bufferedBytes: () => highWaterMark - (controller.desiredSize ?? highWaterMark),
    drained: () => new Promise((resolve) => waiting.push(resolve)),
    end: () => controller.close(),
    abort: (reason) => {
      controller.error(reason);
      wake();
    },
  };
  const session = new FeedSession(feedRequest, sink, address, release);
  request.signal.addEventListener(
    "abort",
    () => {
      session.clientGone();
      wake();
    },
    { once: true },
  );
  session.start();
  return new Response(stream, { headers: SSE_HEADERS });
}
