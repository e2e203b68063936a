// Every write to a product is one SQL statement, committed on its own: it changes the Product
// row (with its version or stock condition), takes the event-order lock, inserts the
// ProductEvent and notifies listeners. So a committed change always has exactly one event
// (guarantee 2), and the row and order locks are held for one round trip, not six: a product
// that sells fast is limited by PostgreSQL, not by client round trips (bench/fanout.ts).
import type { Actor } from "@/lib/actor";
import { afterCommit, db, sqlQuery, type Queryable } from "@/lib/db";
import { ApiError, notFound } from "@/lib/errors";
import { NOTIFY_CHANNEL, type EventKind } from "@/lib/events/feed-event";
import { Prisma, type Product } from "@/lib/generated/prisma/client";
import { log } from "@/lib/log";
import { toProductDto, type ProductDto } from "@/lib/products/dto";
import { productName } from "@/lib/products/naming";
import {
  INT32_MAX,
  type ArchiveInput,
  type CreateProductInput,
  type StockAdjustmentInput,
  type UpdateProductInput,
} from "@/lib/products/validation";

// `countsStock`: the event's delta is the stock's difference from the row as locked (a guarded
// count by PATCH), where the other writes name their delta; an unguarded PATCH keeps v1's null.
type Change = { kind: EventKind; actor: Actor; delta?: number; reason?: string; countsStock?: boolean };

// Serialises event-id assignment until commit (guarantee 3): ids come from a sequence before
// commit, so without this a lower id could commit after a higher one and `id > N` would skip it.
// Taken after the row lock and before the event's id is drawn; released at commit.
export const EVENT_ORDER_LOCK = 7_310_001;

// Changes in flight at once, per server instance; the others wait here, in arrival order. They
// all serialise on the order lock anyway, so more statements in PostgreSQL at once only add
// backends that sleep on the row and order locks and wake each other: bench/writes.ts at 32
// writers measured ~1,750 writes/s and p99 34 ms without this, ~2,000/s and p99 24 ms with 8
// (4 was slower). It also leaves 12 of the pool's 20 connections to reads whatever the writes do.
const MAX_CHANGES_IN_FLIGHT = 8;

// On globalThis: the production server loads this module twice (Next's bundle for PATCH and
// POST /products, its own copy for stock adjustments) and both must share one gate.
type ChangeGate = { inFlight: number; waiting: Array<() => void> };
const gate = ((globalThis as unknown as { stockpulseChangeGate?: ChangeGate }).stockpulseChangeGate ??= {
  inFlight: 0,
  waiting: [],
});

/** Runs a change once one of this instance's MAX_CHANGES_IN_FLIGHT slots is free. */
export async function throughGate<T>(run: () => Promise<T>): Promise<T> {
  if (gate.inFlight < MAX_CHANGES_IN_FLIGHT) gate.inFlight++;
  else await new Promise<void>((resolve) => gate.waiting.push(resolve));
  try {
    return await run();
  } finally {
    // Hand the slot straight to the next waiter, if any.
    const next = gate.waiting.shift();
    if (next) next();
    else gate.inFlight--;
  }
}

/**
 * changesOf (lib/products/changes.ts) in SQL, over the event row `e` (the ProductEvent columns): JSON for the NOTIFY
 * payload, the same list with the same keys in the same order. Built where the event is written,
 * so the feed's live path needs no read.
 */
const changesJson = Prisma.sql`CASE WHEN e.kind <> 'created' AND e."previousSku" IS NULL THEN NULL ELSE (
    SELECT coalesce(json_agg(json_build_object('field', c.field, 'before', c.before, 'after', c.after) ORDER BY c.n), '[]')
    FROM (VALUES
      (1, 'name', to_json(e."previousName"), to_json(e.name), e."previousName" IS DISTINCT FROM e.name),
      (2, 'sku', to_json(e."previousSku"), to_json(e.sku), e."previousSku" IS DISTINCT FROM e.sku),
      (3, 'priceCents', to_json(e."previousPriceCents"), to_json(e."priceCents"), e."previousPriceCents" IS DISTINCT FROM e."priceCents"),
      (4, 'stock', to_json(e."previousStock"), to_json(e.stock), e."previousStock" IS DISTINCT FROM e.stock),
      (5, 'lowStockThreshold', to_json(e."previousLowStockThreshold"), to_json(e."lowStockThreshold"),
       e."previousLowStockThreshold" IS DISTINCT FROM e."lowStockThreshold")
    ) AS c(n, field, before, after, changed)
    WHERE c.changed
  ) END`;

/**
 * The feed's JSON for the ProductEvent row `e`: the NOTIFY payload, which the listener
 * re-serialises; same keys in the same order as toFeedEvent (feed-event.ts), so a live frame
 * and a replayed one are the same bytes (tests/feed.test.ts compares them).
 */
export const feedEventJson = Prisma.sql`json_build_object(
  'eventId', e.id::text, 'productId', e."productId", 'newStock', e.stock, 'newPrice', e."priceCents",
  'version', e.version, 'kind', e.kind::text,
  'at', to_char(e."createdAt" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
  'sku', e.sku, 'name', e.name, 'lowStockThreshold', e."lowStockThreshold", 'delta', e.delta,
  'stockLevel', e."stockLevel", 'previousStockLevel', e."previousStockLevel", 'changes', ${changesJson}
)::text`;

// What a change's statement returns besides the product's new row: the fields as the row had them
// when this statement locked it (null for an INSERT), recorded on the event as the values before
// the change (lib/products/changes.ts) and for its previous stock level.
const NO_PREVIOUS_STATE = Prisma.sql`NULL::varchar AS "previousSku", NULL::varchar AS "previousName",
  NULL::int AS "previousStock", NULL::int AS "previousPriceCents", NULL::int AS "previousLowStockThreshold"`;

/** The previous state from the row `alias`, with its stock given by `stock` (default: the row's). */
function previousState(alias: string, stock?: Prisma.Sql) {
  const row = Prisma.raw(alias);
  return Prisma.sql`${row}.sku AS "previousSku", ${row}.name AS "previousName",
    ${stock ?? Prisma.sql`${row}.stock`} AS "previousStock", ${row}."priceCents" AS "previousPriceCents",
    ${row}."lowStockThreshold" AS "previousLowStockThreshold"`;
}

// The row as locked, for an UPDATE's FROM: `old` holds the latest committed values once any
// concurrent writer has committed. Under READ COMMITTED a plain SELECT (in a CTE, or the
// UPDATE's own pre-change values) would read the statement's snapshot instead, which misses
// a change committed while this statement waited for the row lock: the values before the change
// (and the previous stock level) would be wrong exactly when two writers race.
const lockedRow = (id: number) =>
  Prisma.sql`(SELECT id, sku, name, stock, "priceCents", "lowStockThreshold" FROM "Product" WHERE id = ${id}::int FOR UPDATE) old`;
const PREVIOUS_STATE = previousState("old");

type PreviousState = {
  previousSku: string | null;
  previousName: string | null;
  previousStock: number | null;
  previousPriceCents: number | null;
  previousLowStockThreshold: number | null;
};
type ChangedRow = Product & PreviousState;

/**
 * Runs `changed` (an UPDATE or INSERT on "Product" ... RETURNING the row and its previous state,
 * see PREVIOUS_STATE) and, for the row it returns, records the event with its stock levels
 * (stock_level(), defined in the migration) and sends the notification (the feed's JSON shape,
 * see feed-event.ts), all in one statement. Returns the product as changed, or null when
 * `changed` matched no row. With `via`, the statement runs in that transaction (which holds
 * the order lock until it commits).
 */
function commitChange(changed: Prisma.Sql, change: Change, via?: Queryable): Promise<Product | null> {
  // A caller with its own transaction (an idempotent request) went through the gate already.
  return via ? runChange(changed, change, via) : throughGate(() => runChange(changed, change));
}

/**
 * A change whose UPDATE is guarded (archived, out of range, stale, the same values): the changed
 * product, or, when the UPDATE matched nothing, the product as it is so the caller can say why.
 * That read comes after the UPDATE, so other writers (an archive, then a restore) may have left
 * the product where the change applies after all (`appliesTo`): then it runs again. Each further
 * pass needs another writer's commit, so this ends.
 */
async function changeOrRefusal(
  id: number,
  changed: Prisma.Sql,
  change: Change,
  via: Queryable | undefined,
  appliesTo: (current: Product) => boolean,
): Promise<{ changed: Product } | { current: Product }> {
  for (;;) {
    const product = await commitChange(changed, change, via);
    if (product) return { changed: product };
    const current = await db.product.findUnique({ where: { id } });
    if (!current) throw notFound(`product ${id}`);
    if (!appliesTo(current)) return { current };
  }
}

async function runChange(
  changed: Prisma.Sql,
  { kind, actor, delta, reason, countsStock = false }: Change,
  via?: Queryable,
): Promise<Product | null> {
  // On the pool directly (sqlQuery), not db.$queryRaw: same statement, a fraction of the CPU.
  const rows = await sqlQuery<ChangedRow & { notifications: string; eventId: string }>(
    Prisma.sql`
    WITH changed AS (${changed}),
    ordered AS (SELECT pg_advisory_xact_lock(${EVENT_ORDER_LOCK}::bigint) FROM changed),
    event AS (
      INSERT INTO "ProductEvent"
        ("productId", kind, sku, name, stock, "priceCents", "lowStockThreshold", version, delta, reason, actor,
         "stockLevel", "previousStockLevel",
         "previousSku", "previousName", "previousStock", "previousPriceCents", "previousLowStockThreshold")
      SELECT c.id, ${kind}::varchar, c.sku, c.name, c.stock, c."priceCents", c."lowStockThreshold", c.version,
             COALESCE(${delta ?? null}::int, CASE WHEN ${countsStock}::boolean THEN NULLIF(c.stock - c."previousStock", 0) END),
             ${reason ?? null}::varchar, ${actor.name}::varchar,
             stock_level(c.stock, c."lowStockThreshold"), stock_level(c."previousStock", c."previousLowStockThreshold"),
             c."previousSku", c."previousName", c."previousStock", c."previousPriceCents", c."previousLowStockThreshold"
      FROM changed c, ordered
      RETURNING *
    ),
    notified AS (SELECT pg_notify(${NOTIFY_CHANNEL}, ${feedEventJson}) FROM event e)
    SELECT c.*, (SELECT count(*) FROM notified) AS notifications, (SELECT id::text FROM event) AS "eventId"
    FROM changed c`,
    via,
  );
  if (rows.length === 0) return null;
  const {
    notifications: _notifications,
    previousSku: _previousSku,
    previousName: _previousName,
    previousStock: _previousStock,
    previousPriceCents: _previousPriceCents,
    previousLowStockThreshold: _previousLowStockThreshold,
    eventId,
    ...product
  } = rows[0];
  // Who changed what, with the event that records it: said once the change has committed.
  afterCommit(via, () =>
    log.info({ actor: actor.name, kind, productId: product.id, sku: product.sku, delta, eventId }, "product changed"),
  );
  return product;
}

// A unique-constraint violation (SQLSTATE 23505), as pg reports it.
const isUniqueViolation = (error: unknown) => (error as { code?: unknown }).code === "23505";

/** Why a write to an archived product is refused: it takes none until restored. */
export const archivedMessage = (product: Product) =>
  `${productName(product)} is archived since ${product.archivedAt!.toISOString()}; restore it to change it`;

const productArchived = (product: Product) =>
  new ApiError(409, "PRODUCT_ARCHIVED", archivedMessage(product), { current: toProductDto(product) });

/** 409 SKU_TAKEN; when the holder is archived, says so: SKUs stay unique, archived or not. */
async function skuTaken(sku: string): Promise<ApiError> {
  const holder = await db.product.findUnique({ where: { sku }, select: { name: true, sku: true, archivedAt: true } });
  const message = holder?.archivedAt
    ? `sku ${sku} belongs to the archived product ${productName(holder)}: a SKU stays unique after archiving, so restore that product or choose another sku`
    : `sku ${sku} is already used`;
  return new ApiError(409, "SKU_TAKEN", message);
}

function kindOf(changes: Omit<UpdateProductInput, "expectedVersion" | "expectedStock" | "reason">): EventKind {
  const changed = Object.entries(changes)
    .filter(([, value]) => value !== undefined)
    .map(([field]) => field);
  if (changed.length === 1 && changed[0] === "stock") return "stock";
  if (changed.length === 1 && changed[0] === "priceCents") return "price";
  return "update";
}

export async function createProduct(input: CreateProductInput, actor: Actor, via?: Queryable): Promise<ProductDto> {
  const { sku, name, priceCents, stock, lowStockThreshold } = input;
  const product = await commitChange(
    Prisma.sql`
      INSERT INTO "Product" (sku, name, "priceCents", stock, "lowStockThreshold", "updatedAt")
      VALUES (${sku}, ${name}, ${priceCents}::int, ${stock}::int, ${lowStockThreshold}::int, now())
      ON CONFLICT (sku) DO NOTHING
      RETURNING *, ${NO_PREVIOUS_STATE}`,
    { kind: "created", actor },
    via,
  );
  if (!product) throw await skuTaken(sku);
  return toProductDto(product);
}

/**
 * Sets fields; with `expectedVersion` the write applies only to that version (no lost update),
 * with `expectedStock` only while the stock is that (a count never undoes a sale, guarantee 9).
 * Values equal to the current ones are no change: no new version, no event, the product as it is.
 */
export async function updateProduct(
  id: number,
  input: UpdateProductInput,
  actor: Actor,
  via?: Queryable,
): Promise<ProductDto> {
  const { expectedVersion, expectedStock, reason, ...changes } = input;
  const updated = Prisma.sql`(
    COALESCE(${changes.sku ?? null}::varchar, p.sku),
    COALESCE(${changes.name ?? null}::varchar, p.name),
    COALESCE(${changes.stock ?? null}::int, p.stock),
    COALESCE(${changes.priceCents ?? null}::int, p."priceCents"),
    COALESCE(${changes.lowStockThreshold ?? null}::int, p."lowStockThreshold"))`;
  const outcome = await changeOrRefusal(
    id,
    Prisma.sql`
      UPDATE "Product" p SET
        (sku, name, stock, "priceCents", "lowStockThreshold") = ${updated},
        version = p.version + 1,
        "updatedAt" = now()
      FROM ${lockedRow(id)}
      WHERE p.id = old.id AND p."archivedAt" IS NULL
        AND (${expectedVersion ?? null}::int IS NULL OR p.version = ${expectedVersion ?? null}::int)
        AND (${expectedStock ?? null}::int IS NULL OR p.stock = ${expectedStock ?? null}::int)
        AND (p.sku, p.name, p.stock, p."priceCents", p."lowStockThreshold") IS DISTINCT FROM ${updated}
      RETURNING p.*, ${PREVIOUS_STATE}`,
    { kind: kindOf(changes), actor, reason, countsStock: expectedStock !== undefined },
    via,
    (current) =>
      !current.archivedAt &&
      (expectedVersion === undefined || expectedVersion === current.version) &&
      (expectedStock === undefined || expectedStock === current.stock) &&
      Object.entries(changes).some(
        ([field, value]) => value !== undefined && value !== current[field as keyof Product],
      ),
  ).catch(async (error) => {
    if (changes.sku && isUniqueViolation(error)) throw await skuTaken(changes.sku);
    throw error;
  });
  if ("changed" in outcome) return toProductDto(outcome.changed);
  const { current } = outcome;
  if (current.archivedAt) throw productArchived(current);
  // The stock first: it names what moved, and a client can offer to count again or apply the difference.
  if (expectedStock !== undefined && expectedStock !== current.stock) {
    throw new ApiError(
      409,
      "STOCK_CONFLICT",
      `${productName(current)} has ${current.stock} in stock, not the ${expectedStock} this count was made against: count again, or send the difference as a stock adjustment`,
      { current: toProductDto(current) },
    );
  }
  if (expectedVersion === undefined || expectedVersion === current.version) return toProductDto(current);
  throw new ApiError(
    409,
    "VERSION_CONFLICT",
    `${productName(current)} is at version ${current.version}, not ${expectedVersion}: reload and apply the change again`,
    { current: toProductDto(current) },
  );
}

/**
 * Adds `delta` to the stock in one atomic UPDATE; refuses to go below zero (or past 32 bits).
 * The stock before is the new one minus `delta`: a write that waited for the row re-applies
 * `stock + delta` to the row as committed meanwhile, so this is the row as locked, exactly,
 * without lockedRow's extra scan on the busiest write there is.
 */
export async function adjustStock(
  id: number,
  input: StockAdjustmentInput,
  actor: Actor,
  via?: Queryable,
): Promise<ProductDto> {
  const { delta, reason } = input;
  const outcome = await changeOrRefusal(
    id,
    Prisma.sql`
      UPDATE "Product" SET stock = stock + ${delta}::int, version = version + 1, "updatedAt" = now()
      WHERE id = ${id}::int AND "archivedAt" IS NULL AND stock::bigint + ${delta}::int BETWEEN 0 AND ${INT32_MAX}::int
      RETURNING *, ${previousState(`"Product"`, Prisma.sql`"Product".stock - ${delta}::int`)}`,
    { kind: "stock", actor, delta, reason },
    via,
    (current) => !current.archivedAt && current.stock + delta >= 0 && current.stock + delta <= INT32_MAX,
  );
  if ("changed" in outcome) return toProductDto(outcome.changed);
  const { current } = outcome;
  if (current.archivedAt) throw productArchived(current);
  const [code, message] =
    delta > 0
      ? ["STOCK_OUT_OF_RANGE", `the stock of ${productName(current)} would exceed ${INT32_MAX}`]
      : ["INSUFFICIENT_STOCK", `${productName(current)} has ${current.stock} in stock; cannot apply ${delta}`];
  throw new ApiError(409, code, message, { current: toProductDto(current) });
}

/**
 * Archives (`archive`) or restores a product: sets or clears archivedAt with a new version and
 * one event of kind `archived` or `restored` carrying the product's state, like every change.
 * 409 ALREADY_ARCHIVED / NOT_ARCHIVED when the product is in that state already.
 */
export async function setArchived(
  id: number,
  archive: boolean,
  { reason }: ArchiveInput,
  actor: Actor,
  via?: Queryable,
): Promise<ProductDto> {
  const outcome = await changeOrRefusal(
    id,
    // No field but archivedAt changes: the row as locked is also the state before.
    Prisma.sql`
      UPDATE "Product" SET
        "archivedAt" = ${archive ? Prisma.sql`now()` : Prisma.sql`NULL`}, version = version + 1, "updatedAt" = now()
      WHERE id = ${id}::int AND "archivedAt" IS ${archive ? Prisma.sql`NULL` : Prisma.sql`NOT NULL`}
      RETURNING *, ${previousState(`"Product"`)}`,
    { kind: archive ? "archived" : "restored", actor, reason },
    via,
    (current) => (current.archivedAt === null) === archive,
  );
  if ("changed" in outcome) return toProductDto(outcome.changed);
  const { current } = outcome;
  const details = { current: toProductDto(current) };
  if (archive) {
    const since = current.archivedAt!.toISOString();
    throw new ApiError(409, "ALREADY_ARCHIVED", `${productName(current)} is archived already, since ${since}`, details);
  }
  throw new ApiError(
    409,
    "NOT_ARCHIVED",
    `${productName(current)} is not archived; there is nothing to restore`,
    details,
  );
}
