// What the table says when it shows no row, and what to do about it: an empty shop (admins get
// a link to add the first product, everyone else is told who can), a search with no match (clear
// it), a stock filter with no match (show all).
import Link from "next/link";
import type { Filter, TableView } from "@/components/product-table/use-table-view";

const FILTER_WORDS = {
  reorder: "at or below their reorder level",
  low: "low on stock",
  out: "out of stock",
} as const;

export function EmptyState({
  shopIsEmpty,
  canAddProducts,
  view,
  clearSearch,
  showAll,
}: {
  shopIsEmpty: boolean;
  canAddProducts: boolean;
  view: TableView;
  clearSearch: () => void;
  showAll: () => void;
}) {
  const button = "rounded border border-slate-300 px-3 py-1.5 text-sm dark:border-slate-700";
  if (shopIsEmpty) {
    return (
      <div className="space-y-2 p-6 text-center" data-testid="empty-state">
        <p className="font-medium">No products yet</p>
        {canAddProducts ? (
          <Link href="/admin/products/new" className="underline">
            Add the first product
          </Link>
        ) : (
          <p className="text-sm text-slate-600 dark:text-slate-300">
            Ask an admin of your shop to add products: they appear here as soon as they are saved.
          </p>
        )}
      </div>
    );
  }
  const filtered = view.filter !== "all";
  return (
    <div className="space-y-3 p-6 text-center" data-testid="empty-state">
      <p className="font-medium">
        {view.q.trim()
          ? `No products match “${view.q.trim()}”${filtered ? ` among those ${FILTER_WORDS[view.filter as Exclude<Filter, "all">]}` : ""}`
          : `No products are ${FILTER_WORDS[view.filter as Exclude<Filter, "all">]}`}
      </p>
      <div className="flex flex-wrap justify-center gap-3">
        {view.q.trim() && (
          <button type="button" onClick={clearSearch} className={button}>
            Clear the search
          </button>
        )}
        {filtered && (
          <button type="button" onClick={showAll} className={button}>
            Show all stock levels
          </button>
        )}
      </div>
    </div>
  );
}
