// The feed engine of this server instance: hub, Postgres listener, retention and counters.
// Kept on globalThis: Next.js bundles each route separately, and all must share one hub.
import { env } from "@/lib/env";
import { FeedMetrics } from "@/lib/events/feed-metrics";
import { ProductEventHub } from "@/lib/events/hub";
import { ProductEventListener } from "@/lib/events/listener";
import { pruneEventsOlderThan, REPLAY_PAGE_SIZE } from "@/lib/events/queries";
import { ReplayBudget } from "@/lib/events/replay-budget";
import { ReplayPages } from "@/lib/events/replay-pages";
import { ReplayTurns } from "@/lib/events/replay-turns";
import { log } from "@/lib/log";

export type FeedEngine = {
  hub: ProductEventHub;
  listener: ProductEventListener;
  metrics: FeedMetrics;
  /** What catching up from the database may take of this instance at once. */
  replayBudget: ReplayBudget;
  /** Pages of the event log read for resumes, shared by streams that need the same one. */
  replayPages: ReplayPages;
  /** How much catching up may write in one turn of the event loop, over every stream. */
  replayTurns: ReplayTurns;
};

/** 4 replay chunks a turn: ~1 ms of copying to sockets, then whatever else is ready runs. */
const REPLAY_BYTES_PER_TURN = 256 * 1024;

const globalForFeed = globalThis as unknown as { stockpulseFeed?: FeedEngine };

const HOUR = 60 * 60 * 1000;

function createFeedEngine(): FeedEngine {
  const config = env();
  const metrics = new FeedMetrics();
  const hub = new ProductEventHub(config.SSE_HEARTBEAT_MS, metrics);
  const listener = new ProductEventListener(
    config.DATABASE_URL,
    hub,
    Math.max(config.SSE_HEARTBEAT_MS, 1_000),
    metrics,
  );
  listener.start();

  const days = config.EVENT_RETENTION_DAYS;
  if (days === undefined) {
    // The audit trail is kept forever; how far back a client may resume is FEED_REPLAY_MAX_EVENTS.
    void listener.ready.then(() => log.info("event history: kept forever (EVENT_RETENTION_DAYS is unset)"));
  } else {
    const prune = () =>
      pruneEventsOlderThan(days)
        .then((deleted) =>
          log.info({ deleted, days }, `event history: pruned ${deleted} events older than ${days} days`),
        )
        .catch((error) => log.warn({ err: error }, "event retention failed"));
    void listener.ready.then(prune);
    setInterval(prune, HOUR).unref();
  }

  const replayBudget = new ReplayBudget(config.FEED_REPLAY_CONCURRENCY, config.FEED_REPLAY_CONCURRENCY_PER_ADDRESS);
  return {
    hub,
    listener,
    metrics,
    replayBudget,
    replayPages: new ReplayPages(REPLAY_PAGE_SIZE),
    replayTurns: new ReplayTurns(REPLAY_BYTES_PER_TURN),
  };
}

export function feedEngine(): FeedEngine {
  globalForFeed.stockpulseFeed ??= createFeedEngine();
  return globalForFeed.stockpulseFeed;
}
