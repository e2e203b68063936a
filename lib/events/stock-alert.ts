// A stock alert: an existing product moved between stock levels (ok, low, out). "created"
// events have no previous level and are not alerts. Shared by the alerts query and the panel.
import type { FeedEvent } from "@/lib/events/feed-event";

export const isStockAlert = (event: Pick<FeedEvent, "stockLevel" | "previousStockLevel">) =>
  event.previousStockLevel !== null && event.stockLevel !== event.previousStockLevel;
