// Reads of the event log for replay, listener catch-up and retention.
import { db } from "@/lib/db";

export const REPLAY_PAGE_SIZE = 1000;

/** Events after `afterId` in id (= commit) order, optionally for some products only. */
export function fetchEventsAfter(afterId: bigint, productIds: ReadonlySet<number> | null, take = REPLAY_PAGE_SIZE) {
  return db.productEvent.findMany({
    where: { id: { gt: afterId }, ...(productIds ? { productId: { in: [...productIds] } } : {}) },
    orderBy: { id: "asc" },
    take,
  });
}

/** The oldest and newest retained event ids (null when there are none). */
export async function fetchEventBounds() {
  const { _min, _max } = await db.productEvent.aggregate({ _min: { id: true }, _max: { id: true } });
  return { oldest: _min.id, newest: _max.id };
}

/**
 * Deletes events older than the retention, except those a webhook subscription has not yet
 * acknowledged (a paused one holds them back): a webhook never misses an event (docs/api.md).
 */
export async function pruneEventsOlderThan(days: number) {
  const cutoff = new Date(Date.now() - days * 24 * 60 * 60 * 1000);
  return db.$executeRaw`
    DELETE FROM "ProductEvent"
    WHERE "createdAt" < ${cutoff}
      AND id <= coalesce((SELECT min(cursor) FROM "WebhookSubscription"), 9223372036854775807)`;
}
