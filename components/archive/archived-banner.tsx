"use client";
// Says that a product is archived and since when, on its pages; admins can restore it there.
import { RestoreButton } from "@/components/archive/restore-button";
import { useDateDisplay } from "@/components/money";
import { formatDateTime } from "@/lib/display-format";
import type { ProductDto } from "@/lib/products/dto";

export function ArchivedBanner({ product, canRestore }: { product: ProductDto; canRestore: boolean }) {
  const display = useDateDisplay();
  if (!product.archivedAt) return null;
  return (
    <section
      aria-label="Archived"
      data-testid="archived-banner"
      className="space-y-3 rounded-lg border border-amber-300 bg-amber-50 p-4 dark:border-amber-700 dark:bg-amber-950"
    >
      <p className="font-medium">
        Archived on <time dateTime={product.archivedAt}>{formatDateTime(display, Date.parse(product.archivedAt))}</time>
      </p>
      <p className="text-sm">
        It is not on the dashboard and takes no changes. Its history stays below
        {canRestore ? "; restore it to sell it again." : "."}
      </p>
      {canRestore && <RestoreButton product={product} />}
    </section>
  );
}
