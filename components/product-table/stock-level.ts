// Where a product's stock stands. The levels exclude each other, so the summary's counts, the
// filter and the badges always agree: out of stock is not also low stock.
import type { ProductDto } from "@/lib/products/dto";

export type StockLevel = "out" | "low" | "ok";

export function stockLevel({ stock, lowStockThreshold }: Pick<ProductDto, "stock" | "lowStockThreshold">): StockLevel {
  if (stock === 0) return "out";
  if (stock <= lowStockThreshold) return "low";
  return "ok";
}
