// Server-Sent Events framing. Each frame is encoded once and the same bytes go to every client.
import type { FeedEvent } from "@/lib/events/feed-event";

const encoder = new TextEncoder();

export type EncodedEvent = { id: bigint; productId: number; bytes: Uint8Array };

export function encodeFeedEvent(event: FeedEvent): EncodedEvent {
  const id = BigInt(event.eventId);
  return { id, productId: event.productId, bytes: encoder.encode(`id: ${id}\ndata: ${JSON.stringify(event)}\n\n`) };
}

export const encodeRetry = (ms: number) => encoder.encode(`retry: ${ms}\n\n`);
export const PING = encoder.encode(": ping\n\n");
export const encodeReset = (reason: string) => encoder.encode(`event: reset\ndata: ${JSON.stringify({ reason })}\n\n`);
/** Sent when this instance stops: reconnect soon (to another instance) and resume. */
export const SHUTDOWN = encoder.encode(`retry: 500\nevent: shutdown\ndata: {"reason":"server shutting down"}\n\n`);

export const SSE_HEADERS = {
  "Content-Type": "text/event-stream; charset=utf-8",
  "Cache-Control": "no-cache, no-transform",
  "X-Accel-Buffering": "no",
  Connection: "keep-alive",
};
