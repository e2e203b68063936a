// Stock alerts: the events that moved a product between stock levels (ok, low, out), newest
// first. The dashboard's alerts panel starts from these, then follows the feed.
import { db } from "@/lib/db";
import { toFeedEvent, type FeedEvent } from "@/lib/events/feed-event";
import type { ProductEvent } from "@/lib/generated/prisma/client";

/** The latest stock alerts (lib/events/stock-alert.ts says which events those are). */
export async function fetchRecentAlerts(limit: number): Promise<FeedEvent[]> {
  const rows = await db.$queryRaw<ProductEvent[]>`
    SELECT * FROM "ProductEvent"
    WHERE "previousStockLevel" IS NOT NULL AND "stockLevel" <> "previousStockLevel"
    ORDER BY id DESC LIMIT ${limit}`;
  return rows.map(toFeedEvent);
}
