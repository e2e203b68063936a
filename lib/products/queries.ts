// Reads of products and their history.
import { db } from "@/lib/db";
import { notFound } from "@/lib/errors";
import type { Prisma } from "@/lib/generated/prisma/client";
import { toHistoryEntry, toProductDto, type ProductDto, type ProductSnapshot } from "@/lib/products/dto";
import type { ArchivedFilter } from "@/lib/products/validation";

export type { ProductSnapshot };

/**
 * `sku`: only the product whose SKU is exactly this (case and whitespace count), so 0 or 1.
 * `archived`: "false" (the default) active products only, "true" archived ones only, "all" both.
 */
export type ProductFilter = { sku?: string; archived?: ArchivedFilter };

const ARCHIVED_WHERE = {
  false: { archivedAt: null },
  true: { archivedAt: { not: null } },
  all: {},
} satisfies Record<ArchivedFilter, Prisma.ProductWhereInput>;

/**
 * Every product plus the id of the last event the list reflects (guarantee 4): both are read in
 * one REPEATABLE READ snapshot, and event ids are assigned in commit order, so subscribing from
 * `lastEventId` yields exactly the changes after this list. With a filter, the same for the
 * products it selects.
 */
export async function fetchProductSnapshot(filter: ProductFilter = {}): Promise<ProductSnapshot> {
  const [products, last] = await db.$transaction(
    [
      db.product.findMany({
        where: {
          ...ARCHIVED_WHERE[filter.archived ?? "false"],
          ...(filter.sku === undefined ? {} : { sku: filter.sku }),
        },
        orderBy: { id: "asc" },
      }),
      db.productEvent.aggregate({ _max: { id: true } }),
    ],
    { isolationLevel: "RepeatableRead" },
  );
  return { products: products.map(toProductDto), lastEventId: (last._max.id ?? BigInt(0)).toString() };
}

/** One product, archived or not; null when there is none. */
export async function findProduct(id: number): Promise<ProductDto | null> {
  const product = await db.product.findUnique({ where: { id } });
  return product && toProductDto(product);
}

export async function fetchProduct(id: number): Promise<ProductDto> {
  const product = await findProduct(id);
  if (!product) throw notFound(`product ${id}`);
  return product;
}

/** The product's most recent changes, newest first; who and why only `withAudit` (staff, tokens). */
export async function fetchProductHistory(id: number, limit: number, withAudit: boolean) {
  const [product, events] = await Promise.all([
    db.product.findUnique({ where: { id }, select: { id: true } }),
    db.productEvent.findMany({ where: { productId: id }, orderBy: { id: "desc" }, take: limit }),
  ]);
  if (!product) throw notFound(`product ${id}`);
  return events.map((event) => toHistoryEntry(event, withAudit));
}
