// Webhook subscriptions as the API manages them: create (the secret is returned this once),
// list, change, pause and resume, replay from a retained event id, send a test event, and the
// delivery log. Delivery itself is deliverer.ts.
import { randomBytes } from "node:crypto";
import type { Actor } from "@/lib/actor";
import { afterCommit, db, pool, type Queryable, sqlQuery } from "@/lib/db";
import { env } from "@/lib/env";
import { ApiError, notFound } from "@/lib/errors";
import { fetchEventBounds } from "@/lib/events/queries";
import { Prisma, type WebhookSubscription } from "@/lib/generated/prisma/client";
import { log } from "@/lib/log";
import { recordDelivery } from "@/lib/webhooks/deliverer";
import { toDeliveryDto, toWebhookDto, type WebhookDto } from "@/lib/webhooks/dto";
import { sendWebhook, type SendResult } from "@/lib/webhooks/send";
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

/**
 * Creates a subscription that starts after the newest event; the secret is in this answer only.
 * With `via` (an idempotent request's transaction) the INSERT runs there, so the row and the
 * stored answer commit together (guarantee 7): plain SQL, since Prisma has no handle on it.
 * The route wakes the deliverer once that has committed (a wake before COMMIT finds nothing new).
 */
export async function createWebhook(input: CreateWebhookInput, actor: Actor, via: Queryable = pool) {
  const url = await checkedUrl(input.url);
  await checkProductsExist(input.productIds);
  const secret = newWebhookSecret();
  const { newest } = await fetchEventBounds();
  const [row] = await sqlQuery<WebhookSubscription>(
    Prisma.sql`INSERT INTO "WebhookSubscription" (url, kinds, "productIds", secret, cursor, "createdBy")
               VALUES (${url}, ${input.kinds}, ${input.productIds ?? []}::int[], ${secret},
                       ${(newest ?? BigInt(0)).toString()}::bigint, ${actor.name})
               RETURNING *`,
    via,
  );
  // The host only: a URL may carry a token of the receiver's in its path or query, and the secret never.
  afterCommit(via, () =>
    log.info({ actor: actor.name, webhookId: row.id, host: new URL(url).host }, "webhook subscription created"),
  );
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
 * cursor at once, so nothing committed while it was paused is lost. A delivery in flight is
 * not waited for (it holds no lock: a slow endpoint must not hold up a write); it ends as it
 * began, and the change applies from the next batch. With `via` it runs in that transaction
 * (see createWebhook).
 */
export async function updateWebhook(
  id: number,
  patch: UpdateWebhookInput,
  actor: Actor,
  via: Queryable = pool,
): Promise<WebhookDto> {
  await findSubscription(id);
  const url = patch.url === undefined ? null : await checkedUrl(patch.url);
  await checkProductsExist(patch.productIds);
  const productIds = patch.productIds === undefined ? null : (patch.productIds ?? []);
  const status = patch.status ?? null;
  const [row] = await sqlQuery<WebhookSubscription>(
    Prisma.sql`UPDATE "WebhookSubscription" SET
                 url = COALESCE(${url}::varchar, url),
                 kinds = COALESCE(${patch.kinds ?? null}::varchar, kinds),
                 "productIds" = COALESCE(${productIds}::int[], "productIds"),
                 "updatedAt" = now(),
                 status = COALESCE(${status}::varchar, status),
                 "pausedReason" = CASE ${status}::varchar WHEN 'paused' THEN ${`paused by ${actor.name}`}
                                  WHEN 'active' THEN NULL ELSE "pausedReason" END,
                 "failureCount" = CASE WHEN ${status}::varchar = 'active' THEN 0 ELSE "failureCount" END,
                 "failingSince" = CASE WHEN ${status}::varchar = 'active' THEN NULL ELSE "failingSince" END,
                 "nextAttemptAt" = CASE WHEN ${status}::varchar = 'active' THEN now() ELSE "nextAttemptAt" END
               WHERE id = ${id}::int
               RETURNING *`,
    via,
  );
  if (!row) throw notFound(`webhook ${id}`);
  const changed = Object.keys(patch).filter((field) => patch[field as keyof UpdateWebhookInput] !== undefined);
  afterCommit(via, () =>
    log.info({ actor: actor.name, webhookId: id, changed, status: row.status }, "webhook subscription changed"),
  );
  return toWebhookDto(row);
}

export async function deleteWebhook(id: number, actor: Actor) {
  await findSubscription(id);
  await db.webhookSubscription.delete({ where: { id } });
  log.info({ actor: actor.name, webhookId: id }, "webhook subscription deleted");
}

/** Sets the cursor back (or forward) so delivery continues with event `fromEventId`. */
export async function replayWebhook(id: number, fromEventId: bigint, via: Queryable = pool): Promise<WebhookDto> {
  await findSubscription(id);
  const { oldest, newest } = await fetchEventBounds();
  if (oldest === null || newest === null || fromEventId < oldest || fromEventId > newest) {
    const range = oldest === null ? "no events are retained" : `retained event ids are ${oldest} to ${newest}`;
    throw new ApiError(409, "EVENT_NOT_RETAINED", `Cannot replay from event ${fromEventId}: ${range}`, {
      field: "fromEventId",
    });
  }
  // With `via` in that transaction (see createWebhook): a retried key cannot move the cursor again.
  const [row] = await sqlQuery<WebhookSubscription>(
    Prisma.sql`UPDATE "WebhookSubscription"
               SET cursor = ${(fromEventId - BigInt(1)).toString()}::bigint, "nextAttemptAt" = now(), "updatedAt" = now()
               WHERE id = ${id}::int
               RETURNING *`,
    via,
  );
  if (!row) throw notFound(`webhook ${id}`);
  return toWebhookDto(row);
}

export const TEST_PAYLOAD = JSON.stringify({ test: true, events: [] });

// How long a keyed test call's claim on its key lasts should its instance die mid-send: the
// request's time limit, with room for the DNS lookup before it.
const TEST_CLAIM_EXTRA_MS = 30_000;
export const testClaimMs = () => env().WEBHOOK_TIMEOUT_MS + TEST_CLAIM_EXTRA_MS;

/**
 * Sends a signed test request now (outside the event order; the cursor stays). Holds nothing of
 * the database while it waits for the endpoint: no transaction, lock or write slot (see
 * idempotentCall); recordTestEvent logs the result afterwards.
 */
export async function sendTestEvent(id: number): Promise<SendResult> {
  const subscription = await findSubscription(id);
  const headers = signatureHeaders(subscription.secret, `test_${randomBytes(12).toString("hex")}`, TEST_PAYLOAD);
  try {
    const target = await resolveTarget(subscription.url, env().WEBHOOK_TIMEOUT_MS);
    return await sendWebhook(target, TEST_PAYLOAD, headers, env().WEBHOOK_TIMEOUT_MS);
  } catch (error) {
    if (!(error instanceof TargetRefused)) throw error;
    return { statusCode: null, error: error.message, latencyMs: 0, excerpt: null };
  }
}

/** Logs a test request's result; with `via`, in that transaction (the key's kept reply). */
export async function recordTestEvent(id: number, result: SendResult, via: Queryable = pool) {
  let row;
  try {
    row = await recordDelivery(via, id, {
      test: true,
      firstEventId: null,
      lastEventId: null,
      eventCount: 0,
      ...result,
    });
  } catch (error) {
    // Deleted while the request was out: the log went with it.
    if ((error as { code?: string }).code === "23503") throw notFound(`webhook ${id}`);
    throw error;
  }
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
