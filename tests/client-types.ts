// Compile-time check (run by `tsc` in `npm run lint`): the typed client's shapes
// (clients/typescript/src/types.ts) are the server's zod schemas', so neither drifts alone.
import type { z } from "zod";
import type * as Client from "../clients/typescript/src/types";
import type { healthSchema } from "../lib/api/schemas";
import type { feedEventSchema } from "../lib/events/feed-event";
import type {
  bulkAdjustmentResultSchema,
  productDtoSchema,
  productHistoryEntrySchema,
  productHistorySchema,
  productSnapshotSchema,
  stocktakeResultSchema,
} from "../lib/products/dto";
import type {
  archivedFilterSchema,
  archiveSchema,
  bulkAdjustmentSchema,
  createProductSchema,
  stockAdjustmentSchema,
  stocktakeSchema,
  updateProductSchema,
} from "../lib/products/validation";
import type { alertsSchema } from "../lib/events/alerts";
import type { importPreviewSchema, importResultSchema } from "../lib/imports/dto";
import type {
  createdWebhookSchema,
  deliveryPageSchema,
  webhookDeliverySchema,
  webhookDtoSchema,
} from "../lib/webhooks/dto";
import type { createWebhookSchema, updateWebhookSchema } from "../lib/webhooks/validation";

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** The client may be stricter than the server (e.g. "exactly one of productId and sku" as a type). */
type Accepted<ClientInput, ServerInput> = [ClientInput] extends [ServerInput] ? true : false;

export const clientTypesMatchTheServer: [
  Same<Client.Product, z.infer<typeof productDtoSchema>>,
  Same<Client.ProductSnapshot, z.infer<typeof productSnapshotSchema>>,
  Same<Client.HistoryEntry, z.infer<typeof productHistoryEntrySchema>>,
  Same<Client.HistoryPage, z.infer<typeof productHistorySchema>>,
  Same<Client.FeedEvent, z.infer<typeof feedEventSchema>>,
  Same<Client.Health, z.infer<typeof healthSchema>>,
  Same<Client.BulkAdjustmentResult, z.infer<typeof bulkAdjustmentResultSchema>>,
  Same<Client.StocktakeResult, z.infer<typeof stocktakeResultSchema>>,
  Same<Client.NewProduct, z.input<typeof createProductSchema>>,
  Same<Client.StockAdjustment, z.input<typeof stockAdjustmentSchema>>,
  Accepted<Client.ProductChanges, z.input<typeof updateProductSchema>>,
  Accepted<Client.BulkAdjustment, z.input<typeof bulkAdjustmentSchema>>,
  Accepted<Client.Stocktake, z.input<typeof stocktakeSchema>>,
  Same<Client.Webhook, z.infer<typeof webhookDtoSchema>>,
  Same<Client.CreatedWebhook, z.infer<typeof createdWebhookSchema>>,
  Same<Client.WebhookDelivery, z.infer<typeof webhookDeliverySchema>>,
  Same<Client.DeliveryPage, z.infer<typeof deliveryPageSchema>>,
  Same<{ alerts: Client.FeedEvent[] }, z.infer<typeof alertsSchema>>,
  Same<Client.NewWebhook, z.input<typeof createWebhookSchema>>,
  Accepted<Client.WebhookChanges, z.input<typeof updateWebhookSchema>>,
  Same<Client.ArchiveRequest, z.input<typeof archiveSchema>>,
  Same<Client.ArchivedFilter, z.infer<typeof archivedFilterSchema>>,
  Same<Client.ImportPreview, z.infer<typeof importPreviewSchema>>,
  Same<Client.ImportResult, z.infer<typeof importResultSchema>>,
] = [
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
];
