"use client";
// Archive a product, after a confirmation that names it (a modal dialog: Escape cancels, focus
// goes back to this button): it leaves the dashboard (live, on every screen) and takes no writes;
// its history stays and it can be restored.
import { useRouter } from "next/navigation";
import { useState } from "react";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { FormStatus, type Outcome } from "@/components/form-status";
import { mayHaveApplied, NO_ANSWER, useRetrySafeSend } from "@/lib/client/retry-safe";
import type { ProductDto } from "@/lib/products/dto";

const secondaryClass = "rounded border border-slate-300 px-4 py-2 disabled:opacity-50 dark:border-slate-700";

export function ArchiveButton({ product }: { product: ProductDto }) {
  const router = useRouter();
  const [confirming, setConfirming] = useState(false);
  const [pending, setPending] = useState(false);
  const send = useRetrySafeSend();
  const [outcome, setOutcome] = useState<Outcome>(null);

  async function archive() {
    setPending(true);
    const result = await send<ProductDto>("POST", `/api/v1/products/${product.id}/archive`, {});
    setPending(false);
    setConfirming(false);
    if (!result.ok && mayHaveApplied(result)) return setOutcome({ ok: false, text: NO_ANSWER });
    if (!result.ok) return setOutcome({ ok: false, text: `Not archived: ${result.message}` });
    setOutcome({ ok: true, text: `Archived ${result.data.name}.` });
    router.refresh();
  }

  return (
    <div className="space-y-1">
      <button
        type="button"
        aria-haspopup="dialog"
        onClick={() => {
          setOutcome(null);
          setConfirming(true);
        }}
        className={secondaryClass}
      >
        Archive
      </button>
      <FormStatus outcome={outcome} />
      <ConfirmDialog
        open={confirming}
        title={`Archive ${product.name}?`}
        confirmText={`Archive ${product.name}`}
        busyText="Archiving…"
        pending={pending}
        onConfirm={archive}
        onClose={() => setConfirming(false)}
      >
        <p>
          <strong>{product.name}</strong> ({product.sku}) leaves the dashboard and takes no changes until restored; its
          history stays, and its SKU stays taken.
        </p>
      </ConfirmDialog>
    </div>
  );
}
