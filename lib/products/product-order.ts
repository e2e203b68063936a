// The dashboard's sort order, kept up to date on every frame with changes (5,000 products,
// 200 changes/s). Each frame only a few products change, so the previous frame's order is almost
// sorted already; re-sorting it (not the products in id order) lets the engine's merge sort
// (TimSort in V8) finish in about one pass. Products keep their place in the snapshot's array
// (use-live-products.ts replaces changed ones in place and appends new ones), so the order is
// kept as positions into that array.
import type { ProductDto } from "@/lib/products/dto";

export const SORT_KEYS = ["name", "sku", "price", "stock", "updated"] as const;
export type SortKey = (typeof SORT_KEYS)[number];

/**
 * Each name's (or SKU's) place in the locale's collation order. Collating is slow, but names
 * rarely change: the ranks are rebuilt only when a string they do not know appears.
 */
class CollationRanks {
  private ranks = new Map<string, number>();
  constructor(private readonly collator: Intl.Collator) {}

  of(values: string[]) {
    if (values.some((value) => !this.ranks.has(value))) {
      const sorted = [...new Set(values)].sort(this.collator.compare);
      this.ranks = new Map(sorted.map((value, rank) => [value, rank]));
    }
    return this.ranks;
  }
}

// Parsed once per product state: a changed product is a new object.
const updatedTimes = new WeakMap<ProductDto, number>();
function updatedTime(product: ProductDto) {
  let time = updatedTimes.get(product);
  if (time === undefined) updatedTimes.set(product, (time = Date.parse(product.updatedAt)));
  return time;
}

export class ProductOrder {
  private readonly names: CollationRanks;
  private readonly skus: CollationRanks;
  private positions: number[] = [];
  private sortedBy: SortKey | null = null;

  constructor(locale: string) {
    const collator = new Intl.Collator(locale, { numeric: true });
    this.names = new CollationRanks(collator);
    this.skus = new CollationRanks(collator);
  }

  /** `products` in `sort` order, ties by id; "desc" reverses it. */
  sort(products: ProductDto[], sort: SortKey, dir: "asc" | "desc"): ProductDto[] {
    const values = this.values(products, sort);
    if (this.sortedBy !== sort || this.positions.length > products.length) this.positions = [];
    for (let position = this.positions.length; position < products.length; position++) this.positions.push(position);
    this.positions.sort((a, b) => values[a] - values[b] || products[a].id - products[b].id);
    this.sortedBy = sort;
    const sorted = this.positions.map((position) => products[position]);
    return dir === "asc" ? sorted : sorted.reverse();
  }

  private values(products: ProductDto[], sort: SortKey): Float64Array {
    const values = new Float64Array(products.length);
    if (sort === "name" || sort === "sku") {
      const ranks = (sort === "name" ? this.names : this.skus).of(products.map((product) => product[sort]));
      products.forEach((product, i) => (values[i] = ranks.get(product[sort])!));
    } else if (sort === "updated") {
      products.forEach((product, i) => (values[i] = updatedTime(product)));
    } else {
      products.forEach((product, i) => (values[i] = sort === "price" ? product.priceCents : product.stock));
    }
    return values;
  }
}
