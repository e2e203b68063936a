"use client";
// One product's admin page: the edit form, stock adjustments, archiving, the chart of stock and
// price over time and the audit trail, all live. An archived product takes no changes: its page shows the banner and its history.
import { ArchiveButton } from "@/components/archive/archive-button";
import { ArchivedBanner } from "@/components/archive/archived-banner";
import { ConnectionBadge } from "@/components/connection-badge";
import { ProductForm } from "@/components/product-form";
import { ProductHistory } from "@/components/product-history";
import { StockAdjustmentForm } from "@/components/stock-adjustment-form";
import { StockChartCard } from "@/components/stock-chart";
import { useLiveProduct } from "@/lib/client/use-live-products";
import type { ProductDto } from "@/lib/products/dto";
import type { ProductSnapshot } from "@/lib/products/queries";

export function ProductAdmin({
  initial,
  loaded,
  created,
}: {
  initial: ProductSnapshot;
  loaded: ProductDto;
  created: boolean;
}) {
  const { product: live, connection } = useLiveProduct(loaded, initial);
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-semibold">{live.name}</h1>
        <ConnectionBadge state={connection} />
      </div>
      {created && (
        <p role="status" className="text-sm text-emerald-700 dark:text-emerald-400">
          Created {loaded.sku}.
        </p>
      )}
      {live.archivedAt ? (
        <ArchivedBanner product={live} canRestore />
      ) : (
        <>
          <ProductForm product={loaded} live={live} />
          <StockAdjustmentForm product={live} />
          <ArchiveButton product={live} />
        </>
      )}
      <StockChartCard productId={loaded.id} version={live.version} />
      <ProductHistory productId={loaded.id} version={live.version} canSeeAudit />
    </div>
  );
}
