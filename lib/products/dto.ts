// What the API returns for products and their history (docs/api.md). The zod schemas are the
// contract: the handlers' types come from them and lib/api/openapi.ts publishes them.
import { z } from "zod";
import { changesOf, changesSchema } from "@/lib/products/changes";
import type { StockLevel } from "@/lib/products/stock-level";
import type { Product, ProductEvent } from "@/lib/generated/prisma/client";

const timestamp = z.iso.datetime().meta({ description: "ISO 8601 time in UTC, millisecond precision" });
const eventId = z
  .string()
  .regex(/^\d+$/)
  .meta({ description: "a ProductEvent id (a 64-bit integer, as a string); ids increase in commit order" });

export const productDtoSchema = z
  .strictObject({
    id: z.int().min(1),
    sku: z.string().meta({ description: "unique; matched exactly as stored (case and whitespace count)" }),
    name: z.string(),
    priceCents: z.int().min(0).meta({
      description: "price in minor units of DISPLAY_CURRENCY (cents for EUR, whole yen for JPY: 1500 is ¥1,500)",
    }),
    stock: z.int().min(0),
    lowStockThreshold: z.int().min(0).meta({ description: "stock at or below this (and above 0) is low" }),
    version: z.int().min(1).meta({ description: "goes up by one with every change; send it as expectedVersion" }),
    updatedAt: timestamp,
    archivedAt: timestamp.nullable().meta({
      description: "when the product was archived (it takes no writes and leaves the default list); null: active",
    }),
  })
  .meta({ description: "A product as it is now" });

export const productSnapshotSchema = z
  .strictObject({
    products: z.array(productDtoSchema),
    lastEventId: eventId.meta({ description: "the last event this list reflects: subscribe to the feed from it" }),
  })
  .meta({ description: "Products and the id of the last event they reflect (one consistent snapshot)" });

export const stockLevelSchema = z
  .enum(["ok", "low", "out"])
  .meta({ description: "out: stock = 0; low: 0 < stock <= lowStockThreshold; ok: otherwise" });

export const eventKindSchema = z.enum(["created", "stock", "price", "update", "archived", "restored"]).meta({
  description:
    "created; stock (stock only); price (price only); update (anything else or several fields); archived (left the default list); restored (back on it)",
});

export const productHistoryEntrySchema = z
  .strictObject({
    eventId,
    productId: z.int().min(1),
    kind: eventKindSchema,
    stock: z.int().min(0),
    priceCents: z.int().min(0),
    lowStockThreshold: z.int().min(0),
    sku: z.string(),
    name: z.string(),
    version: z.int().min(1),
    delta: z.int().nullable().meta({
      description:
        "the change of a stock adjustment or of a guarded stock count (PATCH with expectedStock); null for other changes",
    }),
    stockLevel: stockLevelSchema.meta({ description: "the stock level after the change" }),
    previousStockLevel: stockLevelSchema
      .nullable()
      .meta({ description: "the level before it (null for `created`): a threshold event when they differ" }),
    changes: changesSchema,
    reason: z
      .string()
      .nullable()
      .optional()
      .meta({ description: "why (staff and tokens only; absent for anonymous readers)" }),
    actor: z
      .string()
      .optional()
      .meta({ description: "who: a user's email or api:<token name> (staff and tokens only)" }),
    at: timestamp,
  })
  .meta({ description: "One committed change: the product's state after it, what it changed, who and why" });

export const productHistorySchema = z
  .strictObject({
    events: z.array(productHistoryEntrySchema).meta({ description: "newest first" }),
    nextBefore: eventId
      .nullable()
      .meta({ description: "pass as `before` for the next older page; null when nothing older matches" }),
    nextAfter: eventId.nullable().meta({
      description: "pass as `after` for the next newer page; null when nothing newer matches or the page is empty",
    }),
  })
  .meta({ description: "A page of the history, newest first, with the cursors of its neighbours" });

// GET /api/v1/events/suggestions: what the history's person and reason filters offer.
export const historySuggestionsSchema = z
  .strictObject({
    actors: z
      .array(z.string())
      .meta({ description: "the people (emails) and tokens (api:<name>) that made changes, in order; at most 200" }),
    reasons: z.array(z.string()).meta({
      description:
        "the reasons of the latest 5,000 events, most used first, once each in any case (at most 50), then the stock forms' reasons (restock, return, correction, sale, damage) not among them",
    }),
  })
  .meta({ description: "Values the history's actor and reason filters can take (staff and tokens only)" });

export type HistorySuggestions = z.infer<typeof historySuggestionsSchema>;
export type ProductDto = z.infer<typeof productDtoSchema>;
export type ProductSnapshot = z.infer<typeof productSnapshotSchema>;
export type ProductHistoryEntry = z.infer<typeof productHistoryEntrySchema>;

export function toProductDto(product: Product): ProductDto {
  return {
    id: product.id,
    sku: product.sku,
    name: product.name,
    priceCents: product.priceCents,
    stock: product.stock,
    lowStockThreshold: product.lowStockThreshold,
    version: product.version,
    updatedAt: product.updatedAt.toISOString(),
    archivedAt: product.archivedAt?.toISOString() ?? null,
  };
}

/** One history entry; who and why only for readers allowed to see the audit trail (staff, tokens). */
export function toHistoryEntry(event: ProductEvent, withAudit: boolean): ProductHistoryEntry {
  const entry: ProductHistoryEntry = {
    eventId: event.id.toString(),
    productId: event.productId,
    kind: event.kind as ProductHistoryEntry["kind"],
    stock: event.stock,
    priceCents: event.priceCents,
    lowStockThreshold: event.lowStockThreshold,
    sku: event.sku,
    name: event.name,
    version: event.version,
    delta: event.delta,
    stockLevel: event.stockLevel as StockLevel,
    previousStockLevel: event.previousStockLevel as StockLevel | null,
    changes: changesOf(event),
    at: event.createdAt.toISOString(),
  };
  return withAudit ? { ...entry, reason: event.reason, actor: event.actor } : entry;
}

// POST /api/v1/stock-adjustments and POST /api/v1/stocktakes: the products in item order.
export const bulkAdjustmentResultSchema = z.strictObject({
  products: z.array(productDtoSchema).meta({ description: "in item order" }),
  lastEventId: eventId.meta({ description: "the id of the last event this request made" }),
});

export const stocktakeResultSchema = z.strictObject({
  products: z.array(productDtoSchema).meta({ description: "in item order" }),
  changed: z.int().min(0).meta({ description: "how many items changed a stock (and made an event)" }),
  lastEventId: eventId.meta({ description: "the last event id after this request" }),
});

/** An error about one item of a bulk request: `index` is its 0-based position in `items`. */
export const bulkItemErrorSchema = z.object({
  error: z.object({
    code: z.enum([
      "NOT_FOUND",
      "DUPLICATE_ITEM",
      "INSUFFICIENT_STOCK",
      "STOCK_OUT_OF_RANGE",
      "VERSION_CONFLICT",
      "PRODUCT_ARCHIVED",
    ]),
    message: z.string(),
    index: z.int().min(0),
    current: productDtoSchema.optional(),
  }),
});
