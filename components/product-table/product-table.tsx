"use client";
// The live dashboard table: search, sort and filters kept in the URL (a view can be shared and
// survives reload), a summary strip, badges, ticking "updated" times, a highlight on each cell
// that changed and a polite, throttled spoken summary of changes.
//
// Built for large shops (5,000 products, 200 changes/s; see bench/dashboard.ts): feed events
// arrive batched per animation frame (use-live-products.ts), rows are memoised so only changed
// ones re-render, each relative time follows one shared clock, and only the rows near the
// window are in the DOM (@tanstack/react-virtual), with spacer rows keeping real table semantics.
import { useWindowVirtualizer } from "@tanstack/react-virtual";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { memo, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import { useClock } from "@/lib/client/clock";
import { ConnectionBadge } from "@/components/connection-badge";
import { StatCards } from "@/components/stat-cards";
import { useLocale, useMoney } from "@/components/money";
import { ProductOrder, SORT_KEYS, type SortKey } from "@/lib/client/product-order";
import { CHANGE_MARK_MS, useLiveProducts, type Change } from "@/lib/client/use-live-products";
import type { ProductDto } from "@/lib/products/dto";
import type { ProductSnapshot } from "@/lib/products/queries";

type Filter = "all" | "low" | "out";

// Fixed table layout: column widths come from these headers, not from whichever rows happen to
// be rendered, so columns do not jump while scrolling and a changed cell does not re-lay out the
// table. On a phone the SKU column gives way (search still finds SKUs) and product, price and
// stock fit the screen; status and update time are a sideways scroll of the table away.
const COLUMNS: Array<{ key: SortKey | null; label: string; width: string; numeric?: boolean; hidden?: boolean }> = [
  { key: "sku", label: "SKU", width: "hidden w-36 sm:table-cell" },
  { key: "name", label: "Product", width: "w-40 sm:w-auto" },
  { key: "price", label: "Price", width: "w-24 sm:w-28", numeric: true },
  { key: "stock", label: "Stock", width: "w-20 sm:w-24", numeric: true },
  { key: null, label: "Status", width: "w-32", hidden: true },
  { key: "updated", label: "Updated", width: "w-32", numeric: true },
];

const FILTERS: Array<{ value: Filter; label: string }> = [
  { value: "all", label: "All" },
  { value: "low", label: "Low stock" },
  { value: "out", label: "Out of stock" },
];

const isLow = (product: ProductDto) => product.stock <= product.lowStockThreshold;

function useView() {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const sort = SORT_KEYS.includes(params.get("sort") as SortKey) ? (params.get("sort") as SortKey) : "name";
  const view = {
    q: params.get("q") ?? "",
    sort,
    dir: params.get("dir") === "desc" ? ("desc" as const) : ("asc" as const),
    filter: (["low", "out"].includes(params.get("filter") ?? "") ? params.get("filter") : "all") as Filter,
  };
  const set = (changes: Partial<typeof view>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      const isDefault = value === "" || (key === "sort" && value === "name") || value === "asc" || value === "all";
      if (isDefault) next.delete(key);
      else next.set(key, String(value));
    }
    const query = next.toString();
    router.replace(query ? `${pathname}?${query}` : pathname, { scroll: false });
  };
  return { view, set };
}

// Intl formatters are dear to build and every row uses two: one of each per locale, kept.
const formats = new Map<string, Intl.RelativeTimeFormat | Intl.DateTimeFormat>();

function relativeFormat(locale: string) {
  const key = `relative ${locale}`;
  if (!formats.has(key)) formats.set(key, new Intl.RelativeTimeFormat(locale, { numeric: "auto", style: "short" }));
  return formats.get(key) as Intl.RelativeTimeFormat;
}

function dateTimeFormat(locale: string) {
  const key = `date-time ${locale}`;
  if (!formats.has(key)) formats.set(key, new Intl.DateTimeFormat(locale, { dateStyle: "short", timeStyle: "medium" }));
  return formats.get(key) as Intl.DateTimeFormat;
}

function relativeTime(locale: string, seconds: number) {
  const format = relativeFormat(locale);
  if (seconds < 60) return format.format(-seconds, "second");
  if (seconds < 3600) return format.format(-Math.floor(seconds / 60), "minute");
  if (seconds < 86400) return format.format(-Math.floor(seconds / 3600), "hour");
  return format.format(-Math.floor(seconds / 86400), "day");
}

function Ago({ iso, locale }: { iso: string; locale: string }) {
  const at = Date.parse(iso);
  const text = useClock((now) => relativeTime(locale, Math.max(0, Math.round((now - at) / 1000))));
  return (
    // The server rendered this a moment earlier; the client's text is the newer one.
    <time dateTime={iso} title={dateTimeFormat(locale).format(at)} suppressHydrationWarning>
      {text}
    </time>
  );
}

function StockBadge({ stock, threshold }: { stock: number; threshold: number }) {
  if (stock === 0)
    return (
      <span className="rounded bg-red-100 px-2 py-0.5 text-xs font-medium text-red-800 dark:bg-red-950 dark:text-red-200">
        Out of stock
      </span>
    );
  if (stock <= threshold)
    return (
      <span className="rounded bg-amber-100 px-2 py-0.5 text-xs font-medium text-amber-800 dark:bg-amber-950 dark:text-amber-200">
        Low stock
      </span>
    );
  return null;
}

/** What changed, spoken at most every 5 s so a busy shop does not drown a screen reader. */
function useSpokenChanges(changes: Record<number, Change>, products: ProductDto[]) {
  const [spoken, setSpoken] = useState("");
  const seen = useRef<Record<number, number>>({});
  const pending = useRef(new Set<number>());
  useEffect(() => {
    for (const [id, change] of Object.entries(changes)) {
      if (seen.current[+id] !== change.at) pending.current.add(+id);
      seen.current[+id] = change.at;
    }
  }, [changes]);
  const latest = useRef(products);
  useEffect(() => {
    latest.current = products;
  }, [products]);
  useEffect(() => {
    const timer = setInterval(() => {
      if (pending.current.size === 0) return;
      const ids = [...pending.current];
      pending.current.clear();
      const named = new Set(ids.slice(0, 3));
      const names = latest.current
        .filter((product) => named.has(product.id))
        .map((product) => `${product.name}: ${product.stock} in stock`);
      setSpoken(
        ids.length > 3
          ? `${ids.length} products changed, including ${names.join("; ")}`
          : `Changed: ${names.join("; ")}`,
      );
    }, 5000);
    return () => clearInterval(timer);
  }, []);
  return spoken;
}

// Every row is one line high (cells do not wrap), so rows share one height, measured once on the
// first row rather than per row (measuring each new row would force a layout per row per frame).
const ROW_HEIGHT_ESTIMATE_PX = 37;
// Rows rendered beyond each edge of the window: enough that a fast wheel scroll does not show
// blank space before React catches up, cheap because unchanged rows do not re-render.
const OVERSCAN_ROWS = 40;
const FLASH_MS = 1_500;

type CellsProps = { product: ProductDto; change: Change | undefined };

/**
 * One product's row. Its position (aria-rowindex, for the rows not in the DOM) changes whenever
 * a row above it moves, as in a table sorted by last update; the cells re-render only when the
 * product or its change mark does.
 */
const ProductRow = memo(function ProductRow({ index, ...cells }: CellsProps & { index: number }) {
  return (
    <tr aria-rowindex={index + 2} data-testid={`product-row-${cells.product.id}`} data-sku={cells.product.sku}>
      <ProductCells {...cells} />
    </tr>
  );
});

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
      className="px-4 py-2 text-right whitespace-nowrap tabular-nums"
    >
      {children}
    </td>
  );
}

const ProductCells = memo(function ProductCells({ product, change }: CellsProps) {
  const formatCents = useMoney();
  const locale = useLocale();
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
      <td className="hidden truncate px-4 py-2 font-mono text-xs text-slate-500 sm:table-cell dark:text-slate-400">
        {product.sku}
      </td>
      <td className="truncate px-4 py-2" title={product.name}>
        {/* No prefetch: scrolling a large shop would fetch a detail page for every row shown. */}
        <Link href={`/products/${product.id}`} prefetch={false} className="hover:underline">
          {product.name}
        </Link>
      </td>
      <ChangeCell field="price" marked={marked} flash={phase === "flash"}>
        {formatCents(product.priceCents)}
      </ChangeCell>
      <ChangeCell field="stock" marked={marked} flash={phase === "flash"}>
        {product.stock}
      </ChangeCell>
      <td className="px-4 py-2 whitespace-nowrap">
        {marked ? (
          <span className="sr-only">
            {marked.field} went {marked.direction}
          </span>
        ) : null}
        <StockBadge stock={product.stock} threshold={product.lowStockThreshold} />
      </td>
      <td className="px-4 py-2 text-right whitespace-nowrap text-slate-500 dark:text-slate-400">
        <Ago iso={product.updatedAt} locale={locale} />
      </td>
    </>
  );
});

/** Spacer standing in for the rows outside the window. */
function Spacer({ height }: { height: number }) {
  if (height <= 0) return null;
  return (
    <tr aria-hidden="true">
      <td colSpan={COLUMNS.length} style={{ height, padding: 0 }} />
    </tr>
  );
}

export function ProductTable({ initial }: { initial: ProductSnapshot }) {
  const { products, connection, caughtUp, changes, error } = useLiveProducts(initial);
  const { view, set } = useView();
  const formatCents = useMoney();
  const locale = useLocale();
  const spoken = useSpokenChanges(changes, products);
  const [query, setQuery] = useState(view.q);
  const order = useMemo(() => new ProductOrder(locale), [locale]);

  const summary = useMemo(
    () => ({
      low: products.filter((product) => product.stock > 0 && isLow(product)).length,
      out: products.filter((product) => product.stock === 0).length,
      value: products.reduce((sum, product) => sum + product.stock * product.priceCents, 0),
    }),
    [products],
  );

  const shown = useMemo(() => {
    const needle = view.q.trim().toLowerCase();
    return order
      .sort(products, view.sort, view.dir)
      .filter(
        (product) =>
          (view.filter === "all" || (view.filter === "out" ? product.stock === 0 : isLow(product))) &&
          (!needle || product.name.toLowerCase().includes(needle) || product.sku.toLowerCase().includes(needle)),
      );
  }, [products, order, view.q, view.sort, view.dir, view.filter]);

  // Where the rows start on the page; it moves when something above them changes size (the
  // "not live" notice, the summary wrapping on a narrow window), which resizes the body too.
  const body = useRef<HTMLTableSectionElement>(null);
  const [scrollMargin, setScrollMargin] = useState(0);
  const [rowHeight, setRowHeight] = useState(ROW_HEIGHT_ESTIMATE_PX);
  useLayoutEffect(() => {
    const measure = () => {
      setScrollMargin(Math.round((body.current?.getBoundingClientRect().top ?? 0) + window.scrollY));
      const row = body.current?.querySelector("tr[aria-rowindex]");
      if (row) setRowHeight(row.getBoundingClientRect().height);
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(document.body);
    return () => observer.disconnect();
  }, []);
  const virtualizer = useWindowVirtualizer({
    count: shown.length,
    estimateSize: () => rowHeight,
    overscan: OVERSCAN_ROWS,
    scrollMargin,
    // The server renders the top of the table; the browser corrects it once it has measured.
    initialRect: { width: 1280, height: 900 },
    initialOffset: 0,
  });
  useEffect(() => virtualizer.measure(), [virtualizer, rowHeight]);
  const rows = virtualizer.getVirtualItems();
  const above = rows.length ? rows[0].start - scrollMargin : 0;
  const below = rows.length ? virtualizer.getTotalSize() - (rows[rows.length - 1].end - scrollMargin) : 0;

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

      <div className="flex flex-wrap items-end gap-3">
        <div className="grow">
          <label htmlFor="search" className="block text-sm font-medium">
            Search by name or SKU
          </label>
          <input
            id="search"
            type="search"
            value={query}
            onChange={(event) => {
              setQuery(event.target.value);
              set({ q: event.target.value });
            }}
            className="w-full rounded border border-slate-300 px-3 py-2 dark:border-slate-700 dark:bg-slate-950"
          />
        </div>
        <div role="group" aria-label="Filter" className="flex gap-1">
          {FILTERS.map(({ value, label }) => (
            <button
              key={value}
              type="button"
              aria-pressed={view.filter === value}
              onClick={() => set({ filter: value })}
              className="rounded border border-slate-300 px-3 py-2 text-sm aria-pressed:bg-slate-900 aria-pressed:text-white dark:border-slate-700 dark:aria-pressed:bg-slate-100 dark:aria-pressed:text-slate-900"
            >
              {label}
            </button>
          ))}
        </div>
      </div>

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

      <div
        className={`overflow-x-auto rounded-lg border border-slate-200 bg-white transition-opacity dark:border-slate-800 dark:bg-slate-900 ${live ? "" : "opacity-60"}`}
      >
        <table className="w-full table-fixed text-sm" aria-describedby="table-caption" aria-rowcount={shown.length + 1}>
          <caption id="table-caption" className="sr-only">
            {shown.length} of {products.length} products
            {view.sort ? `, sorted by ${view.sort} ${view.dir === "asc" ? "ascending" : "descending"}` : ""}
          </caption>
          <thead className="bg-slate-100 text-left text-xs tracking-wide text-slate-600 uppercase dark:bg-slate-800 dark:text-slate-300">
            <tr aria-rowindex={1}>
              {COLUMNS.map(({ key, label, width, numeric, hidden }) => (
                <th
                  key={label}
                  scope="col"
                  aria-sort={key && view.sort === key ? (view.dir === "asc" ? "ascending" : "descending") : undefined}
                  className={`px-4 py-2 ${width} ${numeric ? "text-right" : ""}`}
                >
                  {hidden ? (
                    <span className="sr-only">{label}</span>
                  ) : key ? (
                    <button
                      type="button"
                      onClick={() => set({ sort: key, dir: view.sort === key && view.dir === "asc" ? "desc" : "asc" })}
                      className="inline-flex items-center gap-1 uppercase hover:underline"
                    >
                      {label}
                      <span aria-hidden>{view.sort === key ? (view.dir === "asc" ? "▲" : "▼") : ""}</span>
                    </button>
                  ) : (
                    label
                  )}
                </th>
              ))}
            </tr>
          </thead>
          <tbody ref={body} className="divide-y divide-slate-100 dark:divide-slate-800">
            <Spacer height={above} />
            {rows.map((row) => {
              const product = shown[row.index];
              return <ProductRow key={product.id} product={product} change={changes[product.id]} index={row.index} />;
            })}
            <Spacer height={below} />
          </tbody>
        </table>
        {shown.length === 0 && (
          <p className="p-4 text-sm text-slate-600 dark:text-slate-300">No product matches this search and filter.</p>
        )}
      </div>
    </section>
  );
}
