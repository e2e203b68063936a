"use client";
// Archive a product, after a confirmation that names it: it leaves the dashboard (live, on every
// screen) and takes no writes; its history stays and it can be restored.
import { useRouter } from "next/navigation";
import { useState } from "react";
import { FormStatus, type Outcome } from "@/components/form-status";
import { mayHaveApplied, NO_ANSWER, useRetrySafeSend } from "@/lib/client/retry-safe";
import { buttonClass } from "@/lib/client/styles";
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

  if (!confirming) {
    return (
      <div className="space-y-1">
        <button type="button" onClick={() => setConfirming(true)} className={secondaryClass}>
          Archive
        </button>
        <FormStatus outcome={outcome} />
      </div>
    );
  }
  return (
    <div
      role="group"
      aria-labelledby="archive-confirm"
      className="space-y-3 rounded-lg border border-amber-300 bg-amber-50 p-4 dark:border-amber-700 dark:bg-amber-950"
    >
      <p id="archive-confirm" className="text-sm">
        Archive <strong>{product.name}</strong> ({product.sku})? It leaves the dashboard and takes no changes until
        restored; its history stays, and its SKU stays taken.
      </p>
      <div className="flex gap-3">
        <button type="button" onClick={archive} disabled={pending} aria-busy={pending} className={buttonClass}>
          {pending ? "Archiving…" : `Archive ${product.name}`}
        </button>
        <button type="button" onClick={() => setConfirming(false)} disabled={pending} className={secondaryClass}>
          Cancel
        </button>
      </div>
    </div>
  );
}
