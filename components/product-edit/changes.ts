// What an edit of a product sends (guarantee 9: only what the person changed, each guarded) and
// how "save mine over theirs" re-applies it to the product as someone else left it.
import type { ProductDto } from "@/lib/products/dto";
import { INT32_MAX } from "@/lib/products/validation";

export const EDITABLE = ["name", "sku", "priceCents", "stock", "lowStockThreshold"] as const;
export type EditableField = (typeof EDITABLE)[number];
export type ProductValues = Pick<ProductDto, EditableField>;
/** The fields a person changed, with the values they typed. */
export type Edit = Partial<ProductValues>;

export function changedFields(typed: ProductValues, base: ProductDto): Edit {
  return Object.fromEntries(EDITABLE.filter((field) => typed[field] !== base[field]).map((f) => [f, typed[f]])) as Edit;
}

/**
 * The PATCH body: the changed fields other than stock guarded by the version they were changed
 * at, a stock count by the stock it was counted against (so a sale meanwhile refuses it).
 */
export function patchBody(edit: Edit, guard: { version: number; stock: number }, reason?: string) {
  const { stock, ...fields } = edit;
  return {
    ...fields,
    ...(Object.keys(fields).length > 0 ? { expectedVersion: guard.version } : {}),
    ...(stock !== undefined ? { stock, expectedStock: guard.stock, reason } : {}),
  };
}

/** How a count made against a stock that has moved since is saved: never over the sale. */
export type StockResolution = "difference" | null;

/**
 * My edit (against `base`) on top of `theirs`: my changed fields, and my count as the difference
 * I counted (when `resolution` says so) applied to their stock. `stockConflict` when my count was
 * made against a stock that is no longer there; `stockInvalid` when the difference would take
 * their stock below 0 (or past 32 bits).
 */
export function rebase(edit: Edit, base: ProductDto, theirs: ProductDto, resolution: StockResolution) {
  const { stock, ...fields } = edit;
  const stockConflict = stock !== undefined && theirs.stock !== base.stock;
  const difference = stock === undefined ? 0 : stock - base.stock;
  const asDifference = theirs.stock + difference;
  const stockInvalid = stockConflict && (asDifference < 0 || asDifference > INT32_MAX);
  let mine: Edit = fields;
  if (stock !== undefined && !stockConflict) mine = { ...fields, stock };
  if (stockConflict && resolution === "difference" && !stockInvalid) mine = { ...fields, stock: asDifference };
  const result: ProductValues = { ...pick(theirs), ...mine };
  // A difference that a later sale made impossible needs a new choice: never drop the count silently.
  const needsStockChoice = stockConflict && (!resolution || stockInvalid);
  return { mine, result, stockConflict, stockInvalid, difference, needsStockChoice };
}

export const pick = (product: ProductDto): ProductValues =>
  Object.fromEntries(EDITABLE.map((field) => [field, product[field]])) as ProductValues;
