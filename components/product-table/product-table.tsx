"use client";
// The live dashboard table: search, sort and filters kept in the URL (a view can be shared and
// survives reload), a summary strip, badges, ticking "updated" times, a highlight on each cell
// that changed and a polite, throttled spoken summary of changes.
//
// Built for large shops (5,000 products, 200 changes/s; see bench/dashboard.ts): feed events
// arrive batched per animation frame (lib/client/use-live-products.ts), rows are memoised so
// only changed ones re-render (product-row.tsx), each relative time follows one shared clock,
// and only the rows near the window are in the DOM (virtual-rows.tsx).
import { useMemo } from "react";
import { ConnectionBadge } from "@/components/connection-badge";
import { useLocale, useMoney } from "@/components/money";
import { ColumnHeaders } from "@/components/product-table/column-headers";
import { ProductRow } from "@/components/product-table/product-row";
import { stockLevel } from "@/lib/products/stock-level";
import { Toolbar } from "@/components/product-table/toolbar";
import { useSpokenChanges } from "@/components/product-table/use-spoken-changes";
import { useTableView } from "@/components/product-table/use-table-view";
import { Spacer, useVirtualRows } from "@/components/product-table/virtual-rows";
import { StatCards } from "@/components/stat-cards";
import { TableFrame } from "@/components/table-frame";
import { ProductOrder } from "@/lib/client/product-order";
import { useLiveProducts } from "@/lib/client/use-live-products";
import type { ProductDto } from "@/lib/products/dto";
import { inView } from "@/lib/products/view";
import type { ProductSnapshot } from "@/lib/products/queries";

/** The summary strip's figures; low and out of stock count the same levels the filter shows. */
function summarise(products: ProductDto[]) {
  let low = 0;
  let out = 0;
  let value = 0;
  for (const product of products) {
    const level = stockLevel(product);
    if (level === "low") low++;
    else if (level === "out") out++;
    value += product.stock * product.priceCents;
  }
  return { low, out, value };
}

export function ProductTable({ initial }: { initial: ProductSnapshot }) {
  const { products, connection, caughtUp, changes, error } = useLiveProducts(initial);
  const { view, set } = useTableView();
  const formatCents = useMoney();
  const locale = useLocale();
  const spoken = useSpokenChanges(changes, products);
  const order = useMemo(() => new ProductOrder(locale), [locale]);
  const summary = useMemo(() => summarise(products), [products]);

  const shown = useMemo(
    () => order.sort(products, view.sort, view.dir).filter((product) => inView(product, view)),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the view's fields, not the object
    [products, order, view.q, view.sort, view.dir, view.filter],
  );

  const { body, indexes, above, below } = useVirtualRows(shown.length);
  const live = connection === "live";

  return (
    <section aria-labelledby="products-heading" className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 id="products-heading" className="text-2xl font-semibold">
          Products
        </h1>
        <ConnectionBadge state={connection} caughtUp={caughtUp} />
      </div>

      <StatCards
        data-testid="summary"
        stats={[
          ["Products", String(products.length)],
          ["Low stock", String(summary.low)],
          ["Out of stock", String(summary.out)],
          ["Stock value", formatCents(summary.value)],
        ]}
      />

      <Toolbar view={view} set={set} />

      {!live && (
        <p
          role="alert"
          className="rounded bg-amber-50 p-2 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-200"
        >
          Not live: these values may be out of date until the connection is back.
        </p>
      )}
      {error ? (
        <p role="alert" className="text-sm text-red-700">
          {(error as Error).message}
        </p>
      ) : null}
      <p aria-live="polite" className="sr-only" data-testid="spoken-changes">
        {spoken}
      </p>

      <TableFrame dimmed={!live}>
        <table className="w-full table-fixed text-sm" aria-describedby="table-caption" aria-rowcount={shown.length + 1}>
          <caption id="table-caption" className="sr-only">
            {shown.length} of {products.length} products
            {view.sort ? `, sorted by ${view.sort} ${view.dir === "asc" ? "ascending" : "descending"}` : ""}
          </caption>
          <ColumnHeaders view={view} set={set} />
          <tbody ref={body} className="divide-y divide-slate-100 dark:divide-slate-800">
            <Spacer height={above} />
            {indexes.map((index) => {
              const product = shown[index];
              return <ProductRow key={product.id} product={product} change={changes[product.id]} index={index} />;
            })}
            <Spacer height={below} />
          </tbody>
        </table>
        {shown.length === 0 && (
          <p className="p-4 text-sm text-slate-600 dark:text-slate-300">No product matches this search and filter.</p>
        )}
      </TableFrame>
    </section>
  );
}
