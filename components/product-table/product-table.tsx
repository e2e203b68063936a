"use client";
// The live dashboard table: search, sort and filters kept in the URL (a view can be shared and
// survives reload), a summary strip whose counts link to their filters, badges, each product's
// reorder level, ticking "updated" times, a highlight on each cell that changed and a polite,
// throttled spoken summary of changes. The filters apply to the live list in the browser, so a
// product a sale takes to its reorder level joins the "Needs reorder" view as the sale arrives.
//
// Built for large shops (5,000 products, 200 changes/s; see bench/dashboard.ts): feed events
// arrive batched per animation frame (lib/client/use-live-products.ts), rows are memoised so
// only changed ones re-render (product-row.tsx), each relative time follows one shared clock,
// and only the rows near the window are in the DOM (virtual-rows.tsx).
//
// The admin list is this same table made selectable: a checkbox per row (use-selection.ts), a
// bar for the selected products above the rows and a last column of row actions.
import { useMemo, useState } from "react";
import { ConnectionBadge } from "@/components/connection-badge";
import { useLocale, useMoney } from "@/components/money";
import { ColumnHeaders } from "@/components/product-table/column-headers";
import { EditLink } from "@/components/product-table/edit-link";
import { EmptyState } from "@/components/product-table/empty-state";
import { ProductRow, type RowExtras } from "@/components/product-table/product-row";
import { SelectAllHeader } from "@/components/product-table/selection-cells";
import { stockLevel } from "@/lib/products/stock-level";
import { COLUMNS } from "@/components/product-table/columns";
import { Toolbar } from "@/components/product-table/toolbar";
import { useSpokenChanges } from "@/components/product-table/use-spoken-changes";
import { useSelection } from "@/components/product-table/use-selection";
import { useTableView, type Filter } from "@/components/product-table/use-table-view";
import { Spacer, useVirtualRows } from "@/components/product-table/virtual-rows";
import { StatCards, type Stat, type StatLink } from "@/components/stat-cards";
import { TableFrame } from "@/components/table-frame";
import { ProductOrder } from "@/lib/products/product-order";
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

/** What a bar for the selected products gets: them, in the view's order, and two controls. */
export type SelectedProducts = {
  products: ProductDto[];
  /** How many products the view shows. */
  shown: number;
  /** Why the selection shrank on its own, if it did. */
  note: string;
  clear: () => void;
  /** Highlights one product's row (a refused change names it), or none. */
  flag: (id: number | null) => void;
};

type ProductTableProps = {
  initial: ProductSnapshot;
  title?: string;
  /** Beside the connection state, e.g. a "New product" link. */
  actions?: React.ReactNode;
  /** Makes the rows selectable; renders the bar for the selection above the rows. */
  bulk?: (selection: SelectedProducts) => React.ReactNode;
  /** A last column with each row's actions; a module-level component (rows are memoised on it). */
  RowActions?: RowExtras["Actions"];
  /** The empty shop's message offers to add the first product. */
  canAddProducts?: boolean;
  /** Each row links to its product's edit page (admins); a last column unless RowActions has one. */
  canEdit?: boolean;
  /**
   * The summary shows the total stock value: business information, for staff (or every reader if
   * the shop opts in). Without it the figure is never computed into the page, not merely hidden.
   */
  showStockValue?: boolean;
};

export function ProductTable({
  initial,
  title = "Products",
  actions,
  bulk,
  RowActions,
  canAddProducts = false,
  canEdit = false,
  showStockValue = false,
}: ProductTableProps) {
  const { products, connection, caughtUp, changes, error } = useLiveProducts(initial);
  const { view, set, href } = useTableView();
  // What the search box shows: typing shows at once; the view read from the URL follows a render later.
  const [query, setQuery] = useState(view.q);
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
  const selection = useSelection(shown);
  const [flagged, flag] = useState<number | null>(null);
  const { selected } = selection;
  const Actions = RowActions ?? (canEdit ? EditLink : undefined);
  const columns = COLUMNS.length + (bulk ? 1 : 0) + (Actions ? 1 : 0);
  // A summary figure shows the products it counts: the table's filter, kept with the search and sort.
  const filterLink = (filter: Filter): StatLink => ({
    href: href({ filter }),
    current: view.filter === filter,
    follow: () => set({ filter }),
  });

  return (
    <section aria-labelledby="products-heading" className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 id="products-heading" className="text-2xl font-semibold">
          {title}
        </h1>
        <div className="flex items-center gap-3">
          <ConnectionBadge state={connection} caughtUp={caughtUp} />
          {actions}
        </div>
      </div>

      <StatCards
        data-testid="summary"
        stats={[
          ["Products", String(products.length), filterLink("all")],
          ["Low stock", String(summary.low), filterLink("low")],
          ["Out of stock", String(summary.out), filterLink("out")],
          ...(showStockValue ? [["Stock value", formatCents(summary.value)] satisfies Stat] : []),
        ]}
      />

      <Toolbar
        view={view}
        set={set}
        query={query}
        onQueryChange={(text) => {
          setQuery(text);
          set({ q: text });
        }}
      />

      {bulk?.({ products: selected, shown: shown.length, note: selection.note, clear: selection.clear, flag })}

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
            {bulk ? `, ${selected.length} selected` : ""}
          </caption>
          <ColumnHeaders
            view={view}
            set={set}
            leading={
              bulk && <SelectAllHeader shown={shown.length} selected={selected.length} onToggle={selection.toggleAll} />
            }
            trailing={Actions && "Actions"}
          />
          <tbody ref={body} className="divide-y divide-slate-100 dark:divide-slate-800">
            <Spacer height={above} columns={columns} />
            {indexes.map((index) => {
              const product = shown[index];
              return (
                <ProductRow
                  key={product.id}
                  product={product}
                  change={changes[product.id]}
                  index={index}
                  selected={selection.ids.has(product.id)}
                  flagged={flagged === product.id}
                  onSelect={bulk && selection.toggle}
                  Actions={Actions}
                />
              );
            })}
            <Spacer height={below} columns={columns} />
          </tbody>
        </table>
        {shown.length === 0 && (
          <EmptyState
            shopIsEmpty={products.length === 0}
            canAddProducts={canAddProducts}
            view={view}
            clearSearch={() => {
              setQuery("");
              set({ q: "" });
              document.getElementById("search")?.focus();
            }}
            showAll={() => set({ filter: "all" })}
          />
        )}
      </TableFrame>
    </section>
  );
}
