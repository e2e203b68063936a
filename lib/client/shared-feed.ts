"use client";
// One feed connection per browser, not per tab: HTTP/1.1 allows 6 connections per origin, so
// ten open tabs each holding an EventSource would starve each other. The tab holding the Web
// Lock "stockpulse-feed" is the leader: it alone opens the EventSource and passes every event
// and its connection state to the other tabs over a BroadcastChannel. When it closes, the lock
// passes to another tab, which opens the feed from the last event it applied: no gap, and
// duplicates are dropped by id. Without Web Locks (plain-HTTP sites other than localhost) each
// tab simply holds its own connection.
import type { FeedEvent } from "@/lib/events/feed-event";

/** "stale": connected, but the server says it cannot follow the database right now. */
export type ConnectionState = "connecting" | "live" | "stale" | "reconnecting" | "offline";
export type FeedListener = {
  event: (event: FeedEvent) => void;
  reset: () => void;
  state: (state: ConnectionState, caughtUp: boolean) => void;
};

type Message =
  | { type: "event"; data: string }
  | { type: "state"; state: ConnectionState; caughtUp: boolean }
  | { type: "reset" }
  | { type: "hello" };

const FEED_URL = "/api/v1/stream/product-updates";
const LOCK = "stockpulse-feed";
const OFFLINE_AFTER_MS = 10_000;
const REOPEN_MS = [1_000, 2_000, 5_000, 10_000, 30_000];

class SharedFeed {
  private listeners = new Set<FeedListener>();
  private channel = typeof BroadcastChannel === "undefined" ? null : new BroadcastChannel(LOCK);
  private source: EventSource | null = null;
  private leader = false;
  private lastEventId: bigint;
  private state: ConnectionState = "connecting";
  private caughtUp = false;
  private offlineTimer: ReturnType<typeof setTimeout> | undefined;
  private reopenTimer: ReturnType<typeof setTimeout> | undefined;
  private failures = 0;

  constructor(fromEventId: string) {
    this.lastEventId = BigInt(fromEventId);
    if (this.channel) this.channel.onmessage = (message) => this.receive(message.data as Message);
    window.addEventListener("offline", () => this.setState("offline"));
    window.addEventListener("online", () => this.leader && this.reopen(0));
    if (navigator.locks && this.channel) {
      // Held until this tab goes away; the next waiting tab then becomes the leader.
      void navigator.locks.request(LOCK, () => new Promise<void>(() => this.lead()));
      this.post({ type: "hello" });
    } else {
      this.lead();
    }
  }

  subscribe(listener: FeedListener) {
    this.listeners.add(listener);
    listener.state(this.state, this.caughtUp);
    return () => void this.listeners.delete(listener);
  }

  /** After a reset: follow the feed from a fresh snapshot's id (which may be lower). */
  resumeFrom(eventId: string) {
    this.lastEventId = BigInt(eventId);
    if (this.leader) this.reopen(0);
  }

  private lead() {
    this.leader = true;
    this.open();
  }

  private open() {
    clearTimeout(this.reopenTimer);
    this.source?.close();
    const source = new EventSource(`${FEED_URL}?lastEventId=${this.lastEventId}`);
    this.source = source;
    source.onopen = () => {
      this.failures = 0;
      // After a gap the server replays what was missed right after the open: say so.
      this.setState("live", this.state === "reconnecting" || this.state === "offline");
    };
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) {
        // EventSource gave up (e.g. a 503 from an instance shutting down): retry with backoff.
        this.setState("offline");
        this.reopen(REOPEN_MS[Math.min(this.failures++, REOPEN_MS.length - 1)]);
      } else if (this.state !== "offline") {
        this.setState("reconnecting");
      }
    };
    source.onmessage = (message) => {
      this.post({ type: "event", data: message.data });
      this.apply(message.data);
    };
    // The server's instance lost the database (or its LISTEN connection): what is shown may be
    // stale until it says it is live again, after sending everything it missed.
    source.addEventListener("status", (message) => {
      const { live } = JSON.parse(message.data) as { live: boolean };
      this.setState(live ? "live" : "stale", live);
    });
    source.addEventListener("reset", () => {
      source.close();
      this.setState("reconnecting");
      this.post({ type: "reset" });
      this.listeners.forEach((listener) => listener.reset());
    });
  }

  private reopen(delay: number) {
    clearTimeout(this.reopenTimer);
    this.reopenTimer = setTimeout(() => this.open(), delay);
  }

  private apply(data: string) {
    const event = JSON.parse(data) as FeedEvent;
    if (BigInt(event.eventId) <= this.lastEventId) return; // seen already (hand-over, replay)
    this.lastEventId = BigInt(event.eventId);
    this.listeners.forEach((listener) => listener.event(event));
  }

  private setState(state: ConnectionState, caughtUp = false) {
    clearTimeout(this.offlineTimer);
    // Reconnecting for long is offline: the table must not look live when it is not.
    if (state === "reconnecting") this.offlineTimer = setTimeout(() => this.setState("offline"), OFFLINE_AFTER_MS);
    this.state = state;
    this.caughtUp = caughtUp;
    if (this.leader) this.post({ type: "state", state, caughtUp });
    this.listeners.forEach((listener) => listener.state(state, caughtUp));
  }

  private receive(message: Message) {
    if (message.type === "hello") {
      if (this.leader) this.post({ type: "state", state: this.state, caughtUp: this.caughtUp });
    } else if (message.type === "event") {
      this.apply(message.data);
    } else if (message.type === "state") {
      if (!this.leader) this.setState(message.state, message.caughtUp);
    } else {
      this.listeners.forEach((listener) => listener.reset());
    }
  }

  private post(message: Message) {
    this.channel?.postMessage(message);
  }
}

let feed: SharedFeed | undefined;

/** This browser tab's view of the shared feed, started from the first snapshot's lastEventId. */
export function sharedFeed(fromEventId: string) {
  feed ??= new SharedFeed(fromEventId);
  return feed;
}
