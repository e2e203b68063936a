"use client";
// One product's row: memoised, so only the rows whose product or change mark changed re-render.
import Link from "next/link";
import { memo } from "react";
import { useDateDisplay, useMoney } from "@/components/money";
import { SelectCell } from "@/components/product-table/selection-cells";
import { stockLevel } from "@/lib/products/stock-level";
import { formatAgo, formatCount, formatDateTime, type DateDisplay } from "@/lib/display-format";
import { useClock } from "@/lib/client/clock";
import { CHANGE_MARK_MS, type Change } from "@/lib/client/use-live-products";
import type { ProductDto } from "@/lib/products/dto";

const FLASH_MS = 1_500;

type CellsProps = { product: ProductDto; change: Change | undefined };

/**
 * What a selectable table (the admin list) adds to a row: a checkbox, a highlight for the row a
 * refused bulk change named, and a last cell of actions. `onSelect` and `Actions` must keep
 * their identity across renders, or every row re-renders on every frame.
 */
export type RowExtras = {
  selected?: boolean;
  flagged?: boolean;
  onSelect?: (id: number, range: boolean) => void;
  Actions?: React.ComponentType<{ product: ProductDto }>;
};

/**
 * One product's row. Its position (aria-rowindex, for the rows not in the DOM) changes whenever
 * a row above it moves, as in a table sorted by last update; the cells re-render only when the
 * product or its change mark does.
 */
export const ProductRow = memo(function ProductRow({
  index,
  selected = false,
  flagged = false,
  onSelect,
  Actions,
  ...cells
}: CellsProps & { index: number } & RowExtras) {
  const { product } = cells;
  return (
    <tr
      aria-rowindex={index + 2}
      data-testid={`product-row-${product.id}`}
      data-sku={product.sku}
      data-selected={selected ? "" : undefined}
      data-flagged={flagged ? "" : undefined}
      className={
        flagged
          ? "bg-red-50 outline-2 -outline-offset-2 outline-red-600 dark:bg-red-950"
          : selected
            ? "bg-sky-50 dark:bg-sky-950"
            : undefined
      }
    >
      {onSelect && <SelectCell id={product.id} name={product.name} selected={selected} onSelect={onSelect} />}
      <ProductCells {...cells} />
      {Actions && (
        <td className="px-2 py-2 sm:px-4 text-right whitespace-nowrap">
          <Actions product={product} />
        </td>
      )}
    </tr>
  );
});

function Ago({ iso, display }: { iso: string; display: DateDisplay }) {
  const at = Date.parse(iso);
  const text = useClock((now) => formatAgo(display.locale, Math.max(0, Math.round((now - at) / 1000))));
  return (
    // The server rendered this a moment earlier; the client's text is the newer one.
    <time dateTime={iso} title={formatDateTime(display, at)} suppressHydrationWarning>
      {text}
    </time>
  );
}

export function StockBadge({ product }: { product: Pick<ProductDto, "stock" | "lowStockThreshold"> }) {
  const level = stockLevel(product);
  if (level === "out")
    return (
      <span className="rounded bg-red-100 px-2 py-0.5 text-xs font-medium text-red-800 dark:bg-red-950 dark:text-red-200">
        Out of stock
      </span>
    );
  if (level === "low")
    return (
      <span className="rounded bg-amber-100 px-2 py-0.5 text-xs font-medium text-amber-800 dark:bg-amber-950 dark:text-amber-200">
        Low stock
      </span>
    );
  return null;
}

/** A price or stock cell; while its field is the one that changed, it shows the direction. */
function ChangeCell({
  field,
  marked,
  flash,
  children,
}: {
  field: Change["field"];
  marked: Change | undefined;
  flash: boolean;
  children: React.ReactNode;
}) {
  const changed = marked?.field === field;
  return (
    <td
      data-testid={field}
      data-change={changed ? marked.direction : undefined}
      data-flash={changed && flash ? "" : undefined}
      className="px-2 py-2 sm:px-4 text-right whitespace-nowrap tabular-nums"
    >
      {children}
    </td>
  );
}

const ProductCells = memo(function ProductCells({ product, change }: CellsProps) {
  const formatCents = useMoney();
  const display = useDateDisplay();
  // The cell that changed is highlighted for about FLASH_MS and keeps its arrow (and spoken
  // direction) for CHANGE_MARK_MS. Both end on a tick of the shared clock, not an animation.
  const phase = useClock((now) =>
    change === undefined
      ? "none"
      : now - change.at < FLASH_MS
        ? "flash"
        : now - change.at < CHANGE_MARK_MS
          ? "mark"
          : "none",
  );
  const marked = phase === "none" ? undefined : change;
  return (
    <>
      <td className="hidden truncate px-2 py-2 sm:px-4 font-mono text-xs text-slate-500 sm:table-cell dark:text-slate-400">
        {product.sku}
      </td>
      <td className="truncate px-2 py-2 sm:px-4" title={product.name}>
        {/* No prefetch: scrolling a large shop would fetch a detail page for every row shown. */}
        <Link href={`/products/${product.id}`} prefetch={false} className="hover:underline">
          {product.name}
        </Link>
      </td>
      <ChangeCell field="price" marked={marked} flash={phase === "flash"}>
        {formatCents(product.priceCents)}
      </ChangeCell>
      <ChangeCell field="stock" marked={marked} flash={phase === "flash"}>
        {formatCount(display.locale, product.stock)}
      </ChangeCell>
      <td
        data-testid="reorder-at"
        className="px-2 py-2 sm:px-4 text-right whitespace-nowrap tabular-nums text-slate-600 dark:text-slate-300"
      >
        {formatCount(display.locale, product.lowStockThreshold)}
      </td>
      <td data-testid="status" className="px-2 py-2 sm:px-4 whitespace-nowrap">
        {marked ? (
          <span className="sr-only">
            {marked.field} went {marked.direction}
          </span>
        ) : null}
        <StockBadge product={product} />
      </td>
      <td className="px-2 py-2 sm:px-4 text-right whitespace-nowrap text-slate-500 dark:text-slate-400">
        <Ago iso={product.updatedAt} display={display} />
      </td>
    </>
  );
});
