// One client's SSE stream: `retry:` first, then the events after its last id replayed from
// ProductEvent, then the live feed from the hub, with no gap and no duplicate at the seam.
import { env } from "@/lib/env";
import { feedEngine } from "@/lib/events/engine";
import { toFeedEvent } from "@/lib/events/feed-event";
import type { Subscriber } from "@/lib/events/hub";
import { fetchEventBounds, fetchEventsAfter, REPLAY_PAGE_SIZE } from "@/lib/events/queries";
import { encodeFeedEvent, encodeReset, encodeRetry, PING, SHUTDOWN, type EncodedEvent } from "@/lib/events/sse";

export type FeedRequest = {
  /** Resume after this event id; null starts with the live feed only. */
  lastEventId: bigint | null;
  /** Limit to these products; null for all. */
  productIds: ReadonlySet<number> | null;
  signal: AbortSignal;
};

/** Whether `lastEventId` can be resumed from the retained history, or the client must reload. */
async function resetReason(lastEventId: bigint): Promise<string | null> {
  const { oldest, newest } = await fetchEventBounds();
  if (newest === null) return lastEventId > BigInt(0) ? "unknown event id" : null;
  if (lastEventId > newest) return "unknown event id";
  if (oldest !== null && lastEventId < oldest - BigInt(1)) return "event id older than the retained history";
  return null;
}

export async function openProductFeed({
  lastEventId,
  productIds,
  signal,
}: FeedRequest): Promise<ReadableStream<Uint8Array>> {
  const { hub, listener, metrics } = feedEngine();
  const config = env();
  await listener.ready;

  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let closed = false;
  let lastSent = lastEventId ?? hub.lastEventId;
  // Live events that arrive during replay wait here; null once the stream is live.
  let held: EncodedEvent[] | null = lastEventId === null ? null : [];
  let unsubscribe = () => {};

  const close = () => {
    if (closed) return;
    closed = true;
    unsubscribe();
    signal.removeEventListener("abort", close);
  };

  // The stream's queue is the per-client buffer. A client that stops reading fills it; past the
  // limit its stream is dropped (memory stays bounded) and it resumes later from its last id.
  const enqueue = (bytes: Uint8Array) => {
    if (closed) return;
    if (bytes.byteLength > (controller.desiredSize ?? 0)) {
      metrics.slowClientsDropped++;
      close();
      controller.error(new Error("client too slow: buffer limit reached"));
      return;
    }
    controller.enqueue(bytes);
  };

  const send = (event: EncodedEvent) => {
    if (event.id <= lastSent) return;
    lastSent = event.id;
    enqueue(event.bytes);
  };

  const subscriber: Subscriber = {
    productIds,
    deliver(event) {
      if (held === null) return send(event);
      held.push(event);
      if (held.length > REPLAY_PAGE_SIZE * 10) {
        metrics.slowClientsDropped++;
        close();
        controller.error(new Error("too many live events during replay"));
      }
    },
    ping: () => enqueue(PING),
    shutdown() {
      enqueue(SHUTDOWN);
      close();
      controller.close();
    },
  };

  const replay = async (after: bigint) => {
    metrics.replays++;
    const reason = await resetReason(after);
    if (reason) {
      enqueue(encodeReset(reason));
      close();
      controller.close();
      return;
    }
    for (let cursor = after; !closed;) {
      const events = await fetchEventsAfter(cursor, productIds);
      for (const event of events) send(encodeFeedEvent(toFeedEvent(event)));
      if (events.length < REPLAY_PAGE_SIZE) break;
      cursor = events[events.length - 1].id;
    }
    const waiting = held ?? [];
    held = null;
    waiting.forEach(send);
  };

  metrics.streamsOpened++;
  return new ReadableStream<Uint8Array>(
    {
      start(streamController) {
        controller = streamController;
        controller.enqueue(encodeRetry(config.SSE_RETRY_MS));
        // Subscribe before reading history: anything committed from here on reaches `held`.
        unsubscribe = hub.subscribe(subscriber);
        signal.addEventListener("abort", close);
        if (lastEventId !== null) {
          replay(lastEventId).catch((error) => {
            console.error("feed replay failed", error);
            close();
            controller.error(error);
          });
        }
      },
      cancel: close,
    },
    { highWaterMark: config.SSE_MAX_BUFFER_BYTES, size: (chunk) => chunk.byteLength },
  );
}
