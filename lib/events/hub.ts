// The in-process hub: one per server instance. Events arrive from the Postgres listener in
// commit order; each is encoded once and handed to every matching subscriber without awaiting
// any of them (a slow client only ever hurts itself, see feed.ts).
import type { EncodedEvent } from "@/lib/events/sse";

export interface Subscriber {
  /** null: every product. */
  readonly productIds: ReadonlySet<number> | null;
  deliver(event: EncodedEvent): void;
  ping(): void;
  shutdown(): void;
}

export class ProductEventHub {
  private readonly subscribers = new Set<Subscriber>();
  /** The highest event id published; older or repeated events are dropped (listener catch-up). */
  lastEventId = BigInt(0);
  delivered = 0;
  private heartbeat: NodeJS.Timeout | null = null;

  constructor(private readonly heartbeatMs: number) {}

  get size() {
    return this.subscribers.size;
  }

  subscribe(subscriber: Subscriber): () => void {
    this.subscribers.add(subscriber);
    if (!this.heartbeat) {
      this.heartbeat = setInterval(() => this.subscribers.forEach((s) => s.ping()), this.heartbeatMs);
      this.heartbeat.unref();
    }
    return () => {
      this.subscribers.delete(subscriber);
      if (this.subscribers.size === 0 && this.heartbeat) {
        clearInterval(this.heartbeat);
        this.heartbeat = null;
      }
    };
  }

  publish(event: EncodedEvent) {
    if (event.id <= this.lastEventId) return;
    this.lastEventId = event.id;
    for (const subscriber of this.subscribers) {
      if (subscriber.productIds && !subscriber.productIds.has(event.productId)) continue;
      subscriber.deliver(event);
      this.delivered++;
    }
  }

  /** Graceful stop: every stream gets a shutdown frame and closes; clients reconnect elsewhere. */
  shutdown() {
    for (const subscriber of [...this.subscribers]) subscriber.shutdown();
  }
}
