// The feed's counters, one owner for the whole engine: the hub, the listener and every session
// count into it as plain numbers on their hot paths, and lib/metrics.ts copies them when scraped.
export class FeedMetrics {
  streamsOpened = 0;
  replays = 0;
  slowClientsDropped = 0;
  /** Live streams that fell behind a burst and caught up from lastSent instead of being cut. */
  clientsBehind = 0;
  eventsDelivered = 0;
  listenerReconnects = 0;
}
