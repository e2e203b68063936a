"use client";
import { COLUMNS } from "@/components/product-table/columns";
import type { TableView } from "@/components/product-table/use-table-view";

/**
 * The header row: each sortable column is a button that sorts by it, then reverses. A selectable
 * table adds a `leading` header cell (select all) and a `trailing` column of row actions.
 */
export function ColumnHeaders({
  view,
  set,
  leading,
  trailing,
}: {
  view: TableView;
  set: (changes: Partial<TableView>) => void;
  leading?: React.ReactNode;
  trailing?: string;
}) {
  return (
    <thead className="bg-slate-100 text-left text-xs tracking-wide text-slate-600 uppercase dark:bg-slate-800 dark:text-slate-300">
      <tr aria-rowindex={1}>
        {leading}
        {COLUMNS.map(({ key, label, width, numeric, hidden }) => (
          <th
            key={label}
            scope="col"
            aria-sort={key && view.sort === key ? (view.dir === "asc" ? "ascending" : "descending") : undefined}
            className={`px-2 py-2 sm:px-4 ${width} ${numeric ? "text-right" : ""}`}
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
        {trailing && (
          <th scope="col" className="w-20 px-4 py-2 text-right">
            <span className="sr-only">{trailing}</span>
          </th>
        )}
      </tr>
    </thead>
  );
}
