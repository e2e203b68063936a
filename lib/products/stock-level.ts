// Where a product's stock stands. The levels exclude each other, so the dashboard's summary,
// filter and badges always agree (out of stock is not also low stock), and they are the levels
// every event carries as stockLevel / previousStockLevel: the database computes those with the
// same rule (stock_level() in the stock_levels migration).
export type StockLevel = "out" | "low" | "ok";

export function stockLevel({ stock, lowStockThreshold }: { stock: number; lowStockThreshold: number }): StockLevel {
  if (stock === 0) return "out";
  if (stock <= lowStockThreshold) return "low";
  return "ok";
}

/**
 * Whether the product is due for reordering: its stock is at or below its low-stock threshold,
 * so low or out of stock (a stock of 0 is at or below any threshold). The dashboard's "Needs
 * reorder" filter.
 */
export const needsReorder = (product: { stock: number; lowStockThreshold: number }): boolean =>
  stockLevel(product) !== "ok";
