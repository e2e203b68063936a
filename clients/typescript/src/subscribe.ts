// A live view of products: the snapshot, then the feed from the snapshot's lastEventId, over
// fetch streaming (Node 18+ and browsers; EventSource cannot send an Authorization header).
// Reconnects with Last-Event-ID, so no event is lost or delivered twice; reloads the snapshot
// when the server says `reset`. Frames are parsed by eventsource-parser (the WHATWG rules).
import { createParser, type EventSourceMessage } from "eventsource-parser";
import { StockPulseError, type StockPulseClient } from "./client.js";
import type { ErrorBody, FeedEvent, ProductSnapshot } from "./types.js";

export type SubscriptionStatus = {
  /** Connected to the feed right now. */
  connected: boolean;
  /** The server follows the database (false: what you have may be stale until it is back). */
  live: boolean;
  /** Why not live or not connected, when known. */
  reason?: string;
};

export type SubscribeOptions = {
  /** Only these products (the snapshot is filtered alike); default all. */
  productIds?: number[];
  /** The active products as they are: at the start, and again after a reset. Apply onChange events to it. */
  onSnapshot?: (snapshot: ProductSnapshot) => void;
  /** Each committed change after the snapshot, once, in order; `archived` removes a product, `restored` adds it. */
  onChange: (event: FeedEvent) => void;
  /** Connection and liveness changes. */
  onStatus?: (status: SubscriptionStatus) => void;
  /** A problem that ends the subscription (e.g. 401: no or a wrong token). */
  onError?: (error: unknown) => void;
};

export type Subscription = {
  /** Resolves once the first snapshot has been delivered. */
  ready: Promise<void>;
  /** Stops following the feed; no callback is called afterwards. */
  unsubscribe: () => void;
};

const DEFAULT_RETRY_MS = 2000;

/** Statuses after which reconnecting cannot help (bad parameters, credentials). */
const fatal = (status: number) => status >= 400 && status < 500 && status !== 408 && status !== 429;

export function subscribe(client: StockPulseClient, options: SubscribeOptions): Subscription {
  const abort = new AbortController();
  const wanted = options.productIds ? new Set(options.productIds) : null;
  let lastEventId: bigint | null = null;
  let resumeFromSnapshot = true;
  let retryMs = DEFAULT_RETRY_MS;
  let failures = 0;
  let status: SubscriptionStatus = { connected: false, live: false };
  const setStatus = (next: SubscriptionStatus) => {
    if (abort.signal.aborted) return;
    if (next.connected === status.connected && next.live === status.live && next.reason === status.reason) return;
    status = next;
    options.onStatus?.(status);
  };

  let markReady!: () => void;
  let failReady!: (error: unknown) => void;
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    failReady = reject;
  });
  ready.catch(() => {}); // reported through onError too

  async function loadSnapshot() {
    const snapshot = await client.listProducts(abort.signal);
    const products = wanted ? snapshot.products.filter((product) => wanted.has(product.id)) : snapshot.products;
    lastEventId = BigInt(snapshot.lastEventId);
    resumeFromSnapshot = true;
    if (!abort.signal.aborted) options.onSnapshot?.({ products, lastEventId: snapshot.lastEventId });
  }

  function feedUrl(): string {
    const query = new URLSearchParams();
    if (options.productIds) query.set("productIds", options.productIds.join(","));
    // The first connection after a snapshot resumes from it; reconnects send Last-Event-ID.
    if (resumeFromSnapshot && lastEventId !== null) query.set("lastEventId", lastEventId.toString());
    const search = query.toString();
    return `${client.baseUrl}/api/v1/stream/product-updates${search ? `?${search}` : ""}`;
  }

  /** One connection: reads frames until the stream ends. Returns whether to reload the snapshot. */
  async function follow(): Promise<{ reset: boolean }> {
    const headers: Record<string, string> = { accept: "text/event-stream", ...client.authHeaders() };
    if (!resumeFromSnapshot && lastEventId !== null) headers["last-event-id"] = lastEventId.toString();
    const response = await client.fetch(feedUrl(), { headers, credentials: "same-origin", signal: abort.signal });
    if (!response.ok || !response.body) {
      const text = await response.text().catch(() => "");
      let body: ErrorBody | null = null;
      try {
        body = text ? (JSON.parse(text) as ErrorBody) : null;
      } catch {
        // a proxy's HTML page
      }
      const error = new StockPulseError(response.status, body);
      const retryAfter = Number(response.headers.get("retry-after"));
      if (retryAfter > 0) retryMs = Math.max(retryMs, retryAfter * 1000);
      throw error;
    }
    resumeFromSnapshot = false;
    failures = 0;
    setStatus({ connected: true, live: true });
    let reset = false;
    const parser = createParser({
      onRetry: (ms) => void (retryMs = ms),
      onEvent: (message: EventSourceMessage) => {
        if (message.event === undefined || message.event === "message") {
          const event = JSON.parse(message.data) as FeedEvent;
          const id = BigInt(event.eventId);
          // Ids increase in commit order; anything at or below the last one was delivered already.
          if (lastEventId !== null && id <= lastEventId) return;
          lastEventId = id;
          if (!abort.signal.aborted) options.onChange(event);
        } else if (message.event === "status") {
          const frame = JSON.parse(message.data) as { live: boolean; reason?: string };
          setStatus({ connected: true, live: frame.live, reason: frame.reason });
        } else if (message.event === "reset") {
          reset = true;
        }
        // `shutdown`: the stream ends next; the loop reconnects after the retry hint.
      },
    });
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        parser.feed(value);
      }
    } finally {
      reader.releaseLock();
    }
    return { reset };
  }

  void (async () => {
    try {
      await loadSnapshot();
      markReady();
    } catch (error) {
      if (!abort.signal.aborted) options.onError?.(error);
      failReady(error);
      return;
    }
    while (!abort.signal.aborted) {
      try {
        const { reset } = await follow();
        setStatus({ connected: false, live: false, reason: reset ? "reset" : "stream ended" });
        if (reset) await loadSnapshot();
      } catch (error) {
        if (abort.signal.aborted) return;
        if (error instanceof StockPulseError && fatal(error.status)) {
          setStatus({ connected: false, live: false, reason: error.message });
          options.onError?.(error);
          return;
        }
        failures++;
        setStatus({ connected: false, live: false, reason: error instanceof Error ? error.message : String(error) });
      }
      // Back off while the server is away; the server's retry hint otherwise.
      const delay = Math.min(retryMs * 2 ** Math.max(0, failures - 1), Math.max(retryMs, client.maxRetryDelayMs));
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  })();

  return {
    ready,
    unsubscribe: () => {
      abort.abort();
      status = { connected: false, live: false };
    },
  };
}
