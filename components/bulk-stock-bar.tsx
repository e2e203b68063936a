"use client";
// The admin list's bar for the selected products: adjust them all by a signed number or set
// them all to a count, with a reason, in one all-or-nothing request (POST
// /api/v1/stock-adjustments or /api/v1/stocktakes). A refusal names the product it is about and
// highlights its row; nothing was changed. A request that got no answer may have been applied:
// applying the same change again sends the same Idempotency-Key, so it applies at most once.
import { OTHER_REASON, ReasonOptions, reasonFor } from "@/components/reason-options";
import { BusyButton } from "@/components/busy-button";
import { useState } from "react";
import type { SelectedProducts } from "@/components/product-table/product-table";
import type { Outcome } from "@/components/form-status";
import { mayHaveApplied, NO_ANSWER, useRetrySafeSend } from "@/lib/client/retry-safe";
import type { ApiFailure } from "@/lib/client/send-json";
import type { ProductDto } from "@/lib/products/dto";
import { MAX_BULK_ITEMS, bulkStockFormSchema, directionOf, type BulkStockForm } from "@/lib/products/validation";

// Narrow fields, so the whole bar fits one line on a laptop (the forms' inputClass is full width).
const fieldClass = "rounded border border-slate-300 px-2 py-1 dark:border-slate-700 dark:bg-slate-950";
const count = (n: number) => `${n.toLocaleString("en")} product${n === 1 ? "" : "s"}`;

/** The request for the form's change to these products. */
function bulkRequest({ mode, amount, reason }: BulkStockForm, products: ProductDto[]) {
  return mode === "adjust"
    ? {
        url: "/api/v1/stock-adjustments",
        body: { reason, items: products.map((product) => ({ productId: product.id, delta: amount })) },
      }
    : {
        url: "/api/v1/stocktakes",
        // Each count is guarded by the stock shown when it was set: a sale since is never undone.
        body: {
          reason,
          items: products.map((product) => ({ productId: product.id, count: amount, expectedStock: product.stock })),
        },
      };
}

/** Why a product refused, in words that need no product id (the message names the product already). */
function whyRefused(failure: ApiFailure): string {
  const current = failure.current as ProductDto | undefined;
  if (failure.code === "INSUFFICIENT_STOCK" && current) return `it has ${current.stock} in stock and cannot go below 0`;
  if (failure.code === "STOCK_CONFLICT" && current)
    return `its stock changed to ${current.stock} meanwhile (a sale or another count); check it and set it again`;
  if (failure.code === "PRODUCT_ARCHIVED") return "it has been archived meanwhile; unselect it, or restore it first";
  return failure.message.replace(/^items\.\d+: /, "");
}

/** A refusal in words: which product, and why. */
function refusal(failure: ApiFailure, product: ProductDto | undefined) {
  if (!product) return `Not applied: ${failure.message}`;
  const why = whyRefused(failure);
  return `Not applied, nothing was changed: ${product.name} (${product.sku}): ${why}.`;
}

export function BulkStockBar({ products, shown, note, clear, flag }: SelectedProducts) {
  const [mode, setMode] = useState<BulkStockForm["mode"]>("adjust");
  const [amount, setAmount] = useState("");
  // No reason until one is chosen: a default would put "sale" on every +/- left unchanged.
  const [chosenReason, setReason] = useState("");
  const [otherReason, setOtherReason] = useState("");
  const [pending, setPending] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const send = useRetrySafeSend();
  const overCap = products.length > MAX_BULK_ITEMS;
  const direction = mode === "set" ? "count" : directionOf(amount);
  const reason = reasonFor(chosenReason, direction);

  async function apply(event: React.FormEvent) {
    event.preventDefault();
    const parsed = bulkStockFormSchema.safeParse({
      mode,
      amount,
      reason: reason === OTHER_REASON ? otherReason : reason,
    });
    if (!parsed.success) return setOutcome({ ok: false, text: parsed.error.issues[0].message });
    const { url, body } = bulkRequest(parsed.data, products);
    flag(null);
    setPending(true);
    setOutcome(null);
    const result = await send<{ products: ProductDto[]; changed?: number }>("POST", url, body);
    setPending(false);
    if (result.ok) {
      const { amount: n, reason: why } = parsed.data;
      const done = result.data.products.length;
      const unchanged = done - (result.data.changed ?? done);
      return setOutcome({
        ok: true,
        text:
          parsed.data.mode === "adjust"
            ? `Adjusted ${count(done)} by ${n > 0 ? "+" : ""}${n} (${why}).`
            : `Set ${count(done)} to ${n} (${why})${unchanged ? `; ${count(unchanged)} already had ${n}` : ""}.`,
      });
    }
    if (mayHaveApplied(result)) return setOutcome({ ok: false, text: NO_ANSWER });
    const product = result.index === undefined ? undefined : products[result.index];
    if (product) flag(product.id);
    setOutcome({ ok: false, text: refusal(result, product) });
  }

  const none = products.length === 0;
  return (
    <form
      onSubmit={apply}
      aria-label="Change the selected products"
      className="sticky top-0 z-10 space-y-2 rounded-lg border border-slate-200 bg-white p-3 shadow-sm dark:border-slate-800 dark:bg-slate-900"
    >
      <div className="flex flex-wrap items-end gap-3">
        <p className="self-center text-sm font-medium" data-testid="selection-count">
          {none
            ? "No products selected: tick rows (shift-click for a range) to change them together."
            : `${products.length.toLocaleString("en")} of ${shown.toLocaleString("en")} shown selected`}
        </p>
        {!none && (
          <>
            <fieldset className="flex gap-3 self-center text-sm">
              <legend className="sr-only">Change</legend>
              <label className="flex items-center gap-1">
                <input type="radio" name="mode" checked={mode === "adjust"} onChange={() => setMode("adjust")} />
                Adjust by
              </label>
              <label className="flex items-center gap-1">
                <input type="radio" name="mode" checked={mode === "set"} onChange={() => setMode("set")} />
                Set to
              </label>
            </fieldset>
            <div>
              <label htmlFor="bulk-amount" className="block text-xs font-medium">
                {mode === "adjust" ? "Amount (+/-)" : "New stock"}
              </label>
              <input
                id="bulk-amount"
                // iOS's digits-only keypad has no minus key: a full keyboard for an adjustment.
                inputMode={mode === "adjust" ? "text" : "numeric"}
                placeholder={mode === "adjust" ? "-3 or +12" : "0 or more"}
                value={amount}
                onChange={(event) => setAmount(event.target.value)}
                className={`${fieldClass} w-24`}
              />
            </div>
            <div>
              <label htmlFor="bulk-reason" className="block text-xs font-medium">
                Reason
              </label>
              <select
                id="bulk-reason"
                value={reason}
                onChange={(event) => setReason(event.target.value)}
                className={`${fieldClass} w-32`}
              >
                <ReasonOptions direction={direction} />
              </select>
            </div>
            {reason === OTHER_REASON && (
              <div>
                <label htmlFor="bulk-other-reason" className="block text-xs font-medium">
                  Other reason
                </label>
                <input
                  id="bulk-other-reason"
                  maxLength={200}
                  value={otherReason}
                  onChange={(event) => setOtherReason(event.target.value)}
                  className={`${fieldClass} w-44`}
                />
              </div>
            )}
            <BusyButton
              type="submit"
              busy={pending}
              busyText="Applying…"
              disabled={overCap}
              className="rounded bg-slate-900 px-3 py-1.5 text-sm text-white disabled:opacity-50 dark:bg-slate-100 dark:text-slate-900"
            >
              Apply
            </BusyButton>
            <button type="button" onClick={clear} className="rounded border px-3 py-1.5 text-sm">
              Clear selection
            </button>
          </>
        )}
      </div>
      {overCap && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">
          {count(products.length)} selected: at most {MAX_BULK_ITEMS.toLocaleString("en")} can be changed at once.
          Narrow the search or filter, or unselect some.
        </p>
      )}
      {note && <p className="text-sm text-amber-800 dark:text-amber-300">{note}</p>}
      <p
        role="status"
        data-testid="bulk-outcome"
        className={`text-sm empty:hidden ${outcome?.ok ? "text-emerald-700 dark:text-emerald-400" : "text-red-700 dark:text-red-400"}`}
      >
        {outcome?.text}
      </p>
    </form>
  );
}
