// The shape of one change on the feed (docs/design.md, "The SSE feed"). Built from a ProductEvent
// row, so the live path (NOTIFY payload) and replay (SELECT) produce identical bytes.
import type { ProductEvent } from "@/lib/generated/prisma/client";
import type { StockLevel } from "@/lib/products/stock-level";

export const NOTIFY_CHANNEL = "product_events";

export type EventKind = "created" | "stock" | "price" | "update";

export type FeedEvent = {
  eventId: string;
  productId: number;
  newStock: number;
  newPrice: number;
  version: number;
  kind: EventKind;
  at: string;
  sku: string;
  name: string;
  lowStockThreshold: number;
  delta: number | null;
  /** The stock level after the change, and before it (null for `created`): a threshold event when they differ. */
  stockLevel: StockLevel;
  previousStockLevel: StockLevel | null;
};

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
  };
}
