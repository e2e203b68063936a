"use client";
// A product on the dashboard: its live state, a chart of stock and price over time, and the
// audit list (when, what, who, why). Everything follows the live feed. Admins get a link to its
// edit page.
import Link from "next/link";
import { ArchivedBanner } from "@/components/archive/archived-banner";
import { ConnectionBadge } from "@/components/connection-badge";
import { StatCards } from "@/components/stat-cards";
import { useMoney } from "@/components/money";
import { ProductHistory } from "@/components/product-history";
import { StockChartCard } from "@/components/stock-chart";
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
  const formatCents = useMoney();
  return (
    <div className="space-y-6">
      <Link href="/" className="text-sm underline">
        ← All products
      </Link>
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-semibold">{product.name}</h1>
        <div className="flex items-center gap-3">
          <ConnectionBadge state={connection} caughtUp={caughtUp} />
          {/* Admins only (decided on the server); an archived product's admin page edits nothing. */}
          {isAdmin && !product.archivedAt && (
            <Link
              href={`/admin/products/${product.id}`}
              aria-label={`Edit ${product.name}`}
              className="rounded bg-slate-900 px-3 py-1.5 text-sm text-white dark:bg-slate-100 dark:text-slate-900"
            >
              Edit
            </Link>
          )}
        </div>
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
      <StockChartCard productId={product.id} version={product.version} />
      <ProductHistory productId={product.id} version={product.version} canSeeAudit={canSeeAudit} />
    </div>
  );
}
