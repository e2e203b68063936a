// The dashboard's view of the products (search, level filter, sort), one definition for the
// table in the browser (components/product-table) and the CSV export of the same view, so both
// list the same products in the same order.
import { z } from "zod";
import { SORT_KEYS } from "@/lib/products/product-order";
import type { ProductDto } from "@/lib/products/dto";
import { needsReorder, stockLevel } from "@/lib/products/stock-level";

/** all, the products to reorder (low or out of stock), low stock only, out of stock only. */
export const VIEW_FILTERS = ["all", "reorder", "low", "out"] as const;

export type ProductView = {
  q: string;
  sort: (typeof SORT_KEYS)[number];
  dir: "asc" | "desc";
  filter: (typeof VIEW_FILTERS)[number];
};

/** Whether `product` passes the view's stock filter. */
function inFilter(product: ProductDto, filter: ProductView["filter"]): boolean {
  if (filter === "all") return true;
  if (filter === "reorder") return needsReorder(product);
  return stockLevel(product) === filter;
}

/** Whether `product` is in the view: its stock level, and the search in its name or SKU (any case). */
export function inView(product: ProductDto, view: Pick<ProductView, "q" | "filter">): boolean {
  const needle = view.q.trim().toLowerCase();
  return (
    inFilter(product, view.filter) &&
    (!needle || product.name.toLowerCase().includes(needle) || product.sku.toLowerCase().includes(needle))
  );
}

/** The export's query (GET /api/v1/products.csv): the dashboard's URL parameters, strictly. */
export const productViewQuerySchema = z.strictObject({
  q: z.string().max(200, "q must be at most 200 characters").default(""),
  sort: z.enum(SORT_KEYS, `sort must be one of ${SORT_KEYS.join(", ")}`).default("name"),
  dir: z.enum(["asc", "desc"], "dir must be asc or desc").default("asc"),
  filter: z.enum(VIEW_FILTERS, `filter must be one of ${VIEW_FILTERS.join(", ")}`).default("all"),
});
