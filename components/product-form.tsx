"use client";
// Create or edit a product. Checked with the same zod rules as the API before sending; the
// API's own field errors land next to the same fields. An edit sends only the fields the person
// changed (guarantee 9): those guarded by the version they were changed at, a stock count by
// the stock it was counted against, with a reason. If someone changed the product meanwhile the
// save is refused (409) and the conflict view shows theirs beside mine, field by field.
import { useRouter } from "next/navigation";
import { useMemo, useRef, useState } from "react";
import { changedFields, patchBody, rebase, type StockResolution } from "@/components/product-edit/changes";
import { ConflictView } from "@/components/product-edit/conflict-view";
import { OTHER_REASON, ReasonOptions, reasonFor } from "@/components/reason-options";
import { useCurrency, useCurrencySymbol } from "@/components/money";
import { fieldErrors } from "@/lib/client/send-json";
import { mayHaveApplied, NO_ANSWER, useRetrySafeSend } from "@/lib/client/retry-safe";
import { BusyButton } from "@/components/busy-button";
import { FormStatus, type Outcome } from "@/components/form-status";
import { buttonClass, cardClass, inputClass } from "@/lib/client/styles";
import { exampleAmount, formatAmount } from "@/lib/money";
import type { ProductDto } from "@/lib/products/dto";
import { productFormSchema, stockCountReasonSchema, type ProductFormValues } from "@/lib/products/validation";

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

// An edit's stock is a count: it is saved only against the stock it was counted from.
const stockHint = (base: ProductDto, live?: ProductDto) =>
  live && live.stock !== base.stock
    ? `You opened it at ${base.stock}; ${live.stock} in stock now`
    : "What you count on the shelf";

const EMPTY: ProductFormValues = { name: "", sku: "", price: "", stock: "0", lowStockThreshold: "5" };

// A save the API refused because the product moved on: the view compares, the person decides.
const CONFLICTS = new Set(["VERSION_CONFLICT", "STOCK_CONFLICT"]);

export function ProductForm({ product, live }: { product?: ProductDto; live?: ProductDto }) {
  const router = useRouter();
  const currency = useCurrency();
  const currencySymbol = useCurrencySymbol();
  const schema = useMemo(() => productFormSchema(currency), [currency]);
  const [values, setValues] = useState<ProductFormValues>(product ? toValues(product, currency) : EMPTY);
  // The product as last loaded or saved: what the person's changes are measured against.
  const [base, setBase] = useState(product);
  const version = base?.version;
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [status, setStatus] = useState<Outcome>(null);
  const [conflict, setConflict] = useState<ProductDto | null>(null);
  const [resolution, setResolution] = useState<StockResolution>(null);
  const [chosenReason, setStockReason] = useState("");
  const [otherReason, setOtherReason] = useState("");
  const [pending, setPending] = useState(false);
  const stockInput = useRef<HTMLInputElement>(null);
  const send = useRetrySafeSend();

  const parsed = schema.safeParse(values);
  const edit = base && parsed.success ? changedFields(parsed.data, base) : {};
  const countDelta = base && edit.stock !== undefined ? edit.stock - base.stock : 0;
  const stockDirection = countDelta > 0 ? "up" : countDelta < 0 ? "down" : null;
  const stockReason = reasonFor(chosenReason, stockDirection);
  // Theirs as it is now: the live product once it has caught up with the refusal (sales go on).
  const theirs = conflict && live && live.version >= conflict.version ? live : conflict;

  function refuse(text: string, fields: Record<string, string> = {}) {
    setErrors(fields);
    setStatus({ ok: false, text });
  }

  async function save() {
    if (pending) return;
    if (!parsed.success) {
      return refuse(
        "Not saved: check the highlighted fields.",
        fieldErrors(parsed.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message }))),
      );
    }
    if (!product || !base) {
      setErrors({});
      setPending(true);
      const result = await send<ProductDto>("POST", "/api/v1/products", parsed.data);
      // A new product's page replaces this form: busy until then, so it cannot be created twice.
      if (result.ok) return router.push(`/admin/products/${result.data.id}?created=1`);
      setPending(false);
      return failed(result);
    }
    if (Object.keys(edit).length === 0) return refuse("Nothing to save: no field was changed.");
    const reason = countReason();
    if (reason === null) return;
    await patch(patchBody(edit, base, reason));
  }

  /** The count's reason, or null (and the field marked) when it has none that fits. */
  function countReason(): string | undefined | null {
    if (edit.stock === undefined) return undefined;
    const typed = stockReason === OTHER_REASON ? otherReason : stockReason;
    const checked = stockCountReasonSchema(countDelta).safeParse(typed);
    if (checked.success) return checked.data;
    refuse("Not saved: say why the stock differs.", { stockReason: checked.error.issues[0].message });
    return null;
  }

  async function patch(body: object) {
    setErrors({});
    setPending(true);
    const result = await send<ProductDto>("PATCH", `/api/v1/products/${product!.id}`, body);
    setPending(false);
    if (!result.ok) return failed(result);
    setConflict(null);
    setResolution(null);
    setStockReason("");
    setValues(toValues(result.data, currency));
    setBase(result.data);
    setStatus({ ok: true, text: `Saved (version ${result.data.version}).` });
  }

  function failed(result: Exclude<Awaited<ReturnType<typeof send>>, { ok: true }>) {
    if (mayHaveApplied(result)) return setStatus({ ok: false, text: NO_ANSWER });
    if (CONFLICTS.has(result.code)) {
      setConflict(result.current as ProductDto);
      return setStatus({ ok: false, text: "Not saved: someone else changed this product meanwhile." });
    }
    if (result.code === "SKU_TAKEN") setErrors({ sku: result.message });
    else setErrors(fieldErrors(result.issues, { priceCents: "price", reason: "stockReason" }));
    setStatus({ ok: false, text: `Not saved: ${result.message}` });
  }

  /** Mine re-applied on top of theirs: only my changed fields, my count only as its difference. */
  async function saveOverTheirs() {
    if (!theirs || !base || pending) return;
    const plan = rebase(edit, base, theirs, resolution);
    if (plan.needsStockChoice) {
      return refuse(
        plan.stockInvalid
          ? "Not saved: your count's difference would now take stock below 0; count again."
          : "Not saved: choose how to save your count, or count again.",
      );
    }
    if (Object.keys(plan.mine).length === 0) return discardMine();
    const reason = plan.mine.stock === undefined ? undefined : countReason();
    if (reason === null) return;
    await patch(patchBody(plan.mine, theirs, reason));
  }

  /** Theirs becomes what my other changes are measured against; the stock field waits for a new count. */
  function countAgain() {
    if (!theirs) return;
    const { stock: _stock, ...others } = edit;
    const mine = Object.fromEntries(
      Object.keys(others).map((field) =>
        field === "priceCents" ? ["price", values.price] : [field, values[field as keyof ProductFormValues]],
      ),
    );
    setValues({ ...toValues(theirs, currency), ...mine });
    setBase(theirs);
    setConflict(null);
    setResolution(null);
    setStatus({ ok: false, text: `Count again: the stock is ${theirs.stock} now. Type what you count, then save.` });
    stockInput.current?.focus();
  }

  function discardMine() {
    if (!theirs) return;
    setValues(toValues(theirs, currency));
    setBase(theirs);
    setConflict(null);
    setResolution(null);
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
              ref={name === "stock" ? stockInput : undefined}
              value={values[name]}
              inputMode={numeric ? "decimal" : undefined}
              aria-invalid={errors[name] ? true : undefined}
              aria-describedby={`${name}-error`}
              onChange={(event) => setValues({ ...values, [name]: event.target.value })}
              className={`${inputClass} ${errors[name] ? "border-red-600" : ""}`}
            />
            <p id={`${name}-error`} className="text-xs text-red-700 dark:text-red-400">
              {errors[name] ?? (
                <span className="text-slate-500 dark:text-slate-400">
                  {name === "stock" && base ? stockHint(base, live) : hint}
                </span>
              )}
            </p>
          </div>
        ))}
        {stockDirection && (
          <div className="space-y-1">
            <label htmlFor="stockReason" className="block text-sm font-medium">
              Why the count differs
            </label>
            <select
              id="stockReason"
              value={stockReason}
              aria-invalid={errors.stockReason ? true : undefined}
              aria-describedby="stockReason-error"
              onChange={(event) => setStockReason(event.target.value)}
              className={`${inputClass} ${errors.stockReason ? "border-red-600" : ""}`}
            >
              <ReasonOptions direction={stockDirection} />
            </select>
            {stockReason === OTHER_REASON && (
              <>
                <label htmlFor="stockOtherReason" className="block text-sm font-medium">
                  Other reason
                </label>
                <input
                  id="stockOtherReason"
                  maxLength={200}
                  value={otherReason}
                  onChange={(event) => setOtherReason(event.target.value)}
                  className={inputClass}
                />
              </>
            )}
            <p id="stockReason-error" className="text-xs text-red-700 dark:text-red-400">
              {errors.stockReason ?? (
                <span className="text-slate-500 dark:text-slate-400">
                  A change of {countDelta > 0 ? "+" : ""}
                  {countDelta}, saved only while the stock is still {base?.stock}
                </span>
              )}
            </p>
          </div>
        )}
      </div>
      {theirs && base && (
        <ConflictView
          base={base}
          edit={edit}
          theirs={theirs}
          resolution={resolution}
          onResolve={setResolution}
          onSave={() => void saveOverTheirs()}
          onRecount={countAgain}
          onDiscard={discardMine}
          pending={pending}
        />
      )}
      <FormStatus outcome={status} />
      <BusyButton type="submit" busy={pending} busyText={product ? "Saving…" : "Creating…"} className={buttonClass}>
        {product ? "Save changes" : "Create product"}
      </BusyButton>
    </form>
  );
}
