// A minimal SSE reader over fetch for tests: collects frames and lets a test wait for them.
import type { FeedEvent } from "../../lib/events/feed-event";

export type Frame = { id?: string; event?: string; data?: string; retry?: number; comment?: string };

export type FeedReader = {
  frames: Frame[];
  events: () => FeedEvent[];
  waitFor: (predicate: (frames: Frame[]) => boolean, what: string, timeoutMs?: number) => Promise<void>;
  closed: Promise<void>;
  close: () => void;
  status: number;
};

export async function openFeed(url: string, headers: Record<string, string> = {}): Promise<FeedReader> {
  const abort = new AbortController();
  const response = await fetch(url, { headers, signal: abort.signal });
  const frames: Frame[] = [];
  const listeners = new Set<() => void>();
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";

  const closed = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const frame: Frame = {};
          for (const line of block.split("\n")) {
            if (line.startsWith(":")) frame.comment = line.slice(1).trim();
            else if (line.startsWith("id: ")) frame.id = line.slice(4);
            else if (line.startsWith("event: ")) frame.event = line.slice(7);
            else if (line.startsWith("data: ")) frame.data = line.slice(6);
            else if (line.startsWith("retry: ")) frame.retry = Number(line.slice(7));
          }
          frames.push(frame);
        }
        listeners.forEach((listener) => listener());
      }
    } catch {
      // aborted or cut by the server
    } finally {
      listeners.forEach((listener) => listener());
    }
  })();

  const events = () =>
    frames.filter((frame) => frame.data && !frame.event).map((frame) => JSON.parse(frame.data!) as FeedEvent);

  const waitFor: FeedReader["waitFor"] = (predicate, what, timeoutMs = 15_000) =>
    new Promise((resolve, reject) => {
      const check = () => {
        if (predicate(frames)) {
          listeners.delete(check);
          clearTimeout(timer);
          resolve();
        }
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(frames).slice(0, 2000)}`));
      }, timeoutMs);
      listeners.add(check);
      check();
    });

  return { frames, events, waitFor, closed, close: () => abort.abort(), status: response.status };
}

export type Follower = {
  /** Every event received, over all connections, in arrival order. */
  events: FeedEvent[];
  connections: number;
  waitFor: (predicate: () => boolean, what: string, timeoutMs?: number) => Promise<void>;
  stop: () => void;
};

/**
 * Follows the feed as EventSource does: when a connection ends (shutdown frame, a killed server,
 * a proxy error) it reconnects after a short delay with `Last-Event-ID` set to the last id it
 * received. Used through a load balancer, where each reconnect may reach another instance.
 */
export function followFeed(url: string, retryMs = 200): Follower {
  const events: FeedEvent[] = [];
  let current: FeedReader | null = null;
  let stopped = false;
  const follower: Follower = {
    events,
    connections: 0,
    waitFor: async (predicate, what, timeoutMs = 60_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!predicate()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; have ${events.length} events`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    stop: () => {
      stopped = true;
      current?.close();
    },
  };
  void (async () => {
    while (!stopped) {
      const lastId = events.at(-1)?.eventId;
      try {
        const reader = await openFeed(url, lastId ? { "last-event-id": lastId } : {});
        current = reader;
        follower.connections++;
        let taken = 0;
        const take = () => {
          const received = reader.events();
          for (; taken < received.length; taken++) events.push(received[taken]);
        };
        const listen = setInterval(take, 20);
        await reader.closed;
        clearInterval(listen);
        take();
      } catch {
        // refused or cut before the headers: try again
      }
      if (!stopped) await new Promise((resolve) => setTimeout(resolve, retryMs));
    }
  })();
  return follower;
}
