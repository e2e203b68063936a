"use client";
import type { Filter, TableView } from "@/components/product-table/use-table-view";

// "Needs reorder" is low or out of stock: every product at or below its reorder level.
const FILTERS: Array<{ value: Filter; label: string }> = [
  { value: "all", label: "All" },
  { value: "reorder", label: "Needs reorder" },
  { value: "low", label: "Low stock" },
  { value: "out", label: "Out of stock" },
];

/** The CSV export of this view (GET /api/v1/products.csv takes the dashboard's parameters). */
function exportHref(view: TableView) {
  const query = new URLSearchParams();
  if (view.q.trim()) query.set("q", view.q);
  if (view.filter !== "all") query.set("filter", view.filter);
  if (view.sort !== "name") query.set("sort", view.sort);
  if (view.dir !== "asc") query.set("dir", view.dir);
  const text = query.toString();
  return text ? `/api/v1/products.csv?${text}` : "/api/v1/products.csv";
}

/** Search by name or SKU and the stock filter; both go to the URL (the search through `onQueryChange`). */
export function Toolbar({
  view,
  set,
  query,
  onQueryChange,
}: {
  view: TableView;
  set: (changes: Partial<TableView>) => void;
  query: string;
  onQueryChange: (query: string) => void;
}) {
  return (
    <div className="flex flex-wrap items-end gap-3">
      <div className="grow">
        <label htmlFor="search" className="block text-sm font-medium">
          Search by name or SKU
        </label>
        <input
          id="search"
          type="search"
          value={query}
          onChange={(event) => onQueryChange(event.target.value)}
          className="w-full rounded border border-slate-300 px-3 py-2 dark:border-slate-700 dark:bg-slate-950"
        />
      </div>
      <div role="group" aria-label="Filter" className="flex flex-wrap gap-1">
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
      <a href={exportHref(view)} download className="py-2 text-sm underline">
        Export CSV
      </a>
    </div>
  );
}
