// Webhook delivery. Every server instance runs one deliverer; it wakes when the hub hands out
// events (the instance's LISTEN connection), when a retry falls due, and every few seconds in
// case a subscription changed on another instance. Per subscription:
//
//   take the subscription's lease (one UPDATE: one instance at a time, the others pass it by);
//   read the events after its cursor in id order, filtered by kind and product; POST them as one
//   signed batch, holding nothing of the database; then in one transaction end the lease, if it
//   is still this delivery's, record the attempt and on a 2xx move the cursor past them (unless
//   a replay moved it meanwhile). The outcome is applied to the row as it is then, not as it was
//   at the claim: a PATCH (a resume, a pause) may have landed while the request was out.
//
// No transaction, row lock or connection is held while the endpoint answers, so a slow endpoint
// never holds up a write (a PATCH or replay of the subscription included). The cursor moves
// only with an acknowledged batch, in the transaction that logs it: a crash or restart mid-
// request leaves the cursor where it was and, once the lease lapses, the batch goes out again
// (at least once; receivers de-duplicate by eventId). Failures back off exponentially with
// jitter; a subscription failing for WEBHOOK_PAUSE_AFTER_SECONDS is paused, never deleted.
import pg from "pg";
import { handleConnectionErrors } from "@/lib/db";
import { env } from "@/lib/env";
import { log, outsideRequest } from "@/lib/log";
import { toFeedEvent } from "@/lib/events/feed-event";
import type { ProductEventHub } from "@/lib/events/hub";
import type { ProductEvent } from "@/lib/generated/prisma/client";
import type { DeliveryRow } from "@/lib/webhooks/dto";
import { sendWebhook, type SendResult } from "@/lib/webhooks/send";
import { signatureHeaders } from "@/lib/webhooks/signature";
import { resolveTarget, TargetRefused } from "@/lib/webhooks/target";

/** Subscriptions one instance delivers at the same time (each holds a connection meanwhile). */
const CONCURRENCY = 4;
/** Look for work this often even without a notification (changes made on another instance). */
const SWEEP_MS = 5_000;
/** A due subscription that another instance holds is looked at again after this. */
const RECHECK_MS = 250;
/** Passes prompted by new events start at most this often (events meanwhile wait for the next). */
const COALESCE_MS = 10;
const BACKOFF_FIRST_MS = 1_000;
const BACKOFF_MAX_MS = 10 * 60 * 1000;
/** Delivery log rows kept per subscription. */
export const DELIVERY_LOG_SIZE = 100;

// Which events a subscription takes: "threshold" is a change of stock level (low, out, back in
// stock), as stored on the event (docs/api.md, threshold events).
const KIND_CONDITIONS: Record<string, string> = {
  all: "TRUE",
  threshold: `"stockLevel" IS DISTINCT FROM "previousStockLevel"`,
};

type Queryable = Pick<pg.Pool, "query">;

type SubscriptionRow = {
  id: number;
  url: string;
  kinds: string;
  productIds: number[];
  secret: string;
  cursor: string;
  /** The lease's end as claimed: this delivery's token (another claim has another end). */
  lease: Date;
};

type Attempt = Omit<DeliveryRow, "id" | "at" | "responseExcerpt"> & { excerpt: string | null };

/** Text PostgreSQL will store: no NUL, no lone surrogate, at most `max` characters. */
const storable = (text: string | null, max: number) =>
  text === null ? null : text.replaceAll("\u0000", "").toWellFormed().slice(0, max);

/** Logs one delivery attempt and keeps the subscription's log to DELIVERY_LOG_SIZE rows. */
export async function recordDelivery(client: Queryable, subscriptionId: number, attempt: Attempt) {
  const { rows } = await client.query<DeliveryRow>(
    `INSERT INTO "WebhookDelivery"
       ("subscriptionId", test, "firstEventId", "lastEventId", "eventCount", "statusCode", error, "latencyMs", "responseExcerpt")
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
    [
      subscriptionId,
      attempt.test,
      attempt.firstEventId?.toString() ?? null,
      attempt.lastEventId?.toString() ?? null,
      attempt.eventCount,
      attempt.statusCode,
      storable(attempt.error, 500),
      attempt.latencyMs,
      storable(attempt.excerpt, 200),
    ],
  );
  await client.query(
    `DELETE FROM "WebhookDelivery" WHERE "subscriptionId" = $1 AND id < (
       SELECT id FROM "WebhookDelivery" WHERE "subscriptionId" = $1 ORDER BY id DESC OFFSET $2 LIMIT 1)`,
    [subscriptionId, DELIVERY_LOG_SIZE - 1],
  );
  return rows[0];
}

const describeFailure = (result: SendResult) =>
  result.error ?? `HTTP ${result.statusCode}${result.excerpt ? `: ${result.excerpt.slice(0, 100)}` : ""}`;

/**
 * Exponential backoff with "equal jitter" (half the delay fixed, half random), in seconds, from
 * the row's failure count before this failure; $4 is a random fraction.
 */
const BACKOFF_SECONDS_SQL = `least(${BACKOFF_FIRST_MS} * power(2, least("failureCount", 30)), ${BACKOFF_MAX_MS})
  * (0.5 + 0.5 * $4::float8) / 1000`;

type Outcome = "more" | "done" | "failed" | "skipped";

export type DelivererOptions = { timeoutMs: number; pauseAfterSeconds: number; maxBatchSize: number };

export class WebhookDeliverer {
  private running = false;
  private again = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private soon: NodeJS.Timeout | undefined;
  private lastPassAt = 0;
  /** Whether any subscription is active (as of the last pass): if none, new events need no pass. */
  private anyActive = true;
  private lastErrorLogged = 0;
  /** Events acknowledged by endpoints, and failed delivery attempts, on this instance (metrics). */
  delivered = 0;
  failures = 0;

  constructor(
    private readonly pool: pg.Pool,
    private readonly options: DelivererOptions,
  ) {}

  /** New events reached this instance (the hub's batches). */
  eventsArrived() {
    if (this.anyActive) this.wake();
  }

  /** Look for work (new events, a subscription created, resumed or replayed). */
  wake() {
    if (this.stopped) return;
    this.anyActive = true;
    if (this.running) {
      this.again = true;
      return;
    }
    // At most one pass per COALESCE_MS: under a stream of writes each pass takes all that came.
    const wait = this.lastPassAt + COALESCE_MS - Date.now();
    if (wait <= 0) void this.run();
    else
      this.soon ??= setTimeout(() => {
        this.soon = undefined;
        this.wake();
      }, wait).unref();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.soon);
  }

  private async run() {
    this.running = true;
    this.again = false;
    this.lastPassAt = Date.now();
    clearTimeout(this.timer);
    let wait = SWEEP_MS;
    try {
      await this.deliverDue();
      wait = await this.untilNextDue();
    } catch (error) {
      // The database is away or refused something: log once a minute, look again later.
      if (Date.now() - this.lastErrorLogged > 60_000) {
        this.lastErrorLogged = Date.now();
        log.warn({ why: (error as Error).message }, "webhook delivery failed; retrying");
      }
      wait = 1_000;
    } finally {
      this.running = false;
    }
    if (this.stopped) return;
    if (this.again) this.wake();
    else this.timer = setTimeout(() => this.wake(), wait).unref();
  }

  /** Delivers every due subscription with undelivered events, CONCURRENCY at a time. */
  private async deliverDue() {
    const { rows } = await this.pool.query<{ id: number }>(
      `SELECT id FROM "WebhookSubscription"
       WHERE status = 'active' AND "nextAttemptAt" <= now()
         AND cursor < (SELECT coalesce(max(id), 0) FROM "ProductEvent")
       ORDER BY "nextAttemptAt", id LIMIT 100`,
    );
    const queue = rows.map((row) => row.id);
    const worker = async () => {
      for (let id = queue.shift(); id !== undefined && !this.stopped; id = queue.shift()) {
        while (!this.stopped && (await this.deliverNext(id)) === "more");
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, queue.length) }, worker));
  }

  /** Milliseconds until the next retry falls due (at most SWEEP_MS); notes whether any is active. */
  private async untilNextDue(): Promise<number> {
    const {
      rows: [{ active, ms }],
    } = await this.pool.query<{ active: number; ms: number | null }>(
      `SELECT count(*)::int AS active,
              (extract(epoch FROM min("nextAttemptAt") FILTER (
                 WHERE cursor < (SELECT coalesce(max(id), 0) FROM "ProductEvent")) - now()) * 1000)::float8 AS ms
       FROM "WebhookSubscription" WHERE status = 'active'`,
    );
    this.anyActive = active > 0;
    return ms === null ? SWEEP_MS : Math.min(Math.max(ms, RECHECK_MS), SWEEP_MS);
  }

  /**
   * How long a lease lasts: the request's time limit twice over (its DNS lookup comes first), so
   * a live instance always ends its delivery within it; a crashed one's lapses soon after.
   */
  private leaseMs() {
    return 2 * this.options.timeoutMs + 1_000;
  }

  /** One batch for one subscription, under the subscription's lease. */
  private async deliverNext(id: number): Promise<Outcome> {
    const {
      rows: [subscription],
    } = await this.pool.query<SubscriptionRow>(
      `UPDATE "WebhookSubscription" SET "deliveringUntil" = clock_timestamp() + make_interval(secs => $2::float8)
       WHERE id = $1 AND status = 'active' AND "nextAttemptAt" <= now()
         AND ("deliveringUntil" IS NULL OR "deliveringUntil" < clock_timestamp())
       RETURNING id, url, kinds, "productIds", secret, cursor, "deliveringUntil" AS lease`,
      [id, this.leaseMs() / 1000],
    );
    if (!subscription) return "skipped";
    try {
      return await this.deliverLeased(subscription);
    } catch (error) {
      // Only this delivery's lease: if it lapsed, another instance's may be there now.
      await this.pool
        .query(`UPDATE "WebhookSubscription" SET "deliveringUntil" = NULL WHERE id = $1 AND "deliveringUntil" = $2`, [
          id,
          subscription.lease,
        ])
        .catch(() => undefined); // the database is away: the lease lapses by itself
      throw error;
    }
  }

  /**
   * Ends the lease and stores the outcome, in one transaction; false, storing nothing, when the
   * subscription is gone or the lease is no longer this delivery's (it lapsed and another
   * instance took the subscription: that one sends the batch again, at least once).
   */
  private async finish(
    { id, lease }: SubscriptionRow,
    store: (client: pg.PoolClient) => Promise<void>,
  ): Promise<boolean> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query("BEGIN");
      const { rowCount } = await client.query(
        `UPDATE "WebhookSubscription" SET "deliveringUntil" = NULL WHERE id = $1 AND "deliveringUntil" = $2`,
        [id, lease],
      );
      if (rowCount) await store(client);
      await client.query("COMMIT");
      return rowCount !== 0;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => (broken = true));
      throw error;
    } finally {
      client.release(broken);
    }
  }

  private async deliverLeased(subscription: SubscriptionRow): Promise<Outcome> {
    const { id } = subscription;
    // Event ids are visible in commit order (docs/design.md, guarantee 3): everything up to the
    // newest id seen now is committed, so the cursor may pass over what the filter leaves out.
    const {
      rows: [{ newest }],
    } = await this.pool.query<{ newest: string }>(`SELECT coalesce(max(id), 0)::text AS newest FROM "ProductEvent"`);
    if (BigInt(newest) <= BigInt(subscription.cursor)) {
      await this.finish(subscription, async () => {});
      return "done";
    }
    const batchSize = this.options.maxBatchSize;
    const { rows: events } = await this.pool.query<ProductEvent & { id: string }>(
      `SELECT * FROM "ProductEvent"
       WHERE id > $1 AND id <= $2 AND ($3::int[] IS NULL OR "productId" = ANY($3::int[]))
         AND ${KIND_CONDITIONS[subscription.kinds] ?? "FALSE"}
       ORDER BY id LIMIT $4`,
      [subscription.cursor, newest, subscription.productIds.length ? subscription.productIds : null, batchSize],
    );
    // Fewer than a full batch: nothing else up to `newest` is for this subscription.
    const complete = events.length < batchSize;
    const nextCursor = complete ? newest : events[events.length - 1].id;
    // The cursor moves from where this delivery found it only: a replay meanwhile wins.
    const moveCursor = (client: pg.PoolClient, set: string) =>
      client.query(`UPDATE "WebhookSubscription" SET cursor = $2${set} WHERE id = $1 AND cursor = $3`, [
        id,
        nextCursor,
        subscription.cursor,
      ]);
    if (events.length === 0) {
      await this.finish(subscription, (client) => moveCursor(client, "").then(() => undefined));
      return "done";
    }

    const firstEventId = events[0].id;
    const lastEventId = events[events.length - 1].id;
    const body = JSON.stringify({ events: events.map((row) => toFeedEvent({ ...row, id: BigInt(row.id) })) });
    // The same batch always has the same id, whichever attempt or instance sends it.
    const headers = signatureHeaders(subscription.secret, `msg_${firstEventId}_${lastEventId}`, body);
    let result: SendResult;
    try {
      const { timeoutMs } = this.options;
      result = await sendWebhook(await resolveTarget(subscription.url, timeoutMs), body, headers, timeoutMs);
    } catch (error) {
      if (!(error instanceof TargetRefused)) throw error;
      result = { statusCode: null, error: error.message, latencyMs: 0, excerpt: null };
    }
    const ok = result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
    const attempt = { test: false, firstEventId, lastEventId, eventCount: events.length, ...result };

    if (ok) {
      // Only what the acknowledgement settles: the status and anything else a PATCH set stay.
      const stored = await this.finish(subscription, async (client) => {
        await recordDelivery(client, id, attempt);
        await moveCursor(
          client,
          `, "failureCount" = 0, "failingSince" = NULL, "lastError" = NULL, "nextAttemptAt" = now()`,
        );
      });
      if (!stored) return "done";
      this.delivered += events.length;
      return complete ? "done" : "more";
    }

    const lastError = storable(describeFailure(result), 500);
    // The streak, backoff and pause come from the row as it is now (finish holds its lock), not
    // from the claim's snapshot: a resume that landed while the request was out starts a new streak.
    const pause = `status = 'active' AND "failingSince" <= now() - make_interval(secs => $3::float8)`;
    await this.finish(subscription, async (client) => {
      await recordDelivery(client, id, attempt);
      await client.query(
        `UPDATE "WebhookSubscription"
         SET "failureCount" = "failureCount" + 1, "failingSince" = coalesce("failingSince", now()), "lastError" = $2::text,
             "nextAttemptAt" = clock_timestamp() + make_interval(secs => ${BACKOFF_SECONDS_SQL}),
             status = CASE WHEN ${pause} THEN 'paused' ELSE status END,
             "pausedReason" = CASE WHEN ${pause} THEN left(format(
               'Deliveries failed %s times since %s (longer than %s s); last: %s', "failureCount" + 1,
               to_char("failingSince" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), $3::float8, $2::text), 500)
               ELSE "pausedReason" END
         WHERE id = $1`,
        [id, lastError, this.options.pauseAfterSeconds, Math.random()],
      );
    });
    this.failures++;
    return "failed";
  }
}

const globalForWebhooks = globalThis as unknown as { stockpulseWebhooks?: WebhookDeliverer };

/** Starts this instance's deliverer (instrumentation-node.ts), woken by the hub's batches. */
export function startWebhookDeliverer(hub: ProductEventHub): WebhookDeliverer {
  if (globalForWebhooks.stockpulseWebhooks) return globalForWebhooks.stockpulseWebhooks;
  const config = env();
  // Its own small pool: a delivery holds a connection for up to WEBHOOK_TIMEOUT_MS, which must
  // never starve the API's pool.
  const pool = handleConnectionErrors(
    new pg.Pool({
      connectionString: config.DATABASE_URL,
      max: CONCURRENCY + 1,
      application_name: "stockpulse-webhooks",
    }),
    "webhook database",
  );
  const deliverer = new WebhookDeliverer(pool, {
    timeoutMs: config.WEBHOOK_TIMEOUT_MS,
    pauseAfterSeconds: config.WEBHOOK_PAUSE_AFTER_SECONDS,
    maxBatchSize: config.WEBHOOK_MAX_BATCH_SIZE,
  });
  globalForWebhooks.stockpulseWebhooks = deliverer;
  hub.onFlush(() => deliverer.eventsArrived());
  deliverer.wake();
  return deliverer;
}

export function stopWebhookDeliverer() {
  globalForWebhooks.stockpulseWebhooks?.stop();
}

/** This instance's delivery counts, for /api/metrics (zero where no deliverer runs). */
export function webhookDeliveryCounts() {
  const deliverer = globalForWebhooks.stockpulseWebhooks;
  return { delivered: deliverer?.delivered ?? 0, failures: deliverer?.failures ?? 0 };
}

/** Nudges this instance's deliverer after a change through the API (resume, replay). */
export function wakeWebhookDeliverer() {
  // Outside the request that wakes it: the deliverer's timers live on, and its lines are its own.
  outsideRequest(() => globalForWebhooks.stockpulseWebhooks?.wake());
}
