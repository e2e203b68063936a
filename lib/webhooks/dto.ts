// What the webhook API returns. Rows come from Prisma (bigint ids) or straight from pg (int8 as
// text), so ids are turned to strings either way.
import type { WebhookSubscription } from "@/lib/generated/prisma/client";
import type { WebhookKinds } from "@/lib/webhooks/validation";

export type WebhookDto = {
  id: number;
  url: string;
  kinds: WebhookKinds;
  /** null: every product. */
  productIds: number[] | null;
  status: "active" | "paused";
  pausedReason: string | null;
  /** The last event id the endpoint acknowledged (or that the filter passed over). */
  cursor: string;
  failureCount: number;
  failingSince: string | null;
  nextAttemptAt: string;
  lastError: string | null;
  createdBy: string;
  createdAt: string;
};

export type WebhookDeliveryDto = {
  id: string;
  at: string;
  /** A test event (POST .../test): not part of the event order. */
  test: boolean;
  firstEventId: string | null;
  lastEventId: string | null;
  eventCount: number;
  /** A 2xx answer: the cursor moved past lastEventId. */
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  latencyMs: number;
  responseExcerpt: string | null;
};

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
