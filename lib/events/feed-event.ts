// The shape of one change on the feed (docs/design.md, "The SSE feed"). Built from a ProductEvent
// row, so the live path (NOTIFY payload) and replay (SELECT) produce identical bytes.
// The zod schemas are the contract's (lib/api/openapi.ts); the type comes from them.
import { z } from "zod";
import type { ProductEvent } from "@/lib/generated/prisma/client";
import type { StockLevel } from "@/lib/products/stock-level";
import { changesOf, changesSchema } from "@/lib/products/changes";
import { eventKindSchema, stockLevelSchema } from "@/lib/products/dto";

export const NOTIFY_CHANNEL = "product_events";

export type EventKind = z.infer<typeof eventKindSchema>;

export const feedEventSchema = z
  .strictObject({
    eventId: z.string().regex(/^\d+$/).meta({ description: "the frame's `id:`; increases in commit order" }),
    productId: z.int().min(1),
    newStock: z.int().min(0),
    newPrice: z.int().min(0).meta({ description: "price in cents" }),
    version: z.int().min(1),
    kind: eventKindSchema,
    at: z.iso.datetime(),
    sku: z.string(),
    name: z.string(),
    lowStockThreshold: z.int().min(0),
    delta: z.int().nullable().meta({ description: "the change of a stock adjustment; null for other changes" }),
    stockLevel: stockLevelSchema.meta({ description: "the stock level after the change" }),
    previousStockLevel: stockLevelSchema
      .nullable()
      .meta({ description: "the level before it (null for `created`): a threshold event when they differ" }),
    changes: changesSchema,
  })
  .meta({ description: "The data of one unnamed feed frame: one committed change" });

/** The data of an `event: status` frame: whether this instance follows the database. */
export const feedStatusSchema = z
  .union([z.strictObject({ live: z.literal(true) }), z.strictObject({ live: z.literal(false), reason: z.string() })])
  .meta({ description: "`event: status` data: live false while the instance cannot follow the database" });

export type FeedEvent = z.infer<typeof feedEventSchema>;

export function toFeedEvent(row: ProductEvent): FeedEvent {
  return {
    eventId: row.id.toString(),
    productId: row.productId,
    newStock: row.stock,
    newPrice: row.priceCents,
    version: row.version,
    kind: row.kind as EventKind,
    at: row.createdAt.toISOString(),
    sku: row.sku,
    name: row.name,
    lowStockThreshold: row.lowStockThreshold,
    delta: row.delta,
    stockLevel: row.stockLevel as StockLevel,
    previousStockLevel: row.previousStockLevel as StockLevel | null,
    changes: changesOf(row),
  };
}
