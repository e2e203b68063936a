// The in-process hub: one per server instance. Events arrive from the Postgres listener in
// commit order. Everything published in one turn of the event loop goes to each subscriber as
// one batch: its matching frames concatenated into one write, built once per distinct filter
// (once in all for the unfiltered feed) and shared. Idle, a lone event goes out in the same
// turn; under load batches grow by themselves and the cost per event falls. Nothing here awaits
// a subscriber: a slow client only ever hurts itself (see session.ts).
import { FeedMetrics } from "@/lib/events/feed-metrics";
import { concatFrames, encodeStatus, PING, type EncodedEvent } from "@/lib/events/sse";

/** Events in id order and their frames as one write. */
export type Batch = { readonly events: readonly EncodedEvent[]; readonly bytes: Uint8Array };

export interface Subscriber {
  /** null: every product. */
  readonly productIds: ReadonlySet<number> | null;
  /** The same string for the same filter, so subscribers with one filter share a batch. */
  readonly filterKey: string;
  deliver(batch: Batch): void;
  /** A frame every subscriber gets (heartbeat, liveness). */
  send(frame: Uint8Array): void;
  shutdown(): void;
}

/** Heartbeats go to one slot of subscribers at a time, spread over the interval. */
const HEARTBEAT_SLOTS = 16;

export class ProductEventHub {
  private readonly slots = Array.from({ length: HEARTBEAT_SLOTS }, () => new Set<Subscriber>());
  private readonly slotOf = new Map<Subscriber, Set<Subscriber>>();
  private nextSlot = 0;
  private pending: EncodedEvent[] = [];
  private flushScheduled = false;
  private heartbeat: NodeJS.Timeout | null = null;
  private heartbeatSlot = 0;
  private readonly flushListeners = new Set<() => void>();
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

  publish(event: EncodedEvent) {
    if (event.id <= this.lastEventId) return;
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
    for (const subscriber of this.slotOf.keys()) subscriber.send(this.liveFrame);
  }

  /** Graceful stop: every stream gets a shutdown frame and closes; clients reconnect elsewhere. */
  shutdown() {
    this.flush();
    for (const subscriber of [...this.slotOf.keys()]) subscriber.shutdown();
  }

  private beat() {
    const slot = this.slots[this.heartbeatSlot++ % HEARTBEAT_SLOTS];
    for (const subscriber of slot) subscriber.send(PING);
  }
}

function select(events: readonly EncodedEvent[], productIds: ReadonlySet<number>): Batch | null {
  const mine = events.filter((event) => productIds.has(event.productId));
  return mine.length === 0 ? null : { events: mine, bytes: concatFrames(mine) };
}
