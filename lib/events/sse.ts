// Server-Sent Events framing. Each frame is encoded once and the same bytes go to every client.
import type { FeedEvent } from "@/lib/events/feed-event";

const encoder = new TextEncoder();

export type EncodedEvent = { id: bigint; productId: number; bytes: Uint8Array };

export function encodeFeedEvent(event: FeedEvent): EncodedEvent {
  const id = BigInt(event.eventId);
  return { id, productId: event.productId, bytes: encoder.encode(`id: ${id}\ndata: ${JSON.stringify(event)}\n\n`) };
}

/** The frames' bytes one after another: one write for several frames. */
export function concatFrames(frames: readonly { bytes: Uint8Array }[]): Uint8Array {
  if (frames.length === 1) return frames[0].bytes;
  let size = 0;
  for (const frame of frames) size += frame.bytes.byteLength;
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const frame of frames) {
    bytes.set(frame.bytes, offset);
    offset += frame.bytes.byteLength;
  }
  return bytes;
}

export const encodeRetry = (ms: number) => encoder.encode(`retry: ${ms}\n\n`);
export const PING = encoder.encode(": ping\n\n");
export const encodeReset = (reason: string) => encoder.encode(`event: reset\ndata: ${JSON.stringify({ reason })}\n\n`);
/** Sent when this instance stops: reconnect soon (to another instance) and resume. */
export const SHUTDOWN = encoder.encode(`retry: 500\nevent: shutdown\ndata: {"reason":"server shutting down"}\n\n`);
/**
 * Whether this instance is following the database. `live: false` when it cannot reach
 * PostgreSQL or its LISTEN connection is away: what a client shows may be stale. `live: true`
 * once it is back and has caught up (every missed event has been sent before this frame).
 */
export const encodeStatus = (live: boolean, reason?: string) =>
  encoder.encode(`event: status\ndata: ${JSON.stringify(live ? { live } : { live, reason })}\n\n`);

/** Every feed response's headers, on both transports (the route handler and node:http). */
export const SSE_HEADERS: Record<string, string> = {
  "Content-Type": "text/event-stream; charset=utf-8",
  "Cache-Control": "no-cache, no-transform",
  "X-Accel-Buffering": "no",
};
