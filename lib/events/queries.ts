// Reads of the event log for replay, listener catch-up and retention.
import { db, pool } from "@/lib/db";
import type { ProductEvent } from "@/lib/generated/prisma/client";

// Small enough that reading and encoding one page is a short run of the event loop (writes and
// live frames wait behind at most a few: replay-budget.ts), large enough to read few pages.
export const REPLAY_PAGE_SIZE = 250;

/**
 * Events after `afterId` in id (= commit) order, optionally for some products only, a page at a
 * time, until a page comes back short: the end of the log as it stands. Each page is read only
 * when the one before has been handled (replay writes it at the client's pace).
 */
export async function* eventPagesAfter(afterId: bigint, productIds: ReadonlySet<number> | null) {
  for (let cursor = afterId; ;) {
    const page = await eventPageAfter(cursor, productIds);
    if (page.length > 0) {
      yield page;
      cursor = page[page.length - 1].id;
    }
    if (page.length < REPLAY_PAGE_SIZE) return;
  }
}

/**
 * One page of eventPagesAfter: a short page is the end of the log as it stands. Straight on the
 * pool, not through Prisma: a thousand rows through Prisma's compiler and row mapping cost more
 * of the event loop than encoding them (bench/replay.ts), and many replays run this at once.
 */
export async function eventPageAfter(afterId: bigint, productIds: ReadonlySet<number> | null): Promise<ProductEvent[]> {
  const { rows } = await pool.query<ProductEvent & { id: string }>(
    `SELECT * FROM "ProductEvent"
     WHERE id > $1 ${productIds ? `AND "productId" = ANY($3::int[])` : ""}
     ORDER BY id LIMIT $2`,
    productIds ? [afterId.toString(), REPLAY_PAGE_SIZE, [...productIds]] : [afterId.toString(), REPLAY_PAGE_SIZE],
  );
  return rows.map((row) => ({ ...row, id: BigInt(row.id) }));
}

/**
 * A page of the conflated catch-up: of the events after `since`, each product's newest, those
 * after `afterId`, in id order. Each page looks at every event after `since` again (at most
 * FEED_REPLAY_MAX_EVENTS of them, or the resume is reset), so a product changed meanwhile comes
 * with its newer event, or with none if that is past the page.
 */
export async function latestEventPageAfter(
  since: bigint,
  afterId: bigint,
  productIds: ReadonlySet<number> | null,
): Promise<ProductEvent[]> {
  const { rows } = await pool.query<ProductEvent & { id: string }>(
    `SELECT * FROM (
       SELECT DISTINCT ON ("productId") * FROM "ProductEvent"
       WHERE id > $1 ${productIds ? `AND "productId" = ANY($4::int[])` : ""}
       ORDER BY "productId", id DESC
     ) AS latest
     WHERE id > $2 ORDER BY id LIMIT $3`,
    [since.toString(), afterId.toString(), REPLAY_PAGE_SIZE, ...(productIds ? [[...productIds]] : [])],
  );
  return rows.map((row) => ({ ...row, id: BigInt(row.id) }));
}

/** The oldest and newest retained event ids (null when there are none). */
export async function fetchEventBounds() {
  const { _min, _max } = await db.productEvent.aggregate({ _min: { id: true }, _max: { id: true } });
  return { oldest: _min.id, newest: _max.id };
}

/**
 * Whether more than `max` events were committed after `afterId`: counts at most `max + 1` of them
 * along the primary key, so the cost is bounded whatever the gap. Ids are not gap-free (a rolled
 * back transaction burns its sequence value), so the id distance alone would overstate it.
 */
export async function moreEventsAfterThan(afterId: bigint, max: number): Promise<boolean> {
  const [{ behind }] = await db.$queryRaw<Array<{ behind: bigint }>>`
    SELECT count(*) AS behind FROM (SELECT 1 FROM "ProductEvent" WHERE id > ${afterId} LIMIT ${max + 1}) AS newer`;
  return behind > BigInt(max);
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
