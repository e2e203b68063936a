// The feed's core: one client's SSE stream, written to a FeedSink that each transport provides
// (transport-web.ts for the route handler, transport-node.ts for node:http). `retry:` first,
// then the events after the client's last id from ProductEvent (within the replay budget), at
// the pace the client reads them, then the live feed from the hub, with
// no gap and no duplicate at the seam.
// A live client that falls behind (a burst larger than its buffer limit: a 10,000-row import)
// goes back to catching up the same way, from the hub's recent log while it reaches back that
// far, instead of being cut; only one that stops reading is cut (guarantee 5).
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { feedEngine, type FeedEngine } from "@/lib/events/engine";
import { toFeedEvent } from "@/lib/events/feed-event";
import type { FeedRequest } from "@/lib/events/feed-request";
import type { Batch, Subscriber } from "@/lib/events/hub";
import {
  eventPageAfter,
  fetchEventBounds,
  latestEventPageAfter,
  moreEventsAfterThan,
  REPLAY_PAGE_SIZE,
} from "@/lib/events/queries";
import {
  concatFrames,
  encodeFeedEvent,
  encodeReset,
  encodeRetry,
  SHUTDOWN,
  PING,
  type EncodedEvent,
} from "@/lib/events/sse";

/** Where a session's bytes go: a transport's response, with its backpressure. */
export interface FeedSink {
  write(bytes: Uint8Array): void;
  /** Bytes written that the client has not taken yet. */
  bufferedBytes(): number;
  /** Resolves when the client has taken some of what is buffered, or has gone. */
  drained(): Promise<void>;
  /** Ends the response normally. */
  end(): void;
  /** Cuts the response: the client sees a broken stream and reconnects. */
  abort(reason: Error): void;
}

/**
 * A page's chunks, concatenated once for every stream that writes that page (streams resuming
 * from one id share it: replay-pages.ts), rather than once per stream as they all wake to it.
 */
const sharedChunks = new WeakMap<readonly EncodedEvent[], Map<number, Uint8Array>>();

/** Replay writes up to this much at a time (and at most a quarter of the buffer limit). */
const REPLAY_CHUNK_BYTES = 64 * 1024;

/** Waits for the listener's first LISTEN, so the hub knows where the live feed stands. */
export async function feedReady(): Promise<void> {
  await feedEngine().listener.ready;
}

/**
 * Whether `lastEventId` can be resumed, or the client must reload the snapshot: an unknown id,
 * one older than the retained history, or one more than FEED_REPLAY_MAX_EVENTS events behind.
 */
async function resetReason(lastEventId: bigint): Promise<string | null> {
  const { oldest, newest } = await fetchEventBounds();
  if (newest === null) return lastEventId > BigInt(0) ? "unknown event id" : null;
  if (lastEventId > newest) return "unknown event id";
  if (oldest !== null && lastEventId < oldest - BigInt(1)) return "event id older than the retained history";
  const max = env().FEED_REPLAY_MAX_EVENTS;
  if (await moreEventsAfterThan(lastEventId, max))
    return `more than ${max} events behind (FEED_REPLAY_MAX_EVENTS): reload the snapshot`;
  return null;
}

export class FeedSession implements Subscriber {
  readonly productIds: ReadonlySet<number> | null;
  readonly filterKey: string;
  private state: "replaying" | "live" | "closed";
  private lastSent: bigint;
  // Live batches that arrive during replay wait here, up to the buffer limit. Past it they are
  // dropped and replay reads further from the database instead: they are committed, so it finds them.
  private held: Batch[] = [];
  private heldBytes = 0;
  private heldOverflowed = false;
  // `live: true` that came while catching up: it goes out once the stream has caught up, after
  // the events the instance caught up on (guarantee 8), not ahead of them.
  private liveHeld: Uint8Array | null = null;
  private unsubscribe = () => {};
  private readonly maxBufferBytes = env().SSE_MAX_BUFFER_BYTES;
  private readonly replayChunkBytes = Math.min(REPLAY_CHUNK_BYTES, this.maxBufferBytes / 4);
  /** A replaying client that takes nothing for this long has stopped reading: it is cut. */
  private readonly stallMs = 2 * env().SSE_HEARTBEAT_MS;

  constructor(
    private readonly request: FeedRequest,
    private readonly sink: FeedSink,
    /** The client's address: its reads of the event log count against its share (replay-budget.ts). */
    private readonly address: string,
    /** Gives back the client's open-stream slot (lib/http/request-limits.ts) when the stream ends. */
    private readonly release: () => void = () => {},
    private readonly engine: FeedEngine = feedEngine(),
  ) {
    this.productIds = request.productIds;
    this.filterKey = request.productIds ? [...request.productIds].sort((a, b) => a - b).join(",") : "";
    this.state = request.lastEventId === null ? "live" : "replaying";
    this.lastSent = request.lastEventId ?? engine.hub.lastDeliveredId;
  }

  /** Writes the preamble and subscribes; the replay, if any, runs on by itself. */
  start() {
    const { hub, metrics } = this.engine;
    metrics.streamsOpened++;
    this.sink.write(encodeRetry(env().SSE_RETRY_MS));
    const status = hub.statusFrame;
    if (status) this.sink.write(status);
    // Subscribe before reading history: anything committed from here on reaches `held`.
    this.unsubscribe = hub.subscribe(this);
    if (this.request.lastEventId === null) return;
    metrics.replays++;
    this.replay(this.request.lastEventId).catch((error: Error) => this.replayFailed(error));
  }

  private replayFailed(error: Error) {
    log.warn({ why: error.message }, "feed replay failed");
    this.drop(error);
  }

  // The session's ends. Each runs once: whichever comes first stops the session (unsubscribes,
  // gives back the client's stream slot) and the others do nothing.

  /** The client went away: nothing more is written. */
  clientGone() {
    this.stop();
  }

  /** Ends the stream normally after a last frame (reset, shutdown). */
  end(lastFrame: Uint8Array) {
    if (!this.stop()) return;
    this.sink.write(lastFrame);
    this.sink.end();
  }

  /** Cuts the stream: the client sees it break and resumes from its last id. */
  drop(reason: Error) {
    if (this.stop()) this.sink.abort(reason);
  }

  /** Whether this call stopped the session (false: it had stopped already). */
  private stop(): boolean {
    if (this.state === "closed") return false;
    this.state = "closed";
    this.unsubscribe();
    this.release();
    return true;
  }

  deliver(batch: Batch) {
    if (this.state === "live") this.writeLive(batch);
    else if (this.state === "replaying") this.hold(batch);
  }

  heartbeat() {
    // A heartbeat only keeps an idle stream open: one with bytes on their way needs none, and
    // one catching up must not be cut for it.
    if (this.state !== "closed" && this.sink.bufferedBytes() === 0) this.writeBounded(PING);
  }

  status(live: boolean, frame: Uint8Array) {
    if (this.state === "closed") return;
    if (this.state === "replaying") {
      // To a stream catching up: `live: false` at once, `live: true` once caught up. Either way
      // not bounded: its buffer is paced, and a client that stops reading is cut by the stall
      // check; a frame past the limit must not cut one that is reading.
      this.liveHeld = live ? frame : null;
      if (!live) this.sink.write(frame);
      return;
    }
    this.writeBounded(frame);
  }

  shutdown() {
    this.end(SHUTDOWN);
  }

  private hold(batch: Batch) {
    if (this.heldOverflowed) return;
    this.heldBytes += batch.bytes.byteLength;
    if (this.heldBytes <= this.maxBufferBytes) {
      this.held.push(batch);
      return;
    }
    this.held = [];
    this.heldBytes = 0;
    this.heldOverflowed = true;
  }

  /**
   * A resume reads the database, the log of record (its id may come from another instance, or
   * precede this one), a page at a time within the budget, pages shared with streams that resume
   * from the same id. Not the hub's recent log: that path has no budget, and 200 resumes from it
   * at once held writes up longer than from the database (docs/benchmarks.md, "Deep resumes").
   */
  private async replay(after: bigint) {
    // The database decides whether `after` can be resumed: the hub's log cannot tell an unknown
    // id, nor count the events committed that it has not handed out yet.
    const reason = await this.engine.replayBudget.run(this.address, () => resetReason(after));
    if (reason) return this.end(encodeReset(reason));
    if (this.request.catchUp === "latest") await this.sendLatest(after);
    await this.catchUp(false);
  }

  /**
   * The conflated catch-up (`?catchUp=latest`): each changed product's newest event, in id
   * order, the frames those events have. What it skips is older than what it sends, so the
   * client's state ends the same; a reconnect mid-way resumes after the last frame it got.
   */
  private async sendLatest(since: bigint) {
    const { replayBudget, replayPages } = this.engine;
    while (this.state === "replaying") {
      const after = this.lastSent;
      // Shared with streams that resume from the same id: a page read before this stream
      // subscribed is safe here, since what committed later has higher ids and the exact
      // catch-up that follows sends it.
      const page = await replayPages.get(`latest:${since}:${after}:${this.filterKey}`, () =>
        replayBudget.run(this.address, async () =>
          this.state === "replaying"
            ? (await latestEventPageAfter(since, after, this.productIds)).map((row) =>
                encodeFeedEvent(toFeedEvent(row)),
              )
            : [],
        ),
      );
      if (page.length > 0) await this.writePaced(page);
      if (page.length < REPLAY_PAGE_SIZE) return;
    }
  }

  /**
   * From `lastSent` to the live feed, paced by the client's reading. `fromRecentLog`: a live
   * client that fell behind; what it missed was handed out by the hub, so the hub's recent log
   * has it while it reaches back that far. Else, and past the log's reach, the database.
   */
  private async catchUp(fromRecentLog: boolean) {
    do {
      // Everything published before this point is committed, so the reads from here find what
      // an overflowing `held` lets go of.
      this.heldOverflowed = false;
      await this.sendHistory(fromRecentLog);
      await this.clientCaughtUp();
      if (this.state !== "replaying") return;
    } while (this.heldOverflowed);
    this.state = "live";
    const held = this.held;
    this.held = [];
    this.heldBytes = 0;
    for (const batch of held) {
      // A batch past the buffer limit sends it back to catching up, which finds the rest itself.
      if (this.state !== "live") return;
      this.writeLive(batch);
    }
    if (this.state === "live" && this.liveHeld) {
      this.sink.write(this.liveHeld);
      this.liveHeld = null;
    }
  }

  /**
   * Writes the events after `lastSent` up to the end of the log as it stands: from the hub's
   * recent log (frames encoded once, shared by every stream) if asked and it reaches back that
   * far, else a page at a time from the database. A page is read and encoded within the replay
   * budget; writing it out at the client's pace is not, so a slow reader holds no turn.
   */
  private async sendHistory(fromRecentLog: boolean) {
    const { hub, replayBudget, replayPages } = this.engine;
    while (this.state === "replaying") {
      const recent = fromRecentLog ? hub.recentAfter(this.lastSent, this.productIds, this.replayChunkBytes) : null;
      if (recent) {
        if (recent.length === 0) return;
        await this.writePaced(recent);
        continue;
      }
      const after = this.lastSent;
      const read = () =>
        replayBudget.run(this.address, async () =>
          // A stream that ended while it waited for its turn reads nothing.
          this.state === "replaying"
            ? (await eventPageAfter(after, this.productIds)).map((row) => encodeFeedEvent(toFeedEvent(row)))
            : [],
        );
      let mine = false;
      let page = await replayPages.get(`${after}:${this.filterKey}`, () => ((mine = true), read()));
      // The short page at the end of the log may have been read before this stream subscribed:
      // what committed in between would reach neither. Read the end again, after subscribing.
      if (!mine && page.length < REPLAY_PAGE_SIZE) page = await read();
      if (page.length > 0) await this.writePaced(page);
      if (page.length < REPLAY_PAGE_SIZE) return;
    }
  }

  private async writePaced(events: readonly EncodedEvent[]) {
    let chunks = sharedChunks.get(events);
    if (!chunks) sharedChunks.set(events, (chunks = new Map()));
    for (let start = 0; start < events.length && this.state === "replaying";) {
      let end = start;
      for (let size = 0; end < events.length && size < this.replayChunkBytes; end++)
        size += events[end].bytes.byteLength;
      if (events[end - 1].id > this.lastSent) {
        let bytes = events[start].id > this.lastSent ? chunks.get(start) : undefined;
        if (!bytes) {
          bytes = concatFrames(events.slice(start, end).filter((event) => event.id > this.lastSent));
          if (events[start].id > this.lastSent) chunks.set(start, bytes);
        }
        // Within the turn's share of the loop for every replaying stream (replay-turns.ts).
        await this.engine.replayTurns.take(bytes.byteLength);
        if (this.state !== "replaying") return;
        this.lastSent = events[end - 1].id;
        this.sink.write(bytes);
      }
      start = end;
      await this.clientCaughtUp();
    }
  }

  /**
   * Replay is paced by the client's reading: about one chunk waits in its buffer at a time, so
   * any gap in the retained history can be sent, however large. A client that takes nothing
   * for `stallMs` has stopped reading and is cut like a slow live client.
   */
  private async clientCaughtUp() {
    let buffered = this.sink.bufferedBytes();
    let deadline = Date.now() + this.stallMs;
    while (buffered > this.replayChunkBytes && this.state === "replaying") {
      await this.drainedOrTimeout(deadline - Date.now());
      const now = this.sink.bufferedBytes();
      if (now < buffered) deadline = Date.now() + this.stallMs;
      else if (Date.now() >= deadline) return this.dropSlow();
      buffered = now;
    }
  }

  private drainedOrTimeout(ms: number) {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.max(0, ms));
      void this.sink.drained().then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private writeLive({ events, bytes }: Batch) {
    if (events[events.length - 1].id <= this.lastSent) return;
    // Past the buffer limit the client has fallen behind the feed: it catches up at its own pace
    // from lastSent, where this batch is too (the hub's log or the database), and stays open.
    if (this.sink.bufferedBytes() + bytes.byteLength > this.maxBufferBytes) return this.fallBehind();
    // At the seam a batch can start with events the replay already sent.
    if (events[0].id <= this.lastSent) bytes = concatFrames(events.filter((event) => event.id > this.lastSent));
    this.lastSent = events[events.length - 1].id;
    this.sink.write(bytes);
  }

  private fallBehind() {
    this.state = "replaying";
    this.engine.metrics.clientsBehind++;
    this.catchUp(true).catch((error: Error) => this.replayFailed(error));
  }

  // The per-client buffer bound: a client that stops reading fills its buffer; past the limit its
  // stream is cut (memory stays bounded) and it resumes later from its last id.
  private writeBounded(bytes: Uint8Array) {
    if (this.sink.bufferedBytes() + bytes.byteLength > this.maxBufferBytes) return this.dropSlow();
    this.sink.write(bytes);
  }

  private dropSlow() {
    this.engine.metrics.slowClientsDropped++;
    this.drop(new Error("client too slow: it stopped reading"));
  }
}
