// Stock alerts: the events that moved a product between stock levels (ok, low, out), newest
// first. The dashboard's alerts panel starts from these, then follows the feed.
import { z } from "zod";
import { db } from "@/lib/db";
import { feedEventSchema, toFeedEvent, type FeedEvent } from "@/lib/events/feed-event";
import type { ProductEvent } from "@/lib/generated/prisma/client";

export const alertsLimitSchema = z.coerce.number().int().min(1).max(100).default(20);

export const alertsSchema = z
  .strictObject({ alerts: z.array(feedEventSchema) })
  .meta({ description: "The latest stock level changes of existing products, newest first" });

/** The latest stock alerts (lib/events/stock-alert.ts says which events those are). */
export async function fetchRecentAlerts(limit: number): Promise<FeedEvent[]> {
  const rows = await db.$queryRaw<ProductEvent[]>`
    SELECT * FROM "ProductEvent"
    WHERE "previousStockLevel" IS NOT NULL AND "stockLevel" <> "previousStockLevel"
    ORDER BY id DESC LIMIT ${limit}`;
  return rows.map(toFeedEvent);
}
