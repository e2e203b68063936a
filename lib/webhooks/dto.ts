// What the webhook API returns (zod schemas: the OpenAPI document is built from them). Rows come from Prisma (bigint ids) or straight from pg (int8 as
// text), so ids are turned to strings either way.
import { z } from "zod";
import type { WebhookSubscription } from "@/lib/generated/prisma/client";
import { WEBHOOK_KINDS, type WebhookKinds } from "@/lib/webhooks/validation";

const eventId = z.string().regex(/^\d+$/);
const timestamp = z.string().meta({ description: "ISO 8601, UTC" });

export const webhookDtoSchema = z
  .strictObject({
    id: z.int().min(1),
    url: z.string(),
    kinds: z.enum(WEBHOOK_KINDS),
    productIds: z.array(z.int().min(1)).nullable().meta({ description: "null: every product" }),
    status: z.enum(["active", "paused"]),
    pausedReason: z.string().nullable(),
    cursor: eventId.meta({ description: "the last event id the endpoint acknowledged (or the filter passed over)" }),
    failureCount: z.int().min(0),
    failingSince: timestamp.nullable(),
    nextAttemptAt: timestamp,
    lastError: z.string().nullable(),
    createdBy: z.string(),
    createdAt: timestamp,
  })
  .meta({ description: "A webhook subscription (without its secret)" });

export const createdWebhookSchema = webhookDtoSchema
  .extend({
    secret: z.string().meta({ description: "whsec_ and base64: signs every request; in this answer only" }),
  })
  .meta({ description: "A new webhook subscription with its signing secret, shown this once" });

export const webhookListSchema = z.strictObject({ webhooks: z.array(webhookDtoSchema) });

export const webhookDeliverySchema = z
  .strictObject({
    id: eventId,
    at: timestamp,
    test: z.boolean().meta({ description: "a test event: not part of the event order" }),
    firstEventId: eventId.nullable(),
    lastEventId: eventId.nullable(),
    eventCount: z.int().min(0),
    ok: z.boolean().meta({ description: "a 2xx answer: the cursor moved past lastEventId" }),
    statusCode: z.int().nullable(),
    error: z.string().nullable(),
    latencyMs: z.int().min(0),
    responseExcerpt: z.string().nullable().meta({ description: "at most 200 bytes of the answer" }),
  })
  .meta({ description: "One delivery attempt" });

export const deliveryPageSchema = z.strictObject({
  deliveries: z.array(webhookDeliverySchema),
  nextBefore: eventId.nullable().meta({ description: "pass as ?before= for the next (older) page; null: no more" }),
});

export type WebhookDto = z.infer<typeof webhookDtoSchema>;
export type WebhookDeliveryDto = z.infer<typeof webhookDeliverySchema>;
export type DeliveryPage = z.infer<typeof deliveryPageSchema>;

type Id = bigint | string;

export type DeliveryRow = {
  id: Id;
  at: Date;
  test: boolean;
  firstEventId: Id | null;
  lastEventId: Id | null;
  eventCount: number;
  statusCode: number | null;
  error: string | null;
  latencyMs: number;
  responseExcerpt: string | null;
};

export function toWebhookDto(row: WebhookSubscription): WebhookDto {
  return {
    id: row.id,
    url: row.url,
    kinds: row.kinds as WebhookKinds,
    productIds: row.productIds.length ? row.productIds : null,
    status: row.status as WebhookDto["status"],
    pausedReason: row.pausedReason,
    cursor: row.cursor.toString(),
    failureCount: row.failureCount,
    failingSince: row.failingSince?.toISOString() ?? null,
    nextAttemptAt: row.nextAttemptAt.toISOString(),
    lastError: row.lastError,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
  };
}

export function toDeliveryDto(row: DeliveryRow): WebhookDeliveryDto {
  return {
    id: row.id.toString(),
    at: row.at.toISOString(),
    test: row.test,
    firstEventId: row.firstEventId?.toString() ?? null,
    lastEventId: row.lastEventId?.toString() ?? null,
    eventCount: row.eventCount,
    ok: row.statusCode !== null && row.statusCode >= 200 && row.statusCode < 300,
    statusCode: row.statusCode,
    error: row.error,
    latencyMs: row.latencyMs,
    responseExcerpt: row.responseExcerpt,
  };
}
