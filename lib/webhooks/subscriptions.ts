// Webhook subscriptions as the API manages them: create (the secret is returned this once),
// list, change, pause and resume, replay from a retained event id, send a test event, and the
// delivery log. Delivery itself is deliverer.ts.
import { randomBytes } from "node:crypto";
import type { Actor } from "@/lib/actor";
import { db, pool } from "@/lib/db";
import { env } from "@/lib/env";
import { ApiError, notFound } from "@/lib/errors";
import { fetchEventBounds } from "@/lib/events/queries";
import { recordDelivery, wakeWebhookDeliverer } from "@/lib/webhooks/deliverer";
import { toDeliveryDto, toWebhookDto, type WebhookDeliveryDto, type WebhookDto } from "@/lib/webhooks/dto";
import { sendWebhook } from "@/lib/webhooks/send";
import { newWebhookSecret, signatureHeaders } from "@/lib/webhooks/signature";
import { resolveTarget, TargetRefused } from "@/lib/webhooks/target";
import type { CreateWebhookInput, UpdateWebhookInput } from "@/lib/webhooks/validation";

/** The URL as a 400 naming the problem when it is not a deliverable target. */
async function checkedUrl(url: string): Promise<string> {
  try {
    return (await resolveTarget(url)).url.href;
  } catch (error) {
    if (error instanceof TargetRefused) throw new ApiError(400, error.code, error.message, { field: "url" });
    throw error;
  }
}

async function checkProductsExist(productIds: number[] | null | undefined) {
  if (!productIds) return;
  const found = await db.product.findMany({ where: { id: { in: productIds } }, select: { id: true } });
  const known = new Set(found.map((product) => product.id));
  const missing = productIds.filter((id) => !known.has(id));
  if (missing.length) {
    throw new ApiError(400, "UNKNOWN_PRODUCT", `productIds names products that do not exist: ${missing.join(", ")}`, {
      field: "productIds",
    });
  }
}

async function findSubscription(id: number) {
  const row = await db.webhookSubscription.findUnique({ where: { id } });
  if (!row) throw notFound(`webhook ${id}`);
  return row;
}

/** Creates a subscription that starts after the newest event; the secret is in this answer only. */
export async function createWebhook(input: CreateWebhookInput, actor: Actor) {
  const url = await checkedUrl(input.url);
  await checkProductsExist(input.productIds);
  const secret = newWebhookSecret();
  const { newest } = await fetchEventBounds();
  const row = await db.webhookSubscription.create({
    data: {
      url,
      kinds: input.kinds,
      productIds: input.productIds ?? [],
      secret,
      cursor: newest ?? BigInt(0),
      createdBy: actor.name,
    },
  });
  wakeWebhookDeliverer();
  return { ...toWebhookDto(row), secret };
}

export async function listWebhooks(): Promise<WebhookDto[]> {
  return (await db.webhookSubscription.findMany({ orderBy: { id: "asc" } })).map(toWebhookDto);
}

export async function fetchWebhook(id: number): Promise<WebhookDto> {
  return toWebhookDto(await findSubscription(id));
}

/**
 * Changes the URL, filter or status. Resuming clears the failure streak and delivers from the
 * cursor at once, so nothing committed while it was paused is lost. The UPDATE waits for a
 * delivery in flight (it holds the row), so a change never lands in the middle of one.
 */
export async function updateWebhook(id: number, patch: UpdateWebhookInput, actor: Actor): Promise<WebhookDto> {
  await findSubscription(id);
  const url = patch.url === undefined ? undefined : await checkedUrl(patch.url);
  await checkProductsExist(patch.productIds);
  const row = await db.webhookSubscription.update({
    where: { id },
    data: {
      url,
      kinds: patch.kinds,
      productIds: patch.productIds === undefined ? undefined : (patch.productIds ?? []),
      updatedAt: new Date(),
      ...(patch.status === "paused" ? { status: "paused", pausedReason: `paused by ${actor.name}` } : {}),
      ...(patch.status === "active"
        ? {
            status: "active",
            pausedReason: null,
            failureCount: 0,
            failingSince: null,
            nextAttemptAt: new Date(),
          }
        : {}),
    },
  });
  wakeWebhookDeliverer();
  return toWebhookDto(row);
}

export async function deleteWebhook(id: number) {
  await findSubscription(id);
  await db.webhookSubscription.delete({ where: { id } });
}

/** Sets the cursor back (or forward) so delivery continues with event `fromEventId`. */
export async function replayWebhook(id: number, fromEventId: bigint): Promise<WebhookDto> {
  await findSubscription(id);
  const { oldest, newest } = await fetchEventBounds();
  if (oldest === null || newest === null || fromEventId < oldest || fromEventId > newest) {
    const range = oldest === null ? "no events are retained" : `retained event ids are ${oldest} to ${newest}`;
    throw new ApiError(409, "EVENT_NOT_RETAINED", `Cannot replay from event ${fromEventId}: ${range}`, {
      field: "fromEventId",
    });
  }
  const row = await db.webhookSubscription.update({
    where: { id },
    data: { cursor: fromEventId - BigInt(1), nextAttemptAt: new Date(), updatedAt: new Date() },
  });
  wakeWebhookDeliverer();
  return toWebhookDto(row);
}

export const TEST_PAYLOAD = JSON.stringify({ test: true, events: [] });

/** Sends a signed test request now (outside the event order; the cursor stays) and logs it. */
export async function sendTestEvent(id: number): Promise<WebhookDeliveryDto> {
  const subscription = await findSubscription(id);
  const headers = signatureHeaders(subscription.secret, `test_${randomBytes(12).toString("hex")}`, TEST_PAYLOAD);
  let result;
  try {
    const target = await resolveTarget(subscription.url);
    result = await sendWebhook(target, TEST_PAYLOAD, headers, env().WEBHOOK_TIMEOUT_MS);
  } catch (error) {
    if (!(error instanceof TargetRefused)) throw error;
    result = { statusCode: null, error: error.message, latencyMs: 0, excerpt: null };
  }
  const row = await recordDelivery(pool, id, {
    test: true,
    firstEventId: null,
    lastEventId: null,
    eventCount: 0,
    ...result,
  });
  return toDeliveryDto(row);
}

/** The delivery log, newest first, a page at a time (`before`: the previous page's nextBefore). */
export async function listDeliveries(id: number, limit: number, before?: bigint) {
  await findSubscription(id);
  const rows = await db.webhookDelivery.findMany({
    where: { subscriptionId: id, ...(before ? { id: { lt: before } } : {}) },
    orderBy: { id: "desc" },
    take: limit + 1,
  });
  const page = rows.slice(0, limit);
  return {
    deliveries: page.map(toDeliveryDto),
    nextBefore: rows.length > limit ? page[page.length - 1].id.toString() : null,
  };
}
