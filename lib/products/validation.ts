// Input schemas for the product API, shared by the route handlers and the admin actions.
import { z } from "zod";

export const INT32_MAX = 2_147_483_647;

const count = (field: string) =>
  z
    .int({ error: `${field} must be a whole number` })
    .min(0, `${field} cannot be negative`)
    .max(INT32_MAX, `${field} must be at most ${INT32_MAX}`);

export const productIdSchema = z.coerce
  .number({ error: "product id must be a number" })
  .int("product id must be a whole number")
  .min(1, "product id must be positive")
  .max(INT32_MAX, "product id is out of range");

const productFields = z.strictObject({
  sku: z
    .string()
    .trim()
    .min(1, "sku is required")
    .max(64, "sku must be at most 64 characters")
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "sku may contain letters, digits, '.', '_' and '-'"),
  name: z.string().trim().min(1, "name is required").max(200, "name must be at most 200 characters"),
  priceCents: count("priceCents"),
  stock: count("stock"),
  lowStockThreshold: count("lowStockThreshold"),
});

export const createProductSchema = productFields.extend({ lowStockThreshold: count("lowStockThreshold").default(5) });

export const updateProductSchema = productFields
  .omit({ sku: true })
  .partial()
  .extend({ expectedVersion: z.int().min(1, "expectedVersion must be positive").max(INT32_MAX).optional() })
  .refine(
    ({ expectedVersion: _expectedVersion, ...changes }) => Object.values(changes).some((value) => value !== undefined),
    "nothing to change: give at least one of stock, priceCents, name, lowStockThreshold",
  );

export const stockAdjustmentSchema = z.strictObject({
  delta: z
    .int({ error: "delta must be a whole number" })
    .min(-INT32_MAX, "delta is out of range")
    .max(INT32_MAX, "delta is out of range")
    .refine((delta) => delta !== 0, "delta must not be zero"),
  reason: z.string().trim().min(1).max(200, "reason must be at most 200 characters").optional(),
});

export type CreateProductInput = z.infer<typeof createProductSchema>;
export type UpdateProductInput = z.infer<typeof updateProductSchema>;
export type StockAdjustmentInput = z.infer<typeof stockAdjustmentSchema>;
