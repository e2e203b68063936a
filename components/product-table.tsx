"use client";
import { ConnectionBadge } from "@/components/connection-badge";
import { formatCents } from "@/components/money";
import { useLiveProducts, type Change } from "@/components/use-live-products";
import type { ProductSnapshot } from "@/lib/products/queries";

const COLUMNS = [
  { label: "SKU" },
  { label: "Product" },
  { label: "Price", numeric: true },
  { label: "Stock", numeric: true },
  { label: "Status", hidden: true },
];

function flashClass(change: Change | undefined, field: Change["field"]) {
  if (!change || change.field !== field) return "";
  return change.direction === "up" ? "flash-up" : "flash-down";
}

function StockBadge({ stock, threshold }: { stock: number; threshold: number }) {
  if (stock === 0)
    return <span className="rounded bg-red-100 px-2 py-0.5 text-xs font-medium text-red-800">Out of stock</span>;
  if (stock <= threshold)
    return <span className="rounded bg-amber-100 px-2 py-0.5 text-xs font-medium text-amber-800">Low stock</span>;
  return null;
}

export function ProductTable({ initial }: { initial: ProductSnapshot }) {
  const { products, connection, changes, error } = useLiveProducts(initial);
  const low = products.filter((product) => product.stock > 0 && product.stock <= product.lowStockThreshold).length;
  const out = products.filter((product) => product.stock === 0).length;

  return (
    <section aria-labelledby="products-heading" className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 id="products-heading" className="text-2xl font-semibold">
          Products
        </h1>
        <ConnectionBadge state={connection} />
      </div>
      <p className="text-sm text-slate-600 dark:text-slate-400">
        {products.length} products · {low} low on stock · {out} out of stock
      </p>
      {error ? (
        <p role="alert" className="text-sm text-red-700">
          {(error as Error).message}
        </p>
      ) : null}
      <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
        <table className="min-w-full text-sm">
          <thead className="bg-slate-100 text-left text-xs uppercase tracking-wide text-slate-600 dark:bg-slate-800 dark:text-slate-300">
            <tr>
              {COLUMNS.map(({ label, numeric, hidden }) => (
                <th key={label} scope="col" className={`px-4 py-2 ${numeric ? "text-right" : ""}`}>
                  {hidden ? <span className="sr-only">{label}</span> : label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
            {products.map((product) => {
              const change = changes[product.id];
              return (
                <tr key={product.id} data-testid={`product-row-${product.id}`} data-sku={product.sku}>
                  <td className="px-4 py-2 font-mono text-xs text-slate-500">{product.sku}</td>
                  <td className="px-4 py-2">{product.name}</td>
                  <td
                    key={`price-${change?.field === "price" ? change.at : 0}`}
                    data-testid="price"
                    className={`px-4 py-2 text-right tabular-nums ${flashClass(change, "price")}`}
                  >
                    {formatCents(product.priceCents)}
                  </td>
                  <td
                    key={`stock-${change?.field === "stock" ? change.at : 0}`}
                    data-testid="stock"
                    className={`px-4 py-2 text-right tabular-nums ${flashClass(change, "stock")}`}
                  >
                    {product.stock}
                  </td>
                  <td className="px-4 py-2">
                    <StockBadge stock={product.stock} threshold={product.lowStockThreshold} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
