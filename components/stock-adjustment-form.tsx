"use client";
// Add or remove stock with a reason (restock, return, sale, damage, correction, or free text). The server
// applies it atomically, whatever else happened to the product meanwhile, and refuses to go
// below zero.
import { OTHER_REASON, ReasonOptions, reasonFor } from "@/components/reason-options";
import { useState } from "react";
import { mayHaveApplied, NO_ANSWER, useRetrySafeSend } from "@/lib/client/retry-safe";
import { BusyButton } from "@/components/busy-button";
import { FormStatus, type Outcome } from "@/components/form-status";
import { buttonClass, cardClass, inputClass } from "@/lib/client/styles";
import type { ProductDto } from "@/lib/products/dto";
import { directionOf, stockAdjustmentFormSchema } from "@/lib/products/validation";

export function StockAdjustmentForm({ product }: { product: ProductDto }) {
  const [delta, setDelta] = useState("");
  // No reason until one is chosen: a default would put "sale" on every restock left unchanged.
  const [chosenReason, setReason] = useState("");
  const [otherReason, setOtherReason] = useState("");
  const [status, setStatus] = useState<Outcome>(null);
  const [pending, setPending] = useState(false);
  const send = useRetrySafeSend();

  const direction = directionOf(delta);
  const reason = reasonFor(chosenReason, direction);

  async function adjust(event: React.FormEvent) {
    event.preventDefault();
    if (pending) return;
    const parsed = stockAdjustmentFormSchema.safeParse({
      delta,
      reason: reason === OTHER_REASON ? otherReason : reason,
    });
    if (!parsed.success) return setStatus({ ok: false, text: parsed.error.issues[0].message });
    const { delta: amount, reason: why } = parsed.data;
    setPending(true);
    const result = await send<ProductDto>("POST", `/api/v1/products/${product.id}/stock-adjustments`, parsed.data);
    setPending(false);
    // The same adjustment sent again after no answer reuses its key: it applies at most once.
    if (!result.ok && mayHaveApplied(result)) return setStatus({ ok: false, text: NO_ANSWER });
    if (!result.ok) return setStatus({ ok: false, text: `Not applied: ${result.message}` });
    setDelta("");
    setStatus({
      ok: true,
      text: `Applied ${amount > 0 ? "+" : ""}${amount} (${why}): stock is now ${result.data.stock}.`,
    });
  }

  return (
    <form onSubmit={adjust} className={`space-y-4 ${cardClass}`}>
      <h2 className="text-lg font-semibold">Adjust stock</h2>
      <p className="text-sm text-slate-600 dark:text-slate-300">
        In stock now: <span data-testid="adjust-current-stock">{product.stock}</span>
      </p>
      <div className="grid gap-4 sm:grid-cols-3">
        <div className="space-y-1">
          <label htmlFor="delta" className="block text-sm font-medium">
            Change by
          </label>
          <input
            id="delta"
            // Not "numeric": iOS's digits-only keypad has no minus key.
            inputMode="text"
            placeholder="-3 or +12"
            value={delta}
            onChange={(event) => setDelta(event.target.value)}
            className={inputClass}
          />
        </div>
        <div className="space-y-1">
          <label htmlFor="reason" className="block text-sm font-medium">
            Reason
          </label>
          <select id="reason" value={reason} onChange={(event) => setReason(event.target.value)} className={inputClass}>
            <ReasonOptions direction={direction} />
          </select>
        </div>
        {reason === OTHER_REASON && (
          <div className="space-y-1">
            <label htmlFor="other-reason" className="block text-sm font-medium">
              Other reason
            </label>
            <input
              id="other-reason"
              maxLength={200}
              value={otherReason}
              onChange={(event) => setOtherReason(event.target.value)}
              className={inputClass}
            />
          </div>
        )}
      </div>
      <FormStatus outcome={status} />
      <BusyButton type="submit" busy={pending} busyText="Applying…" className={buttonClass}>
        Apply adjustment
      </BusyButton>
    </form>
  );
}
