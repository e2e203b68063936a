"use client";
// A product on the dashboard: its live state, a chart of stock and price over time, and the
// audit list (when, what, who, why). Everything follows the live feed.
import Link from "next/link";
import { ArchivedBanner } from "@/components/archive/archived-banner";
import { ConnectionBadge } from "@/components/connection-badge";
import { StatCards } from "@/components/stat-cards";
import { useMoney } from "@/components/money";
import { ProductHistory, useProductHistory } from "@/components/product-history";
import { StockChart } from "@/components/stock-chart";
import { useLiveProduct } from "@/lib/client/use-live-products";
import type { ProductDto } from "@/lib/products/dto";
import type { ProductSnapshot } from "@/lib/products/queries";

export function ProductDetail({
  initial,
  loaded,
  isAdmin,
  canSeeAudit,
}: {
  initial: ProductSnapshot;
  loaded: ProductDto;
  isAdmin: boolean;
  /** Signed in: the history shows who and why, and filters by them. */
  canSeeAudit: boolean;
}) {
  const { product, connection, caughtUp } = useLiveProduct(loaded, initial);
  const history = useProductHistory(product.id, product.version);
  const formatCents = useMoney();
  return (
    <div className="space-y-6">
      <Link href="/" className="text-sm underline">
        ← All products
      </Link>
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-semibold">{product.name}</h1>
        <ConnectionBadge state={connection} caughtUp={caughtUp} />
      </div>
      <ArchivedBanner product={product} canRestore={isAdmin} />
      <StatCards
        idPrefix="detail"
        stats={[
          ["SKU", product.sku],
          ["Price", formatCents(product.priceCents)],
          ["Stock", String(product.stock)],
          ["Low at", String(product.lowStockThreshold)],
        ]}
      />
      <section
        aria-labelledby="chart-heading"
        className="space-y-2 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900"
      >
        <h2 id="chart-heading" className="text-lg font-semibold">
          Stock and price over time
        </h2>
        <StockChart entries={history.entries ?? []} />
      </section>
      <ProductHistory productId={product.id} version={product.version} canSeeAudit={canSeeAudit} />
    </div>
  );
}
