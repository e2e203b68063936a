// Every write to a product is one SQL statement, committed on its own: it changes the Product
// row (with its version or stock condition), takes the event-order lock, inserts the
// ProductEvent and notifies listeners. So a committed change always has exactly one event
// (guarantee 2), and the row and order locks are held for one round trip, not six: a product
// that sells fast is limited by PostgreSQL, not by client round trips (bench/fanout.ts).
import type { Actor } from "@/lib/actor";
import { db, sqlQuery } from "@/lib/db";
import { ApiError, notFound } from "@/lib/errors";
import { NOTIFY_CHANNEL, type EventKind } from "@/lib/events/feed-event";
import { Prisma, type Product } from "@/lib/generated/prisma/client";
import { toProductDto, type ProductDto } from "@/lib/products/dto";
import {
  INT32_MAX,
  type CreateProductInput,
  type StockAdjustmentInput,
  type UpdateProductInput,
} from "@/lib/products/validation";

type Change = { kind: EventKind; actor: Actor; delta?: number; reason?: string };

// Serialises event-id assignment until commit (guarantee 3): ids come from a sequence before
// commit, so without this a lower id could commit after a higher one and `id > N` would skip it.
// Taken after the row lock and before the event's id is drawn; released at commit.
const EVENT_ORDER_LOCK = 7_310_001;

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

async function throughGate<T>(run: () => Promise<T>): Promise<T> {
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
 * Runs `changed` (an UPDATE or INSERT on "Product" ... RETURNING *) and, for the row it returns,
 * records the event and sends the notification (the feed's JSON shape, see feed-event.ts), all
 * in one statement. Returns the product as changed, or null when `changed` matched no row.
 */
function commitChange(changed: Prisma.Sql, change: Change): Promise<Product | null> {
  return throughGate(() => runChange(changed, change));
}

async function runChange(changed: Prisma.Sql, { kind, actor, delta, reason }: Change): Promise<Product | null> {
  // On the pool directly (sqlQuery), not db.$queryRaw: same statement, a fraction of the CPU.
  const rows = await sqlQuery<Product & { notifications: string }>(Prisma.sql`
    WITH changed AS (${changed}),
    ordered AS (SELECT pg_advisory_xact_lock(${EVENT_ORDER_LOCK}::bigint) FROM changed),
    event AS (
      INSERT INTO "ProductEvent"
        ("productId", kind, sku, name, stock, "priceCents", "lowStockThreshold", version, delta, reason, actor)
      SELECT c.id, ${kind}::varchar, c.sku, c.name, c.stock, c."priceCents", c."lowStockThreshold", c.version,
             ${delta ?? null}::int, ${reason ?? null}::varchar, ${actor.name}::varchar
      FROM changed c, ordered
      RETURNING id, "createdAt"
    ),
    notified AS (
      SELECT pg_notify(${NOTIFY_CHANNEL}, json_build_object(
        'eventId', e.id::text, 'productId', c.id, 'newStock', c.stock, 'newPrice', c."priceCents",
        'version', c.version, 'kind', ${kind}::text,
        'at', to_char(e."createdAt" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
        'sku', c.sku, 'name', c.name, 'lowStockThreshold', c."lowStockThreshold", 'delta', ${delta ?? null}::int
      )::text)
      FROM changed c, event e
    )
    SELECT c.*, (SELECT count(*) FROM notified) AS notifications FROM changed c`);
  if (rows.length === 0) return null;
  const { notifications: _notifications, ...product } = rows[0];
  return product;
}

// A unique-constraint violation (SQLSTATE 23505), as pg reports it.
const isUniqueViolation = (error: unknown) => (error as { code?: unknown }).code === "23505";

function kindOf(changes: Omit<UpdateProductInput, "expectedVersion">): EventKind {
  const changed = Object.entries(changes)
    .filter(([, value]) => value !== undefined)
    .map(([field]) => field);
  if (changed.length === 1 && changed[0] === "stock") return "stock";
  if (changed.length === 1 && changed[0] === "priceCents") return "price";
  return "update";
}

export async function createProduct(input: CreateProductInput, actor: Actor): Promise<ProductDto> {
  const { sku, name, priceCents, stock, lowStockThreshold } = input;
  const product = await commitChange(
    Prisma.sql`
      INSERT INTO "Product" (sku, name, "priceCents", stock, "lowStockThreshold", "updatedAt")
      VALUES (${sku}, ${name}, ${priceCents}::int, ${stock}::int, ${lowStockThreshold}::int, now())
      ON CONFLICT (sku) DO NOTHING
      RETURNING *`,
    { kind: "created", actor },
  );
  if (!product) throw new ApiError(409, "SKU_TAKEN", `sku ${sku} is already used`);
  return toProductDto(product);
}

/**
 * Sets fields; with `expectedVersion` the write applies only to that version (no lost update).
 * Values equal to the current ones are no change: no new version, no event, the product as it is.
 */
export async function updateProduct(id: number, input: UpdateProductInput, actor: Actor): Promise<ProductDto> {
  const { expectedVersion, ...changes } = input;
  const updated = Prisma.sql`(
    COALESCE(${changes.sku ?? null}::varchar, sku),
    COALESCE(${changes.name ?? null}::varchar, name),
    COALESCE(${changes.stock ?? null}::int, stock),
    COALESCE(${changes.priceCents ?? null}::int, "priceCents"),
    COALESCE(${changes.lowStockThreshold ?? null}::int, "lowStockThreshold"))`;
  const product = await commitChange(
    Prisma.sql`
      UPDATE "Product" SET
        (sku, name, stock, "priceCents", "lowStockThreshold") = ${updated},
        version = version + 1,
        "updatedAt" = now()
      WHERE id = ${id}::int AND (${expectedVersion ?? null}::int IS NULL OR version = ${expectedVersion ?? null}::int)
        AND (sku, name, stock, "priceCents", "lowStockThreshold") IS DISTINCT FROM ${updated}
      RETURNING *`,
    { kind: kindOf(changes), actor },
  ).catch((error) => {
    if (changes.sku && isUniqueViolation(error))
      throw new ApiError(409, "SKU_TAKEN", `sku ${changes.sku} is already used`);
    throw error;
  });
  if (product) return toProductDto(product);

  const current = await db.product.findUnique({ where: { id } });
  if (!current) throw notFound(`product ${id}`);
  if (expectedVersion === undefined || expectedVersion === current.version) return toProductDto(current);
  throw new ApiError(
    409,
    "VERSION_CONFLICT",
    `product ${id} is at version ${current.version}, not ${expectedVersion}: reload and apply the change again`,
    { current: toProductDto(current) },
  );
}

/** Adds `delta` to the stock in one atomic UPDATE; refuses to go below zero (or past 32 bits). */
export async function adjustStock(id: number, input: StockAdjustmentInput, actor: Actor): Promise<ProductDto> {
  const { delta, reason } = input;
  const product = await commitChange(
    Prisma.sql`
      UPDATE "Product" SET stock = stock + ${delta}::int, version = version + 1, "updatedAt" = now()
      WHERE id = ${id}::int AND stock::bigint + ${delta}::int BETWEEN 0 AND ${INT32_MAX}::int
      RETURNING *`,
    { kind: "stock", actor, delta, reason },
  );
  if (product) return toProductDto(product);

  const current = await db.product.findUnique({ where: { id } });
  if (!current) throw notFound(`product ${id}`);
  const [code, message] =
    delta > 0
      ? ["STOCK_OUT_OF_RANGE", `stock of product ${id} would exceed ${INT32_MAX}`]
      : ["INSUFFICIENT_STOCK", `product ${id} has ${current.stock} in stock; cannot apply ${delta}`];
  throw new ApiError(409, code, message, { current: toProductDto(current) });
}
