// The in-process hub: one per server instance. Events arrive from the Postgres listener in
// commit order. Everything published in one turn of the event loop goes to each subscriber as
// one batch: its matching frames concatenated into one write, built once per distinct filter
// (once in all for the unfiltered feed) and shared. Idle, a lone event goes out in the same
// turn; under load batches grow by themselves and the cost per event falls. Nothing here awaits
// a subscriber: a slow client only ever hurts itself (see session.ts).
//
// The hub also keeps the most recent events it handed out (RECENT_LOG_BYTES of frames, shared by
// every stream): a client that falls behind a burst (a 10,000-row import is ~4.5 MB per client)
// catches up from here at its own pace instead of being cut and replaying from the database.
import { FeedMetrics } from "@/lib/events/feed-metrics";
import { concatFrames, encodeStatus, type EncodedEvent } from "@/lib/events/sse";

/** Events in id order and their frames as one write. */
export type Batch = { readonly events: readonly EncodedEvent[]; readonly bytes: Uint8Array };

export interface Subscriber {
  /** null: every product. */
  readonly productIds: ReadonlySet<number> | null;
  /** The same string for the same filter, so subscribers with one filter share a batch. */
  readonly filterKey: string;
  deliver(batch: Batch): void;
  /** Keep an idle stream open (a `: ping` comment), spread over the heartbeat interval. */
  heartbeat(): void;
  /** The instance lost (`live` false) or regained the database; `frame` says so to the client. */
  status(live: boolean, frame: Uint8Array): void;
  shutdown(): void;
}

/** Heartbeats go to one slot of subscribers at a time, spread over the interval. */
const HEARTBEAT_SLOTS = 16;

/**
 * How much of the newest history the hub keeps in memory: ~35,000 events of ~450 bytes, more
 * than one 10,000-item bulk change or import (docs/benchmarks.md, "A burst through the feed").
 */
export const RECENT_LOG_BYTES = 16 * 1024 * 1024;

export class ProductEventHub {
  private readonly slots = Array.from({ length: HEARTBEAT_SLOTS }, () => new Set<Subscriber>());
  private readonly slotOf = new Map<Subscriber, Set<Subscriber>>();
  private nextSlot = 0;
  private pending: EncodedEvent[] = [];
  private flushScheduled = false;
  private heartbeat: NodeJS.Timeout | null = null;
  private heartbeatSlot = 0;
  private readonly flushListeners = new Set<() => void>();
  // The recent log: every event after `recentFrom` that was handed out, in id order, from index
  // `recentStart` of `recent` (the front is dropped in steps, not shifted one by one).
  private recent: EncodedEvent[] = [];
  private recentStart = 0;
  private recentBytes = 0;
  private recentFrom: bigint | null = null;
  /** The highest event id published; older or repeated events are dropped (listener catch-up). */
  lastEventId = BigInt(0);
  /** The highest event id handed to subscribers: a stream without a resume id starts after it. */
  lastDeliveredId = BigInt(0);
  /** Whether this instance follows the database (see encodeStatus). */
  live = true;
  private liveFrame = encodeStatus(true);

  constructor(
    private readonly heartbeatMs: number,
    private readonly metrics = new FeedMetrics(),
  ) {}

  get size() {
    return this.slotOf.size;
  }

  /** The frame a new stream starts with while this instance does not follow the database. */
  get statusFrame(): Uint8Array | null {
    return this.live ? null : this.liveFrame;
  }

  subscribe(subscriber: Subscriber): () => void {
    const slot = this.slots[this.nextSlot++ % HEARTBEAT_SLOTS];
    slot.add(subscriber);
    this.slotOf.set(subscriber, slot);
    this.heartbeat ??= setInterval(() => this.beat(), this.heartbeatMs / HEARTBEAT_SLOTS).unref();
    return () => {
      this.slotOf.get(subscriber)?.delete(subscriber);
      this.slotOf.delete(subscriber);
      if (this.slotOf.size === 0 && this.heartbeat) {
        clearInterval(this.heartbeat);
        this.heartbeat = null;
      }
    };
  }

  /** Called after every batch handed out: work that follows the log itself (webhook delivery). */
  onFlush(listener: () => void): () => void {
    this.flushListeners.add(listener);
    return () => void this.flushListeners.delete(listener);
  }

  /**
   * Where the feed stands when the instance starts (the newest committed event): the live feed
   * and a stream without a resume id start after it. Such a stream's `lastSent` is where it
   * catches up from if it falls behind, so it must not stay at 0 until the first flush.
   */
  startAfter(id: bigint) {
    this.lastEventId = id;
    this.lastDeliveredId = id;
  }

  publish(event: EncodedEvent) {
    if (event.id <= this.lastEventId) return;
    // Events reach the hub in id order with none missing after the first (the listener catches
    // up after an outage), so the log holds everything after the id before the first.
    this.recentFrom ??= this.lastEventId;
    this.lastEventId = event.id;
    this.pending.push(event);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Hands what was published since the last flush to every matching subscriber, one batch each. */
  flush() {
    this.flushScheduled = false;
    const events = this.pending;
    if (events.length === 0) return;
    this.pending = [];
    this.lastDeliveredId = events[events.length - 1].id;
    // Into the log before the subscribers: one that falls behind on this batch reads it there.
    this.remember(events);
    const all: Batch = { events, bytes: concatFrames(events) };
    const filtered = new Map<string, Batch | null>();
    for (const slot of this.slots) {
      for (const subscriber of slot) {
        let batch: Batch | null | undefined = all;
        if (subscriber.productIds) {
          batch = filtered.get(subscriber.filterKey);
          if (batch === undefined) {
            batch = select(events, subscriber.productIds);
            filtered.set(subscriber.filterKey, batch);
          }
        }
        if (batch === null) continue;
        subscriber.deliver(batch);
        this.metrics.eventsDelivered += batch.events.length;
      }
    }
    for (const listener of this.flushListeners) listener();
  }

  /**
   * The instance lost or regained the database. Whatever was published goes out first, so a
   * `live: true` frame follows every event the instance caught up on.
   */
  setLive(live: boolean, reason = "database unreachable") {
    if (live === this.live) return;
    this.flush();
    this.live = live;
    this.liveFrame = encodeStatus(live, reason);
    for (const subscriber of this.slotOf.keys()) subscriber.status(live, this.liveFrame);
  }

  /** Graceful stop: every stream gets a shutdown frame and closes; clients reconnect elsewhere. */
  shutdown() {
    this.flush();
    for (const subscriber of [...this.slotOf.keys()]) subscriber.shutdown();
  }

  /**
   * Up to `maxBytes` of the events after `afterId` (at least one, if any), for the given products
   * or all: [] when nothing newer was handed out, null when the log no longer reaches back to
   * `afterId` (the caller reads the database instead).
   */
  recentAfter(afterId: bigint, productIds: ReadonlySet<number> | null, maxBytes: number): EncodedEvent[] | null {
    if (this.recentFrom === null || afterId < this.recentFrom) return null;
    const events: EncodedEvent[] = [];
    for (
      let i = this.indexAfter(afterId), size = 0;
      i < this.recent.length && (events.length === 0 || size < maxBytes);
      i++
    ) {
      const event = this.recent[i];
      if (productIds && !productIds.has(event.productId)) continue;
      events.push(event);
      size += event.bytes.byteLength;
    }
    return events;
  }

  /** The index in `recent` of the first event after `afterId`. */
  private indexAfter(afterId: bigint): number {
    let low = this.recentStart;
    let high = this.recent.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.recent[middle].id <= afterId) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  private remember(events: readonly EncodedEvent[]) {
    for (const event of events) {
      this.recent.push(event);
      this.recentBytes += event.bytes.byteLength;
    }
    while (this.recentBytes > RECENT_LOG_BYTES && this.recentStart < this.recent.length) {
      const dropped = this.recent[this.recentStart++];
      this.recentBytes -= dropped.bytes.byteLength;
      this.recentFrom = dropped.id;
    }
    if (this.recentStart > 1024 && this.recentStart * 2 > this.recent.length) {
      this.recent = this.recent.slice(this.recentStart);
      this.recentStart = 0;
    }
  }

  private beat() {
    const slot = this.slots[this.heartbeatSlot++ % HEARTBEAT_SLOTS];
    for (const subscriber of slot) subscriber.heartbeat();
  }
}

function select(events: readonly EncodedEvent[], productIds: ReadonlySet<number>): Batch | null {
  const mine = events.filter((event) => productIds.has(event.productId));
  return mine.length === 0 ? null : { events: mine, bytes: concatFrames(mine) };
}
