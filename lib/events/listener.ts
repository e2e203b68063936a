// One LISTEN connection per server instance. Notifications arrive in commit order and go to the
// hub. After a dropped connection or a database restart it reconnects and catches up from the
// last id it published, so no event is lost while it was away.
import pg from "pg";
import { NOTIFY_CHANNEL, toFeedEvent, type FeedEvent } from "@/lib/events/feed-event";
import type { FeedMetrics } from "@/lib/events/feed-metrics";
import type { ProductEventHub } from "@/lib/events/hub";
import { eventPagesAfter, fetchEventBounds } from "@/lib/events/queries";
import { encodeFeedEvent, type EncodedEvent } from "@/lib/events/sse";
import { log } from "@/lib/log";

export type ListenerState = "connecting" | "listening" | "reconnecting" | "stopped";

const MAX_BACKOFF_MS = 5_000;
/** How the LISTEN connection shows in pg_stat_activity. */
export const LISTENER_APPLICATION_NAME = "stockpulse-listener";
/** A probe on the LISTEN connection that takes longer than this counts as a lost database. */
const PROBE_TIMEOUT_MS = 5_000;

// Re-serialised once per event (not per client), so live frames are byte-for-byte the frames a
// replay produces from the same ProductEvent row.
function parseNotification(payload: string): EncodedEvent {
  return encodeFeedEvent(JSON.parse(payload) as FeedEvent);
}

export class ProductEventListener {
  state: ListenerState = "connecting";
  private client: pg.Client | null = null;
  private backoffMs = 250;
  private started = false;
  private caughtUpOnce = false;
  /** Resolves once the first LISTEN is in place and the hub knows the current last id. */
  readonly ready: Promise<void>;
  private markReady!: () => void;

  constructor(
    private readonly databaseUrl: string,
    private readonly hub: ProductEventHub,
    /** How often to check that the database still answers (a dead peer sends no FIN). */
    private readonly probeEveryMs: number,
    private readonly metrics: FeedMetrics,
  ) {
    this.ready = new Promise((resolve) => (this.markReady = resolve));
  }

  start() {
    if (this.started) return;
    this.started = true;
    void this.connect();
  }

  async stop() {
    this.state = "stopped";
    this.hub.flush();
    await this.client?.end().catch(() => {});
  }

  private async connect() {
    const client = new pg.Client({
      connectionString: this.databaseUrl,
      keepAlive: true,
      application_name: LISTENER_APPLICATION_NAME,
    });
    this.client = client;
    // Notifications that arrive while we catch up wait here, so the hub sees ids in order.
    let held: EncodedEvent[] | null = [];
    client.on("notification", (message) => {
      if (message.channel !== NOTIFY_CHANNEL || !message.payload) return;
      const event = parseNotification(message.payload);
      if (held) held.push(event);
      else this.hub.publish(event);
    });
    let failed = false;
    let probe: NodeJS.Timeout | undefined;
    const fail = (error?: Error) => {
      if (failed || this.state === "stopped") return;
      failed = true;
      clearInterval(probe);
      log.warn({ why: error?.message ?? "closed" }, "product event listener lost its connection; reconnecting");
      this.hub.setLive(false);
      client.end().catch(() => {});
      this.scheduleReconnect();
    };
    client.on("error", fail);
    client.on("end", () => fail());

    try {
      await client.connect();
      await client.query(`LISTEN ${NOTIFY_CHANNEL}`);
      await this.catchUp();
      for (const event of held) this.hub.publish(event);
      held = null;
      this.state = "listening";
      this.backoffMs = 250;
      this.hub.setLive(true);
      this.markReady();
      probe = setInterval(() => {
        const timeout = new Promise((_, reject) =>
          setTimeout(() => reject(new Error("database did not answer")), PROBE_TIMEOUT_MS).unref(),
        );
        Promise.race([client.query("SELECT 1"), timeout]).catch(fail);
      }, this.probeEveryMs).unref();
    } catch (error) {
      fail(error as Error);
    }
  }

  /** First connection: start from the newest event. Later ones: publish what was missed. */
  private async catchUp() {
    if (!this.caughtUpOnce) {
      const { newest } = await fetchEventBounds();
      if (newest !== null) this.hub.startAfter(newest);
      this.caughtUpOnce = true;
      return;
    }
    for await (const events of eventPagesAfter(this.hub.lastEventId, null)) {
      for (const event of events) this.hub.publish(encodeFeedEvent(toFeedEvent(event)));
    }
  }

  private scheduleReconnect() {
    this.state = "reconnecting";
    this.metrics.listenerReconnects++;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
    setTimeout(() => void this.connect(), delay).unref();
  }
}
