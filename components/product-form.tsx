"use client";
// Create or edit a product. Checked with the same zod rules as the API before sending; the
// API's own field errors land next to the same fields. An edit carries the version it was
// loaded with: if someone changed the product meanwhile the save is refused (409) and the form
// shows their values, to save over them or to take them.
import { useRouter } from "next/navigation";
import { useMemo, useState } from "react";
import { useCurrency, useCurrencySymbol, useMoney } from "@/components/money";
import { fieldErrors } from "@/lib/client/send-json";
import { mayHaveApplied, NO_ANSWER, useRetrySafeSend } from "@/lib/client/retry-safe";
import { BusyButton } from "@/components/busy-button";
import { FormStatus, type Outcome } from "@/components/form-status";
import { buttonClass, cardClass, inputClass } from "@/lib/client/styles";
import { exampleAmount, formatAmount } from "@/lib/money";
import type { ProductDto } from "@/lib/products/dto";
import { productFormSchema, type ProductFormValues } from "@/lib/products/validation";

type Field = { name: keyof ProductFormValues; label: string; hint?: string; numeric?: boolean };

const fields = (currency: string, currencySymbol: string): Field[] => [
  { name: "name", label: "Name" },
  { name: "sku", label: "SKU", hint: "Letters, digits, '.', '_' and '-'" },
  { name: "price", label: `Price (${currencySymbol})`, hint: `e.g. ${exampleAmount(currency)}`, numeric: true },
  { name: "stock", label: "Stock", numeric: true },
  { name: "lowStockThreshold", label: "Low-stock threshold", hint: "Flagged as low at or below this", numeric: true },
];

const toValues = (product: ProductDto, currency: string): ProductFormValues => ({
  name: product.name,
  sku: product.sku,
  price: formatAmount(product.priceCents, currency),
  stock: String(product.stock),
  lowStockThreshold: String(product.lowStockThreshold),
});

const EMPTY: ProductFormValues = { name: "", sku: "", price: "", stock: "0", lowStockThreshold: "5" };

export function ProductForm({ product, live }: { product?: ProductDto; live?: ProductDto }) {
  const router = useRouter();
  const formatCents = useMoney();
  const currency = useCurrency();
  const currencySymbol = useCurrencySymbol();
  const schema = useMemo(() => productFormSchema(currency), [currency]);
  const [values, setValues] = useState<ProductFormValues>(product ? toValues(product, currency) : EMPTY);
  // The product as last loaded or saved: its version goes with the next save.
  const [base, setBase] = useState(product);
  const version = base?.version;
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [status, setStatus] = useState<Outcome>(null);
  const [conflict, setConflict] = useState<ProductDto | null>(null);
  const [pending, setPending] = useState(false);
  const send = useRetrySafeSend();

  async function save(expectedVersion = version) {
    if (pending) return;
    const parsed = schema.safeParse(values);
    if (!parsed.success) {
      setErrors(
        fieldErrors(parsed.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message }))),
      );
      return setStatus({ ok: false, text: "Not saved: check the highlighted fields." });
    }
    setErrors({});
    setPending(true);
    const result = product
      ? await send<ProductDto>("PATCH", `/api/v1/products/${product.id}`, { ...parsed.data, expectedVersion })
      : await send<ProductDto>("POST", "/api/v1/products", parsed.data);
    // A new product's page replaces this form: busy until then, so it cannot be created twice.
    if (result.ok && !product) return router.push(`/admin/products/${result.data.id}?created=1`);
    setPending(false);
    if (result.ok) {
      setConflict(null);
      setValues(toValues(result.data, currency));
      setBase(result.data);
      return setStatus({ ok: true, text: `Saved (version ${result.data.version}).` });
    }
    if (mayHaveApplied(result)) return setStatus({ ok: false, text: NO_ANSWER });
    if (result.code === "VERSION_CONFLICT") {
      setConflict(result.current as ProductDto);
      return setStatus({ ok: false, text: "Not saved: someone else changed this product meanwhile." });
    }
    if (result.code === "SKU_TAKEN") setErrors({ sku: result.message });
    else setErrors(fieldErrors(result.issues, { priceCents: "price" }));
    setStatus({ ok: false, text: `Not saved: ${result.message}` });
  }

  function discardMine() {
    if (!conflict) return;
    setValues(toValues(conflict, currency));
    setBase(conflict);
    setConflict(null);
    setStatus({ ok: true, text: "Your changes were discarded; the form shows the current product." });
  }

  const dirty = base !== undefined && JSON.stringify(values) !== JSON.stringify(toValues(base, currency));
  // A form nobody is typing into follows the live product; one with edits keeps them and says so.
  // (State adjusted while rendering, as React's docs advise for state derived from props.)
  if (live && base && live.version > base.version && !dirty && !conflict) {
    setBase(live);
    setValues(toValues(live, currency));
  }
  const changedElsewhere = live && version !== undefined && live.version > version && dirty && !conflict;

  return (
    <form
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void save();
      }}
      className={`space-y-4 ${cardClass}`}
    >
      <h2 className="text-lg font-semibold">{product ? "Edit product" : "New product"}</h2>
      {changedElsewhere && (
        <p className="rounded bg-amber-50 p-2 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-200">
          Changed elsewhere since you opened it (now version {live.version}). Saving will ask what to keep.
        </p>
      )}
      <div className="grid gap-4 sm:grid-cols-2">
        {fields(currency, currencySymbol).map(({ name, label, hint, numeric }) => (
          <div key={name} className="space-y-1">
            <label htmlFor={name} className="block text-sm font-medium">
              {label}
            </label>
            <input
              id={name}
              name={name}
              value={values[name]}
              inputMode={numeric ? "decimal" : undefined}
              aria-invalid={errors[name] ? true : undefined}
              aria-describedby={`${name}-error`}
              onChange={(event) => setValues({ ...values, [name]: event.target.value })}
              className={`${inputClass} ${errors[name] ? "border-red-600" : ""}`}
            />
            <p id={`${name}-error`} className="text-xs text-red-700 dark:text-red-400">
              {errors[name] ?? <span className="text-slate-500 dark:text-slate-400">{hint}</span>}
            </p>
          </div>
        ))}
      </div>
      {conflict && (
        <div
          role="alert"
          className="space-y-2 rounded border border-amber-400 bg-amber-50 p-3 text-sm dark:bg-amber-950"
        >
          <p className="font-medium">Someone else saved this product (now version {conflict.version}). Their values:</p>
          <dl data-testid="conflict-current" className="grid grid-cols-2 gap-x-4 sm:grid-cols-5">
            <dt className="font-medium">Name</dt>
            <dd>{conflict.name}</dd>
            <dt className="font-medium">SKU</dt>
            <dd>{conflict.sku}</dd>
            <dt className="font-medium">Price</dt>
            <dd>{formatCents(conflict.priceCents)}</dd>
            <dt className="font-medium">Stock</dt>
            <dd>{conflict.stock}</dd>
            <dt className="font-medium">Low at</dt>
            <dd>{conflict.lowStockThreshold}</dd>
          </dl>
          <div className="flex gap-3">
            <BusyButton
              type="button"
              className={buttonClass}
              busy={pending}
              busyText="Saving…"
              onClick={() => void save(conflict.version)}
            >
              Save mine over theirs
            </BusyButton>
            <button type="button" className="rounded border px-4 py-2" onClick={discardMine}>
              Discard mine
            </button>
          </div>
        </div>
      )}
      <FormStatus outcome={status} />
      <BusyButton type="submit" busy={pending} busyText={product ? "Saving…" : "Creating…"} className={buttonClass}>
        {product ? "Save changes" : "Create product"}
      </BusyButton>
    </form>
  );
}
