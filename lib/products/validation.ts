// Input schemas for the product API, shared by the route handlers and the admin actions.
import { z } from "zod";
import { queryWholeNumber } from "@/lib/http/query-number";
import { exampleAmount, parseAmount } from "@/lib/money";

export const INT32_MAX = 2_147_483_647;

const count = (field: string) =>
  z
    .int({ error: `${field} must be a whole number` })
    .min(0, `${field} cannot be negative`)
    .max(INT32_MAX, `${field} must be at most ${INT32_MAX}`);

// Decimal digits only: Number() would also take "0x4", "1e1", "+1" or "1.0" for product 4 or 10.
export const productIdSchema = z
  .string({ error: "product id must be a number" })
  .regex(/^[1-9]\d{0,9}$/, "product id must be a positive whole number written in decimal digits")
  .transform(Number)
  .pipe(z.number().max(INT32_MAX, "product id is out of range"));

// The id in a route's path (/api/v1/products/{id}/...): its 400 names `id`, not the body.
const productIdParamSchema = z.object({ id: productIdSchema });
export const parseProductIdParam = (id: string): number => productIdParamSchema.parse({ id }).id;

// Text that PostgreSQL can store (no NUL, no lone surrogate: SQLSTATE 22021) and that shows as
// what it says: bidirectional controls can make "Invoice\u202Etxt.exe" read as "Invoiceexe.txt".
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/;
export const storableText = (field: string, max: number) =>
  z
    .string({ error: `${field} must be a string` })
    .trim()
    .max(max, `${field} must be at most ${max} characters`)
    .refine((text) => !text.includes("\u0000"), `${field} must not contain NUL characters`)
    .refine((text) => text.isWellFormed(), `${field} must be valid Unicode (it contains a lone surrogate)`)
    .refine((text) => !BIDI_CONTROLS.test(text), `${field} must not contain bidirectional control characters`);

// A SKU to find a product by (GET /api/v1/products?sku=, bulk items): matched exactly as stored,
// so no trimming and no character rules (a SKU that cannot exist finds nothing), only the
// column's bounds.
export const skuLookupSchema = z
  .string({ error: "sku must be a string" })
  .min(1, "sku must not be empty")
  .max(64, "sku must be at most 64 characters")
  .refine((sku) => !sku.includes("\u0000"), "sku must not contain NUL characters");

// Which products a list shows: active ones (the default, the dashboard's view), archived ones, or both.
export const ARCHIVED_FILTERS = ["false", "true", "all"] as const;
export const archivedFilterSchema = z.enum(ARCHIVED_FILTERS, {
  error: 'archived must be "false" (active products, the default), "true" (archived only) or "all"',
});
export type ArchivedFilter = z.infer<typeof archivedFilterSchema>;

// Takes every value of the parameter (URLSearchParams.getAll): a repeated one is refused, not guessed.
const once = <Value extends z.ZodType<unknown, string>>(name: string, value: Value) =>
  z
    .array(z.string())
    .max(1, `give ${name} once`)
    .transform((values): string | undefined => values[0])
    .pipe(value.optional());

export const productListQuerySchema = z.object({
  sku: once("sku", skuLookupSchema),
  archived: once("archived", archivedFilterSchema),
});

const skuSchema = z
  .string()
  .trim()
  .min(1, "sku is required")
  .max(64, "sku must be at most 64 characters")
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "sku may contain letters, digits, '.', '_' and '-'");
const nameSchema = storableText("name", 200).refine((name) => name.length > 0, "name is required");

export const reasonSchema = storableText("reason", 200).refine(
  (reason) => reason.length > 0,
  "reason must not be empty",
);

const productFields = z.strictObject({
  sku: skuSchema,
  name: nameSchema,
  priceCents: count("priceCents"),
  stock: count("stock"),
  lowStockThreshold: count("lowStockThreshold"),
});

export const createProductSchema = productFields.extend({ lowStockThreshold: count("lowStockThreshold").default(5) });

export const updateProductSchema = productFields
  .partial()
  .extend({
    expectedVersion: z.int().min(1, "expectedVersion must be positive").max(INT32_MAX).optional(),
    // A count guards itself with the stock it was counted against (guarantee 9): a sale meanwhile
    // refuses it, where a plain `stock` would undo the sale.
    expectedStock: count("expectedStock").optional(),
    reason: reasonSchema.optional(),
  })
  .refine(
    ({ expectedVersion: _v, expectedStock: _s, reason: _r, ...changes }) =>
      Object.values(changes).some((value) => value !== undefined),
    "nothing to change: give at least one of sku, name, priceCents, stock, lowStockThreshold",
  )
  .refine(({ stock, expectedStock }) => expectedStock === undefined || stock !== undefined, {
    path: ["expectedStock"],
    message: "expectedStock guards a stock count: give stock with it",
  })
  .refine(({ stock, reason }) => reason === undefined || stock !== undefined, {
    path: ["reason"],
    message: "reason says why the stock changed: give stock with it",
  });

const deltaSchema = z
  .int({ error: "delta must be a whole number" })
  .min(-INT32_MAX, "delta is out of range")
  .max(INT32_MAX, "delta is out of range")
  .refine((delta) => delta !== 0, "delta must not be zero");

export const stockAdjustmentSchema = z.strictObject({
  delta: deltaSchema,
  reason: reasonSchema.optional(),
});

// POST /api/v1/products/{id}/archive and /restore: the body may be left out.
export const archiveSchema = z.strictObject({ reason: reasonSchema.optional() });

// Bulk adjustments and stocktakes (docs/api.md): up to MAX_BULK_ITEMS items, each naming its
// product by id or by sku (exactly as stored: no trimming, so the lookup's rules apply).
// As many as a CSV import applies in one change (lib/imports/csv.ts), so "select all" in a shop
// of thousands of products is one change too.
export const MAX_BULK_ITEMS = 10_000;
// 10,000 items with the longest sku and reason fit; the single writes keep 16 KiB (lib/errors.ts).
export const MAX_BULK_BODY_BYTES = 4 * 1024 * 1024;

const bulkTarget = {
  productId: z
    .int({ error: "productId must be a whole number" })
    .min(1, "productId must be positive")
    .max(INT32_MAX, "productId is out of range")
    .optional(),
  sku: skuLookupSchema.optional(),
};
const namesOneProduct = (item: { productId?: number; sku?: string }) =>
  (item.productId === undefined) !== (item.sku === undefined);
const ONE_PRODUCT = { message: "give exactly one of productId and sku" };

const bulkItems = <Item extends z.ZodType>(item: Item) =>
  z
    .array(item, { error: "items must be an array" })
    .min(1, "items must not be empty")
    .max(MAX_BULK_ITEMS, `items: at most ${MAX_BULK_ITEMS} items per request`);

export const bulkAdjustmentItemSchema = z
  .strictObject({ ...bulkTarget, delta: deltaSchema, reason: reasonSchema.optional() })
  .refine(namesOneProduct, ONE_PRODUCT);

export const bulkAdjustmentSchema = z.strictObject({
  reason: reasonSchema.optional(),
  items: bulkItems(bulkAdjustmentItemSchema),
});

export const stocktakeItemSchema = z
  .strictObject({
    ...bulkTarget,
    count: count("count"),
    expectedVersion: z.int().min(1, "expectedVersion must be positive").max(INT32_MAX).optional(),
    // The stock the count was made against: a sale since then makes it 409 STOCK_CONFLICT.
    expectedStock: count("expectedStock").optional(),
  })
  .refine(namesOneProduct, ONE_PRODUCT);

export const stocktakeSchema = z.strictObject({
  reason: reasonSchema.optional(),
  items: bulkItems(stocktakeItemSchema),
});

// GET /api/v1/products/{id}/events?limit=
/** The most history entries one request returns (`?limit=`). */
export const MAX_HISTORY_LIMIT = 1000;
export const historyLimitSchema = queryWholeNumber("limit", { min: 1, max: MAX_HISTORY_LIMIT, fallback: 100 });

// The `Idempotency-Key` request header of every POST and PATCH under /api/v1 (docs/api.md).
export const idempotencyKeySchema = z
  .string()
  .regex(/^[\x21-\x7E]{1,255}$/, "Idempotency-Key must be 1-255 visible ASCII characters");

export type CreateProductInput = z.infer<typeof createProductSchema>;
export type UpdateProductInput = z.infer<typeof updateProductSchema>;
export type StockAdjustmentInput = z.infer<typeof stockAdjustmentSchema>;
export type BulkAdjustmentInput = z.infer<typeof bulkAdjustmentSchema>;
export type StocktakeInput = z.infer<typeof stocktakeSchema>;
export type ArchiveInput = z.infer<typeof archiveSchema>;

// The admin form: what people type (strings, a price in the shop's currency) checked with the same rules and
// turned into an API body. Errors are keyed by form field.
const typedCount = (label: string, message = `${label} must be a whole number, 0 or more`) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, message)
    .transform(Number)
    .pipe(z.number().max(INT32_MAX, `${label} must be at most ${INT32_MAX}`));

// The price is typed in the currency's major unit with at most its digits ("12.50" for EUR,
// "1500" for JPY, which has no minor unit) and becomes minor units (lib/money.ts).
export const productFormSchema = (currency: string) =>
  z
    .object({
      sku: skuSchema,
      name: nameSchema,
      price: z
        .string()
        .transform((price, context) => {
          const minorUnits = parseAmount(price, currency);
          if (minorUnits === null) {
            context.addIssue({ code: "custom", message: `price must be an amount like ${exampleAmount(currency)}` });
            return z.NEVER;
          }
          return minorUnits;
        })
        .pipe(z.number().max(INT32_MAX, "price is too large")),
      stock: typedCount("stock"),
      lowStockThreshold: typedCount("low-stock threshold"),
    })
    .transform(({ price, ...fields }) => ({ ...fields, priceCents: price }));

export type ProductFormValues = z.input<ReturnType<typeof productFormSchema>>;

// The stock adjustment form: a signed whole number typed as text ("+12", "-3") and a reason,
// turned into the API's body and held to its rules.
const typedDelta = (label: string) => {
  const hint = `${label}: enter a whole number such as -3 or +12 (not 0).`;
  return z
    .string()
    .trim()
    .regex(/^[+-]?\d+$/, hint)
    .transform((delta) => Number(delta.replace(/^\+/, "")))
    .refine((delta) => delta !== 0, hint)
    .pipe(stockAdjustmentSchema.shape.delta);
};
const formReason = storableText("reason", 200).refine(
  (reason) => reason.length > 0,
  "Say why: pick a reason or type one.",
);

// The reasons the stock forms offer, by the direction of the change: a sale only takes stock
// away, a restock or a return only adds it. The API takes any reason (docs/api.md); the forms
// hold people to these so that "sale" in the history means units left the shop.
export const STOCK_REASONS = ["restock", "return", "correction", "sale", "damage"] as const;
export type StockReason = (typeof STOCK_REASONS)[number];
export type StockDirection = "up" | "down" | "count";
const REASONS_BY_DIRECTION: Record<StockDirection, readonly StockReason[]> = {
  up: ["restock", "return", "correction"],
  down: ["sale", "damage", "correction"],
  // A count may go either way, product by product: not a sale.
  count: ["correction", "restock", "return", "damage"],
};
export const reasonsFor = (direction: StockDirection | null): readonly StockReason[] =>
  direction ? REASONS_BY_DIRECTION[direction] : STOCK_REASONS;

/** The direction of a typed change ("+12", "-3"), or null while it is none yet. */
export function directionOf(typed: string): StockDirection | null {
  const match = /^\s*([+-]?)(\d+)\s*$/.exec(typed);
  if (!match || Number(match[2]) === 0) return null;
  return match[1] === "-" ? "down" : "up";
}

const SALE_ADDS = "A sale takes stock away: for an increase pick restock, return or correction.";
const isSale = (reason: string) => reason.trim().toLowerCase() === "sale";

export const stockAdjustmentFormSchema = z
  .object({ delta: typedDelta("Change by"), reason: formReason })
  .refine(({ delta, reason }) => !(delta > 0 && isSale(reason)), { path: ["reason"], message: SALE_ADDS });

// The edit form's stock field: a count (what is on the shelf now) with why it differs.
export const stockCountReasonSchema = (delta: number) =>
  formReason.refine((reason) => !(delta > 0 && isSale(reason)), SALE_ADDS);

// The admin list's bulk bar: "Adjust by" a signed whole number or "Set to" a count, with a
// reason, for every selected product (POST /api/v1/stock-adjustments or /api/v1/stocktakes).
export const bulkStockFormSchema = z
  .discriminatedUnion("mode", [
    z.object({ mode: z.literal("adjust"), amount: typedDelta("Adjust by"), reason: formReason }),
    z.object({
      mode: z.literal("set"),
      amount: typedCount("Set to", "Set to: enter a whole number, 0 or more"),
      reason: formReason,
    }),
  ])
  .refine(({ mode, amount, reason }) => !((mode === "set" || amount > 0) && isSale(reason)), {
    path: ["reason"],
    message: SALE_ADDS,
  });
export type BulkStockForm = z.infer<typeof bulkStockFormSchema>;
