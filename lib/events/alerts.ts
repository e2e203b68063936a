// Stock alerts: the events that moved a product between stock levels (ok, low, out), newest
// first. The dashboard's alerts panel starts from these, then follows the feed.
import { z } from "zod";
import { db } from "@/lib/db";
import { queryWholeNumber } from "@/lib/http/query-number";
import { feedEventSchema, toFeedEvent, type FeedEvent } from "@/lib/events/feed-event";
import type { ProductEvent } from "@/lib/generated/prisma/client";

export const alertsLimitSchema = queryWholeNumber("limit", { min: 1, max: 100, fallback: 20 });

export const alertsSchema = z
  .strictObject({ alerts: z.array(feedEventSchema) })
  .meta({ description: "The latest stock level changes of products that are not archived, newest first" });

/**
 * The latest stock alerts (lib/events/stock-alert.ts says which events those are) of products
 * that are not archived: an archived product is off the shelf, its old alerts are no news.
 */
export async function fetchRecentAlerts(limit: number): Promise<FeedEvent[]> {
  const rows = await db.$queryRaw<ProductEvent[]>`
    SELECT e.* FROM "ProductEvent" e JOIN "Product" p ON p.id = e."productId" AND p."archivedAt" IS NULL
    WHERE e."previousStockLevel" IS NOT NULL AND e."stockLevel" <> e."previousStockLevel"
    ORDER BY e.id DESC LIMIT ${limit}`;
  return rows.map(toFeedEvent);
}
