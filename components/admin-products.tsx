"use client";
// Admin product list: live like the dashboard, with a quick stock edit per row. A quick edit
// carries the version the row showed when typing started, so it never overwrites a change the
// user has not seen.
import Link from "next/link";
import { useState } from "react";
import { BusyButton } from "@/components/busy-button";
import { ConnectionBadge } from "@/components/connection-badge";
import { useMoney } from "@/components/money";
import { sendJson } from "@/lib/client/send-json";
import type { Outcome } from "@/components/form-status";
import { inputClass } from "@/lib/client/styles";
import { useLiveProducts } from "@/lib/client/use-live-products";
import { TableFrame } from "@/components/table-frame";
import type { ProductDto } from "@/lib/products/dto";
import type { ProductSnapshot } from "@/lib/products/queries";
import { quickStockFormSchema } from "@/lib/products/validation";

function QuickStock({ product }: { product: ProductDto }) {
  const [value, setValue] = useState("");
  const [version, setVersion] = useState<number | null>(null);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [pending, setPending] = useState(false);

  async function save(event: React.FormEvent) {
    event.preventDefault();
    if (pending) return;
    const parsed = quickStockFormSchema.safeParse(value);
    if (!parsed.success) return setOutcome({ ok: false, text: parsed.error.issues[0].message });
    setPending(true);
    const result = await sendJson<ProductDto>("PATCH", `/api/v1/products/${product.id}`, {
      stock: parsed.data,
      expectedVersion: version ?? product.version,
    });
    setPending(false);
    if (result.ok) {
      setValue("");
      setVersion(null);
      return setOutcome({ ok: true, text: `Saved: ${result.data.stock}` });
    }
    if (result.code === "VERSION_CONFLICT") {
      setVersion(null);
      return setOutcome({ ok: false, text: "Changed meanwhile: check the new stock, then save again" });
    }
    setOutcome({ ok: false, text: result.message });
  }

  return (
    <form onSubmit={save} className="flex items-center justify-end gap-2">
      <label className="sr-only" htmlFor={`quick-stock-${product.id}`}>
        New stock for {product.name}
      </label>
      <input
        id={`quick-stock-${product.id}`}
        inputMode="numeric"
        value={value}
        placeholder={String(product.stock)}
        onChange={(event) => {
          if (version === null) setVersion(product.version);
          setValue(event.target.value);
          setOutcome(null);
        }}
        className={`${inputClass} w-24 py-1 text-right`}
      />
      <BusyButton
        type="submit"
        busy={pending}
        busyText="Saving…"
        disabled={value === ""}
        className="rounded border px-2 py-1 text-sm disabled:opacity-40"
      >
        Set
      </BusyButton>
      <span
        role="status"
        className={`w-56 text-left text-xs ${outcome?.ok ? "text-emerald-700 dark:text-emerald-400" : "text-red-700 dark:text-red-400"}`}
      >
        {outcome?.text}
      </span>
    </form>
  );
}

export function AdminProducts({ initial }: { initial: ProductSnapshot }) {
  const { products, connection } = useLiveProducts(initial);
  const formatCents = useMoney();
  return (
    <section aria-labelledby="admin-heading" className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 id="admin-heading" className="text-2xl font-semibold">
          Manage products
        </h1>
        <div className="flex items-center gap-3">
          <ConnectionBadge state={connection} />
          <Link
            href="/admin/products/new"
            className="rounded bg-slate-900 px-3 py-1.5 text-sm text-white dark:bg-slate-100 dark:text-slate-900"
          >
            New product
          </Link>
        </div>
      </div>
      <TableFrame>
        <table className="w-full text-sm">
          <thead className="bg-slate-100 text-left dark:bg-slate-800">
            <tr>
              <th scope="col" className="px-3 py-2">
                SKU
              </th>
              <th scope="col" className="px-3 py-2">
                Product
              </th>
              <th scope="col" className="px-3 py-2 text-right">
                Price
              </th>
              <th scope="col" className="px-3 py-2 text-right">
                Stock
              </th>
              <th scope="col" className="px-3 py-2 text-right">
                Quick stock edit
              </th>
            </tr>
          </thead>
          <tbody>
            {products.map((product) => (
              <tr
                key={product.id}
                data-testid={`admin-row-${product.id}`}
                className="border-t border-slate-100 dark:border-slate-800"
              >
                <td className="px-3 py-2 font-mono text-xs">{product.sku}</td>
                <td className="px-3 py-2">
                  <Link href={`/admin/products/${product.id}`} className="underline">
                    {product.name}
                  </Link>
                </td>
                <td className="px-3 py-2 text-right tabular-nums">{formatCents(product.priceCents)}</td>
                <td className="px-3 py-2 text-right tabular-nums" data-testid="stock">
                  {product.stock}
                </td>
                <td className="px-3 py-2">
                  <QuickStock product={product} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {products.length === 0 && (
          <p className="p-6 text-center text-sm" data-testid="empty-state">
            No products yet.{" "}
            <Link href="/admin/products/new" className="underline">
              Add the first product
            </Link>
          </p>
        )}
      </TableFrame>
    </section>
  );
}
