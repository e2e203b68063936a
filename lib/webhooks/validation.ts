// Input schemas of the webhook API (app/api/v1/webhooks).
import { z } from "zod";
import { queryWholeNumber } from "@/lib/http/query-number";
import { INT32_MAX } from "@/lib/products/validation";

export const WEBHOOK_KINDS = ["all", "threshold"] as const;
export type WebhookKinds = (typeof WEBHOOK_KINDS)[number];

const url = z
  .string({ error: "url must be a string" })
  .trim()
  .min(1, "url is required")
  .max(2048, "url must be at most 2048 characters");

const kinds = z.enum(WEBHOOK_KINDS, {
  error: 'kinds must be "all" (every change) or "threshold" (stock level changes: low, out, back in stock)',
});

const productIds = z
  .array(
    z
      .int({ error: "each product id must be a whole number" })
      .min(1, "product ids are positive")
      .max(INT32_MAX, "product id is out of range"),
    { error: "productIds must be a list of product ids, or null for every product" },
  )
  .min(1, "productIds must name at least one product (or be null for every product)")
  .max(1000, "productIds may name at most 1000 products")
  .refine((ids) => new Set(ids).size === ids.length, "productIds must not name a product twice")
  .nullable();

export const createWebhookSchema = z.strictObject({
  url,
  kinds: kinds.default("all"),
  productIds: productIds.default(null),
});

export const updateWebhookSchema = z
  .strictObject({
    url: url.optional(),
    kinds: kinds.optional(),
    productIds: productIds.optional(),
    status: z.enum(["active", "paused"], { error: 'status must be "active" (resume) or "paused"' }).optional(),
  })
  .refine((patch) => Object.values(patch).some((value) => value !== undefined), "Nothing to change");

export const replaySchema = z.strictObject({
  fromEventId: z
    .union([z.string(), z.int()], { error: "fromEventId must be an event id" })
    .transform(String)
    .pipe(z.string().regex(/^[1-9]\d{0,18}$/, "fromEventId must be a positive event id in decimal digits"))
    .transform(BigInt),
});

export const webhookIdSchema = z
  .string()
  .regex(/^[1-9]\d{0,9}$/, "webhook id must be a positive whole number written in decimal digits")
  .transform(Number)
  .pipe(z.number().max(INT32_MAX, "webhook id is out of range"));

export const deliveriesQuerySchema = z.object({
  limit: queryWholeNumber("limit", { min: 1, max: 100, fallback: 20 }),
  before: z
    .string()
    .regex(/^[1-9]\d{0,18}$/, "before must be a delivery id from a previous page's nextBefore")
    .transform(BigInt)
    .optional(),
});

export type CreateWebhookInput = z.infer<typeof createWebhookSchema>;
export type UpdateWebhookInput = z.infer<typeof updateWebhookSchema>;
