"use client";
import { buttonClass, cardClass, inputClass } from "@/components/styles";
import { useActionState, useState } from "react";
import { setStockAction, type FormState } from "@/app/admin/actions";
import { ConnectionBadge } from "@/components/connection-badge";
import { useLiveProducts } from "@/components/use-live-products";
import type { ProductSnapshot } from "@/lib/products/queries";

// Sets one product's stock. The form is live: it always carries the version it shows, so a
// change made elsewhere meanwhile is refused (409) instead of silently overwritten.
export function StockForm({ initial }: { initial: ProductSnapshot }) {
  const { products, connection } = useLiveProducts(initial);
  const [productId, setProductId] = useState(products[0]?.id ?? 0);
  const [state, formAction, pending] = useActionState<FormState, FormData>(setStockAction, {});
  const product = products.find((candidate) => candidate.id === productId);

  return (
    <form action={formAction} className={`max-w-lg space-y-4 ${cardClass}`}>
      <div className="flex items-center justify-between">
        <h2 className="text-lg font-semibold">Set stock</h2>
        <ConnectionBadge state={connection} />
      </div>
      <div className="space-y-1">
        <label htmlFor="productId" className="block text-sm font-medium">
          Product
        </label>
        <select
          id="productId"
          name="productId"
          value={productId}
          onChange={(event) => setProductId(Number(event.target.value))}
          className={inputClass}
        >
          {products.map((candidate) => (
            <option key={candidate.id} value={candidate.id}>
              {candidate.sku} · {candidate.name}
            </option>
          ))}
        </select>
        <p className="text-sm text-slate-600 dark:text-slate-400" data-testid="current-stock">
          In stock now: {product?.stock ?? "–"}
        </p>
      </div>
      <input type="hidden" name="expectedVersion" value={product?.version ?? 0} />
      <div className="space-y-1">
        <label htmlFor="stock" className="block text-sm font-medium">
          New stock
        </label>
        <input
          id="stock"
          name="stock"
          type="number"
          min={0}
          step={1}
          required
          aria-describedby="stock-error"
          className={inputClass}
        />
        <p id="stock-error" className="text-sm text-red-700">
          {state.errors?.stock?.join(" ")}
        </p>
      </div>
      <p role="status" aria-live="polite" className={`text-sm ${state.ok ? "text-emerald-700" : "text-red-700"}`}>
        {state.message}
      </p>
      <button type="submit" disabled={pending} className={buttonClass}>
        Save stock
      </button>
    </form>
  );
}
