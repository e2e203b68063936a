// What the API returns for products and their history (docs/design.md, HTTP contract).
import type { StockLevel } from "@/lib/products/stock-level";
import type { Product, ProductEvent } from "@/lib/generated/prisma/client";

export type ProductDto = {
  id: number;
  sku: string;
  name: string;
  priceCents: number;
  stock: number;
  lowStockThreshold: number;
  version: number;
  updatedAt: string;
};

export type ProductHistoryEntry = {
  eventId: string;
  productId: number;
  kind: string;
  stock: number;
  priceCents: number;
  lowStockThreshold: number;
  sku: string;
  name: string;
  version: number;
  delta: number | null;
  stockLevel: StockLevel;
  previousStockLevel: StockLevel | null;
  reason: string | null;
  actor: string;
  at: string;
};

export function toProductDto(product: Product): ProductDto {
  return {
    id: product.id,
    sku: product.sku,
    name: product.name,
    priceCents: product.priceCents,
    stock: product.stock,
    lowStockThreshold: product.lowStockThreshold,
    version: product.version,
    updatedAt: product.updatedAt.toISOString(),
  };
}

export function toHistoryEntry(event: ProductEvent): ProductHistoryEntry {
  return {
    eventId: event.id.toString(),
    productId: event.productId,
    kind: event.kind,
    stock: event.stock,
    priceCents: event.priceCents,
    lowStockThreshold: event.lowStockThreshold,
    sku: event.sku,
    name: event.name,
    version: event.version,
    delta: event.delta,
    stockLevel: event.stockLevel as StockLevel,
    previousStockLevel: event.previousStockLevel as StockLevel | null,
    reason: event.reason,
    actor: event.actor,
    at: event.createdAt.toISOString(),
  };
}
