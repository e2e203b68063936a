"use client";
// Restore an archived product: it is back on every dashboard (live) and takes changes again.
import { useRouter } from "next/navigation";
import { useState } from "react";
import { FormStatus, type Outcome } from "@/components/form-status";
import { mayHaveApplied, NO_ANSWER, useRetrySafeSend } from "@/lib/client/retry-safe";
import { buttonClass } from "@/lib/client/styles";
import type { ProductDto } from "@/lib/products/dto";

export function RestoreButton({ product }: { product: Pick<ProductDto, "id" | "name"> }) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const send = useRetrySafeSend();
  const [outcome, setOutcome] = useState<Outcome>(null);

  async function restore() {
    setPending(true);
    const result = await send<ProductDto>("POST", `/api/v1/products/${product.id}/restore`, {});
    setPending(false);
    if (!result.ok && mayHaveApplied(result)) return setOutcome({ ok: false, text: NO_ANSWER });
    if (!result.ok) return setOutcome({ ok: false, text: `Not restored: ${result.message}` });
    setOutcome({ ok: true, text: `Restored ${result.data.name}.` });
    router.refresh();
  }

  return (
    <div className="flex flex-wrap items-center gap-3">
      <button
        type="button"
        onClick={restore}
        disabled={pending}
        aria-busy={pending}
        aria-label={`Restore ${product.name}`}
        className={buttonClass}
      >
        {pending ? "Restoring…" : "Restore"}
      </button>
      <FormStatus outcome={outcome} />
    </div>
  );
}
