// Bulk stock adjustments and stocktakes: up to 10,000 items applied all or nothing in one
// transaction. Every product named is locked first, in ascending id, so two bulks over the same
// products in any item order queue instead of deadlocking; then one statement updates them,
// takes the event-order lock (guarantee 3, as commitChange does), inserts one event per changed
// product in item order and notifies each, in id order. Errors name the item by its index.
import type pg from "pg";
import { afterCommit, sqlQuery, withTransaction, type Queryable } from "@/lib/db";
import { ApiError } from "@/lib/errors";
import { NOTIFY_CHANNEL } from "@/lib/events/feed-event";
import { Prisma, type Product } from "@/lib/generated/prisma/client";
import { log } from "@/lib/log";
import { toProductDto, type ProductDto } from "@/lib/products/dto";
import { productName } from "@/lib/products/naming";
import type { Actor } from "@/lib/actor";
import { archivedMessage, EVENT_ORDER_LOCK, feedEventJson, throughGate } from "@/lib/products/mutations";
import { INT32_MAX, type BulkAdjustmentInput, type StocktakeInput } from "@/lib/products/validation";

export type BulkAdjustmentResult = { products: ProductDto[]; lastEventId: string };
export type StocktakeResult = BulkAdjustmentResult & { changed: number };

type Target = { productId?: number; sku?: string };

/** One item's change, worked out from its locked row: the new stock, or null for no change. */
type Planned = { product: Product; stock: number | null; delta: number | null; reason: string | null };

const itemError = (status: number, code: string, index: number, message: string, product?: Product) =>
  new ApiError(status, code, `items.${index}: ${message}`, {
    index,
    ...(product ? { current: toProductDto(product) } : {}),
  });

const describe = (target: Target) =>
  target.productId !== undefined ? `product ${target.productId}` : `sku ${target.sku}`;

/**
 * Locks every product the items name, in ascending id, and returns each item's row in item
 * order. 404 for the first item naming no product, 400 DUPLICATE_ITEM for the first naming a
 * product an earlier item named (by id or by sku), 409 PRODUCT_ARCHIVED for an archived one.
 */
async function lockItems(client: Queryable, items: Target[]): Promise<Product[]> {
  const ids = items.flatMap((item) => (item.productId === undefined ? [] : [item.productId]));
  const skus = items.flatMap((item) => (item.sku === undefined ? [] : [item.sku]));
  // FOR UPDATE returns each row as committed once its lock is granted (READ COMMITTED), so the
  // values read here are the ones this transaction changes.
  const rows = await sqlQuery<Product>(
    Prisma.sql`SELECT * FROM "Product" WHERE id = ANY(${ids}::int[]) OR sku = ANY(${skus}::varchar[])
               ORDER BY id FOR UPDATE`,
    client,
  );
  const byId = new Map(rows.map((row) => [row.id, row]));
  const bySku = new Map(rows.map((row) => [row.sku, row]));
  const seen = new Map<number, number>();
  return items.map((item, index) => {
    const product = item.productId !== undefined ? byId.get(item.productId) : bySku.get(item.sku!);
    if (!product) throw itemError(404, "NOT_FOUND", index, `${describe(item)} not found`);
    const earlier = seen.get(product.id);
    if (earlier !== undefined) {
      throw itemError(400, "DUPLICATE_ITEM", index, `${productName(product)} is already item ${earlier}`);
    }
    // An archived product takes no writes (its rows are locked, so it stays archived meanwhile).
    if (product.archivedAt) throw itemError(409, "PRODUCT_ARCHIVED", index, archivedMessage(product), product);
    seen.set(product.id, index);
    return product;
  });
}

type EventRow = { eventId: string; position: number };

/**
 * The end of a bulk statement after its `changed` (with each row's item `position`) and `event`
 * CTEs: one notification per event, sent in id order (the listener publishes them as they come),
 * and the events' ids in item order.
 */
const NOTIFIED_IN_ITEM_ORDER = Prisma.sql`
      notified AS (
        SELECT count(pg_notify(${NOTIFY_CHANNEL}, ${feedEventJson})) AS notifications
        FROM (SELECT * FROM event ORDER BY id) e
      )
      SELECT e.id::text AS "eventId", c.position, n.notifications
      FROM event e JOIN changed c ON c.id = e."productId", notified n
      ORDER BY c.position`;

/**
 * Writes the planned changes (those with a new stock) in one statement and returns the events'
 * ids in item order. Rows are locked already; the order lock is taken before the first event id
 * is drawn and held until COMMIT.
 */
async function applyPlanned(client: Queryable, planned: Planned[], actor: Actor): Promise<EventRow[]> {
  const changes = planned.flatMap((plan, position) => (plan.stock === null ? [] : [{ ...plan, position }]));
  if (changes.length === 0) return [];
  const column = <T>(pick: (change: (typeof changes)[number]) => T) => changes.map(pick);
  const rows = await sqlQuery<EventRow & { notifications: string }>(
    Prisma.sql`
      WITH item AS (
        SELECT * FROM unnest(
          ${column((change) => change.product.id)}::int[], ${column((change) => change.stock)}::int[],
          ${column((change) => change.delta)}::int[], ${column((change) => change.reason)}::varchar[],
          ${column((change) => change.product.stock)}::int[],
          ${column((change) => change.product.lowStockThreshold)}::int[],
          ${column((change) => change.position)}::int[]
        ) AS i(id, stock, delta, reason, "previousStock", "previousLowStockThreshold", position)
      ),
      changed AS (
        UPDATE "Product" p SET stock = i.stock, version = p.version + 1, "updatedAt" = now()
        FROM item i WHERE p.id = i.id
        RETURNING p.*, i.delta, i.reason, i."previousStock", i."previousLowStockThreshold", i.position
      ),
      ordered AS (SELECT pg_advisory_xact_lock(${EVENT_ORDER_LOCK}::bigint)),
      event AS (
        INSERT INTO "ProductEvent"
          ("productId", kind, sku, name, stock, "priceCents", "lowStockThreshold", version, delta, reason, actor,
           "stockLevel", "previousStockLevel",
           "previousSku", "previousName", "previousStock", "previousPriceCents", "previousLowStockThreshold")
        SELECT c.id, 'stock', c.sku, c.name, c.stock, c."priceCents", c."lowStockThreshold", c.version,
               c.delta, c.reason, ${actor.name}::varchar,
               stock_level(c.stock, c."lowStockThreshold"), stock_level(c."previousStock", c."previousLowStockThreshold"),
               -- Only the stock changes: the other values before are the row as is.
               c.sku, c.name, c."previousStock", c."priceCents", c."previousLowStockThreshold"
        FROM changed c, ordered
        ORDER BY c.position
        RETURNING *
      ),
      ${NOTIFIED_IN_ITEM_ORDER}`,
    client,
  );
  // Ids are drawn as the sorted rows are inserted; make sure, since the response promises it.
  for (let i = 1; i < rows.length; i++) {
    if (BigInt(rows[i].eventId) <= BigInt(rows[i - 1].eventId)) throw new Error("bulk event ids out of item order");
  }
  logBulkChange(client, actor, "stock", rows);
  return rows;
}

/**
 * One line for a bulk change once it commits: up to 10,000 products, so their count and the
 * range of their events (ids in item order), not a line each; the events hold the rest.
 */
function logBulkChange(client: Queryable, actor: Actor, kind: "stock" | "price", events: EventRow[]) {
  if (events.length === 0) return;
  const [first, last] = [events[0].eventId, events.at(-1)!.eventId];
  afterCommit(client, () =>
    log.info(
      { actor: actor.name, kind, products: events.length, firstEventId: first, lastEventId: last },
      "products changed",
    ),
  );
}

/** The newest committed event id: the resume point when a request changed nothing. */
async function newestEventId(client: Queryable): Promise<string> {
  const [{ id }] = await sqlQuery<{ id: string | null }>(
    Prisma.sql`SELECT max(id)::text AS id FROM "ProductEvent"`,
    client,
  );
  return id ?? "0";
}

/** Runs `run` in the given transaction, or in a new one through this instance's change gate. */
function inTransaction<T>(via: pg.PoolClient | undefined, run: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return via ? run(via) : throughGate(() => withTransaction(run));
}

/** The products after the change, in item order. */
async function productsAfter(client: Queryable, planned: Planned[]): Promise<ProductDto[]> {
  const ids = planned.map((plan) => plan.product.id);
  const rows = await sqlQuery<Product>(Prisma.sql`SELECT * FROM "Product" WHERE id = ANY(${ids}::int[])`, client);
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.map((id) => toProductDto(byId.get(id)!));
}

/** POST /api/v1/stock-adjustments: adds each item's delta; no stock below 0 or past 32 bits. */
export function applyStockAdjustments(
  input: BulkAdjustmentInput,
  actor: Actor,
  via?: pg.PoolClient,
): Promise<BulkAdjustmentResult> {
  return inTransaction(via, async (client) => {
    const products = await lockItems(client, input.items);
    const planned = input.items.map((item, index): Planned => {
      const product = products[index];
      const stock = product.stock + item.delta;
      if (stock < 0) {
        const message = `${productName(product)} has ${product.stock} in stock; cannot apply ${item.delta}`;
        throw itemError(409, "INSUFFICIENT_STOCK", index, message, product);
      }
      if (stock > INT32_MAX) {
        const message = `the stock of ${productName(product)} would exceed ${INT32_MAX}`;
        throw itemError(409, "STOCK_OUT_OF_RANGE", index, message, product);
      }
      return { product, stock, delta: item.delta, reason: item.reason ?? input.reason ?? null };
    });
    const events = await applyPlanned(client, planned, actor);
    return { products: await productsAfter(client, planned), lastEventId: events.at(-1)!.eventId };
  });
}

/**
 * POST /api/v1/stocktakes: sets each item's counted stock. An item whose count is the current
 * stock changes nothing (no version, no event); an expectedVersion must match the current one, and
 * an expectedStock the current stock, so a count never undoes a sale made after it was taken.
 * Each event records the count's difference as its delta.
 */
export function applyStocktake(input: StocktakeInput, actor: Actor, via?: pg.PoolClient): Promise<StocktakeResult> {
  return inTransaction(via, async (client) => {
    const products = await lockItems(client, input.items);
    const planned = input.items.map((item, index): Planned => {
      const product = products[index];
      // The stock first, as PATCH does: it names what moved, so staff can count again.
      if (item.expectedStock !== undefined && item.expectedStock !== product.stock) {
        const message = `${productName(product)} has ${product.stock} in stock, not the ${item.expectedStock} this count was made against: count it again`;
        throw itemError(409, "STOCK_CONFLICT", index, message, product);
      }
      if (item.expectedVersion !== undefined && item.expectedVersion !== product.version) {
        const message = `${productName(product)} is at version ${product.version}, not ${item.expectedVersion}: count it again`;
        throw itemError(409, "VERSION_CONFLICT", index, message, product);
      }
      if (item.count === product.stock) return { product, stock: null, delta: null, reason: null };
      return { product, stock: item.count, delta: item.count - product.stock, reason: input.reason ?? null };
    });
    const events = await applyPlanned(client, planned, actor);
    return {
      products: await productsAfter(client, planned),
      changed: events.length,
      lastEventId: events.at(-1)?.eventId ?? (await newestEventId(client)),
    };
  });
}

/**
 * A row of an import (lib/imports): a product its caller locked, in file order, its new value and
 * the value it was taken at, if it carries one (the product export's expectedStock/expectedPrice).
 */
export type LockedCount = { product: Product; count: number; expectedStock?: number };
export type LockedPrice = { product: Product; priceCents: number; expectedPriceCents?: number };
export type ImportWrite = { changed: number; lastEventId: string };

// The import's writes take products the caller has locked already (in id order, as lockItems
// does) and answer no product list: a second lock pass and 10,000 DTOs nobody reads cost 70-110 ms
// of a ~400 ms 10,000-row apply (bench/import.ts).

/**
 * 409 when a row's guard is not the locked product's value: a write never carries a value over a
 * change it did not see (the import plans such rows as conflicts before it writes; this is the
 * write's own check, as applyStocktake's expectedStock is).
 */
function requireGuard(product: Product, what: "stock" | "price", now: number, expected: number | undefined) {
  if (expected === undefined || expected === now) return;
  throw new ApiError(
    409,
    "IMPORT_CONFLICT",
    `Nothing was imported: product ${product.id} has the ${what} ${now}, not the ${expected} its row was taken at`,
    { current: toProductDto(product) },
  );
}

/**
 * A stocktake from a file: sets each counted stock, in the statement applyStocktake uses. A count
 * equal to the current stock changes nothing; each event's delta is the difference. A row with
 * an expectedStock applies only while the stock is that.
 */
export async function setLockedCounts(
  client: pg.PoolClient,
  rows: LockedCount[],
  reason: string,
  actor: Actor,
): Promise<ImportWrite> {
  for (const { product, expectedStock } of rows) requireGuard(product, "stock", product.stock, expectedStock);
  const planned = rows.map(({ product, count }): Planned =>
    count === product.stock
      ? { product, stock: null, delta: null, reason: null }
      : { product, stock: count, delta: count - product.stock, reason },
  );
  const events = await applyPlanned(client, planned, actor);
  return { changed: events.length, lastEventId: events.at(-1)?.eventId ?? (await newestEventId(client)) };
}

/**
 * A price list: sets each price in one statement in the style of applyPlanned, one `price` event
 * per changed product in row order. A price equal to the current one changes nothing. The stock
 * levels are the product's own before and after (a price does not move them); the price before
 * is the locked row's. A row with an expectedPriceCents applies only while the price is that.
 */
export async function setLockedPrices(
  client: pg.PoolClient,
  rows: LockedPrice[],
  reason: string,
  actor: Actor,
): Promise<ImportWrite> {
  for (const { product, expectedPriceCents } of rows)
    requireGuard(product, "price", product.priceCents, expectedPriceCents);
  const changes = rows.flatMap(({ product, priceCents }, position) =>
    priceCents === product.priceCents
      ? []
      : [{ id: product.id, priceCents, previousPriceCents: product.priceCents, position }],
  );
  if (changes.length === 0) return { changed: 0, lastEventId: await newestEventId(client) };
  const column = <T>(pick: (change: (typeof changes)[number]) => T) => changes.map(pick);
  const events = await sqlQuery<EventRow & { notifications: string }>(
    Prisma.sql`
      WITH item AS (
        SELECT * FROM unnest(
          ${column((change) => change.id)}::int[], ${column((change) => change.priceCents)}::int[],
          ${column((change) => change.previousPriceCents)}::int[], ${column((change) => change.position)}::int[]
        ) AS i(id, "priceCents", "previousPriceCents", position)
      ),
      changed AS (
        UPDATE "Product" p SET "priceCents" = i."priceCents", version = p.version + 1, "updatedAt" = now()
        FROM item i WHERE p.id = i.id
        RETURNING p.*, i."previousPriceCents", i.position
      ),
      ordered AS (SELECT pg_advisory_xact_lock(${EVENT_ORDER_LOCK}::bigint)),
      event AS (
        INSERT INTO "ProductEvent"
          ("productId", kind, sku, name, stock, "priceCents", "lowStockThreshold", version, delta, reason, actor,
           "stockLevel", "previousStockLevel",
           "previousSku", "previousName", "previousStock", "previousPriceCents", "previousLowStockThreshold")
        SELECT c.id, 'price', c.sku, c.name, c.stock, c."priceCents", c."lowStockThreshold", c.version,
               NULL, ${reason}::varchar, ${actor.name}::varchar,
               stock_level(c.stock, c."lowStockThreshold"), stock_level(c.stock, c."lowStockThreshold"),
               -- Only the price changes (its value before from the locked row), the rest is the row as is.
               c.sku, c.name, c.stock, c."previousPriceCents", c."lowStockThreshold"
        FROM changed c, ordered
        ORDER BY c.position
        RETURNING *
      ),
      ${NOTIFIED_IN_ITEM_ORDER}`,
    client,
  );
  logBulkChange(client, actor, "price", events);
  return { changed: events.length, lastEventId: events.at(-1)!.eventId };
}
