// Reads of products: the snapshot, one product, the export of a dashboard view.
import { db } from "@/lib/db";
import { notFound } from "@/lib/errors";
import { ProductOrder } from "@/lib/products/product-order";
import type { Prisma, Product } from "@/lib/generated/prisma/client";
import { inView, type ProductView } from "@/lib/products/view";
import { toProductDto, type ProductDto, type ProductSnapshot } from "@/lib/products/dto";
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

const EXPORT_PAGE_SIZE = 500;

/**
 * The products of a dashboard view in the dashboard's order, a page at a time (the CSV export).
 * The order comes from the dashboard's own code (ProductOrder: Intl.Collator with numeric
 * collation in DISPLAY_LOCALE, ties by id), not from SQL, whose collations differ from the
 * browser's. So the view's products are read once to order them (the shop's size, not its
 * history) and then again in pages in that order as the client takes them, each page as it is
 * then. Archived products are not in the dashboard's view, so not in its export.
 */
export async function* productPagesInView(view: ProductView, locale: string): AsyncGenerator<Product[]> {
  const keys = await db.product.findMany({ where: ARCHIVED_WHERE.false });
  const ids = new ProductOrder(locale)
    .sort(keys.map(toProductDto), view.sort, view.dir)
    .filter((product) => inView(product, view))
    .map((product) => product.id);
  for (let start = 0; start < ids.length; start += EXPORT_PAGE_SIZE) {
    const pageIds = ids.slice(start, start + EXPORT_PAGE_SIZE);
    const rows = new Map(
      (await db.product.findMany({ where: { id: { in: pageIds }, ...ARCHIVED_WHERE.false } })).map((row) => [
        row.id,
        row,
      ]),
    );
    // A product archived since the keys were read is left out.
    yield pageIds.flatMap((id) => rows.get(id) ?? []);
  }
}
