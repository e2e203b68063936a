"use client";
// The live dashboard table: search, sort and filters kept in the URL (a view can be shared and
// survives reload), a summary strip, badges, ticking "updated" times, a highlight on each cell
// that changed and a polite, throttled spoken summary of changes.
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useEffect, useMemo, useRef, useState } from "react";
import { ConnectionBadge } from "@/components/connection-badge";
import { StatCards } from "@/components/stat-cards";
import { useLocale, useMoney } from "@/components/money";
import { useLiveProducts, type Change } from "@/components/use-live-products";
import type { ProductDto } from "@/lib/products/dto";
import type { ProductSnapshot } from "@/lib/products/queries";

type SortKey = "name" | "sku" | "price" | "stock" | "updated";
type Filter = "all" | "low" | "out";

const COLUMNS: Array<{ key: SortKey | null; label: string; numeric?: boolean; hidden?: boolean }> = [
  { key: "sku", label: "SKU" },
  { key: "name", label: "Product" },
  { key: "price", label: "Price", numeric: true },
  { key: "stock", label: "Stock", numeric: true },
  { key: null, label: "Status", hidden: true },
  { key: "updated", label: "Updated", numeric: true },
];

const COMPARE: Record<SortKey, (a: ProductDto, b: ProductDto) => number> = {
  name: (a, b) => a.name.localeCompare(b.name),
  sku: (a, b) => a.sku.localeCompare(b.sku),
  price: (a, b) => a.priceCents - b.priceCents,
  stock: (a, b) => a.stock - b.stock,
  updated: (a, b) => a.updatedAt.localeCompare(b.updatedAt),
};

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
  const sort = (params.get("sort") as SortKey) in COMPARE ? (params.get("sort") as SortKey) : "name";
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

/** A clock for relative times: one timer for the whole table. */
function useNow(intervalMs: number) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

function Ago({ iso, now, locale }: { iso: string; now: number; locale: string }) {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  const format = new Intl.RelativeTimeFormat(locale, { numeric: "auto", style: "short" });
  const text =
    seconds < 60
      ? format.format(-seconds, "second")
      : seconds < 3600
        ? format.format(-Math.floor(seconds / 60), "minute")
        : seconds < 86400
          ? format.format(-Math.floor(seconds / 3600), "hour")
          : format.format(-Math.floor(seconds / 86400), "day");
  return (
    <time dateTime={iso} title={new Date(iso).toLocaleString(locale)}>
      {text}
    </time>
  );
}

function flashClass(change: Change | undefined, field: Change["field"]) {
  if (!change || change.field !== field) return "";
  return change.direction === "up" ? "flash-up" : "flash-down";
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
      const names = [...pending.current]
        .map((id) => latest.current.find((product) => product.id === id))
        .filter((product): product is ProductDto => Boolean(product))
        .map((product) => `${product.name}: ${product.stock} in stock`);
      pending.current.clear();
      setSpoken(
        names.length > 3
          ? `${names.length} products changed, including ${names.slice(0, 3).join("; ")}`
          : `Changed: ${names.join("; ")}`,
      );
    }, 5000);
    return () => clearInterval(timer);
  }, []);
  return spoken;
}

export function ProductTable({ initial }: { initial: ProductSnapshot }) {
  const { products, connection, caughtUp, changes, error } = useLiveProducts(initial);
  const { view, set } = useView();
  const formatCents = useMoney();
  const locale = useLocale();
  const now = useNow(1000);
  const spoken = useSpokenChanges(changes, products);
  const [query, setQuery] = useState(view.q);

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
    const compare = COMPARE[view.sort];
    return products
      .filter((product) => view.filter === "all" || (view.filter === "out" ? product.stock === 0 : isLow(product)))
      .filter((product) => !needle || `${product.name} ${product.sku}`.toLowerCase().includes(needle))
      .sort((a, b) => (view.dir === "asc" ? 1 : -1) * (compare(a, b) || a.id - b.id));
  }, [products, view.q, view.sort, view.dir, view.filter]);

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
        <table className="min-w-full text-sm" aria-describedby="table-caption">
          <caption id="table-caption" className="sr-only">
            {shown.length} of {products.length} products
            {view.sort ? `, sorted by ${view.sort} ${view.dir === "asc" ? "ascending" : "descending"}` : ""}
          </caption>
          <thead className="bg-slate-100 text-left text-xs tracking-wide text-slate-600 uppercase dark:bg-slate-800 dark:text-slate-300">
            <tr>
              {COLUMNS.map(({ key, label, numeric, hidden }) => (
                <th
                  key={label}
                  scope="col"
                  aria-sort={key && view.sort === key ? (view.dir === "asc" ? "ascending" : "descending") : undefined}
                  className={`px-4 py-2 ${numeric ? "text-right" : ""}`}
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
          <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
            {shown.map((product) => {
              const change = changes[product.id];
              return (
                <tr key={product.id} data-testid={`product-row-${product.id}`} data-sku={product.sku}>
                  <td className="px-4 py-2 font-mono text-xs text-slate-500 dark:text-slate-400">{product.sku}</td>
                  <td className="px-4 py-2">
                    <Link href={`/products/${product.id}`} className="hover:underline">
                      {product.name}
                    </Link>
                  </td>
                  <td
                    key={`price-${change?.field === "price" ? change.at : 0}`}
                    data-testid="price"
                    data-change={change?.field === "price" ? change.direction : undefined}
                    className={`px-4 py-2 text-right tabular-nums ${flashClass(change, "price")}`}
                  >
                    {formatCents(product.priceCents)}
                  </td>
                  <td
                    key={`stock-${change?.field === "stock" ? change.at : 0}`}
                    data-testid="stock"
                    data-change={change?.field === "stock" ? change.direction : undefined}
                    className={`px-4 py-2 text-right tabular-nums ${flashClass(change, "stock")}`}
                  >
                    {product.stock}
                  </td>
                  <td className="px-4 py-2">
                    {change && now - change.at < 5000 ? (
                      <span className="sr-only">
                        {change.field} went {change.direction}
                      </span>
                    ) : null}
                    <StockBadge stock={product.stock} threshold={product.lowStockThreshold} />
                  </td>
                  <td className="px-4 py-2 text-right whitespace-nowrap text-slate-500 dark:text-slate-400">
                    <Ago iso={product.updatedAt} now={now} locale={locale} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {shown.length === 0 && (
          <p className="p-4 text-sm text-slate-600 dark:text-slate-300">No product matches this search and filter.</p>
        )}
      </div>
    </section>
  );
}
