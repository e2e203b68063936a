// Every write to a product: one transaction that updates the row, records the ProductEvent and
// notifies listeners, so that a committed change always has exactly one event (guarantee 2).
import { db } from "@/lib/db";
import { ApiError, notFound } from "@/lib/errors";
import { NOTIFY_CHANNEL, toFeedEvent, type EventKind } from "@/lib/events/feed-event";
import { Prisma, type Product } from "@/lib/generated/prisma/client";
import { toProductDto, type ProductDto } from "@/lib/products/dto";
import {
  INT32_MAX,
  type CreateProductInput,
  type StockAdjustmentInput,
  type UpdateProductInput,
} from "@/lib/products/validation";

type Tx = Prisma.TransactionClient;

/** Who made a change, and why: kept in ProductEvent for the audit trail. */
export type Actor = { name: string };

// Serialises event-id assignment until commit (guarantee 3): ids come from a sequence before
// commit, so without this a lower id could commit after a higher one and `id > N` would skip it.
const EVENT_ORDER_LOCK = 7_310_001;

const TRANSACTION_OPTIONS = { maxWait: 10_000, timeout: 10_000 };

async function recordEvent(
  tx: Tx,
  product: Product,
  change: { kind: EventKind; actor: Actor; delta?: number; reason?: string },
) {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${EVENT_ORDER_LOCK})`;
  const event = await tx.productEvent.create({
    data: {
      productId: product.id,
      kind: change.kind,
      name: product.name,
      stock: product.stock,
      priceCents: product.priceCents,
      lowStockThreshold: product.lowStockThreshold,
      version: product.version,
      delta: change.delta ?? null,
      reason: change.reason ?? null,
      actor: change.actor.name,
    },
  });
  await tx.$executeRaw`SELECT pg_notify(${NOTIFY_CHANNEL}, ${JSON.stringify(toFeedEvent(event))})`;
}

function isRecordNotFound(error: unknown) {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2025";
}

function isUniqueViolation(error: unknown) {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
}

function kindOf(changes: Omit<UpdateProductInput, "expectedVersion">): EventKind {
  const changed = Object.entries(changes)
    .filter(([, value]) => value !== undefined)
    .map(([field]) => field);
  if (changed.length === 1 && changed[0] === "stock") return "stock";
  if (changed.length === 1 && changed[0] === "priceCents") return "price";
  return "update";
}

export async function createProduct(input: CreateProductInput, actor: Actor): Promise<ProductDto> {
  try {
    const product = await db.$transaction(async (tx) => {
      const created = await tx.product.create({ data: input });
      await recordEvent(tx, created, { kind: "created", actor });
      return created;
    }, TRANSACTION_OPTIONS);
    return toProductDto(product);
  } catch (error) {
    if (isUniqueViolation(error)) throw new ApiError(409, "SKU_TAKEN", `sku ${input.sku} is already used`);
    throw error;
  }
}

/** Sets fields; with `expectedVersion` the write applies only to that version (no lost update). */
export async function updateProduct(id: number, input: UpdateProductInput, actor: Actor): Promise<ProductDto> {
  const { expectedVersion, ...changes } = input;
  try {
    const product = await db.$transaction(async (tx) => {
      const updated = await tx.product.update({
        where: { id, ...(expectedVersion === undefined ? {} : { version: expectedVersion }) },
        data: { ...changes, version: { increment: 1 } },
      });
      await recordEvent(tx, updated, { kind: kindOf(changes), actor });
      return updated;
    }, TRANSACTION_OPTIONS);
    return toProductDto(product);
  } catch (error) {
    if (!isRecordNotFound(error)) throw error;
    const current = await db.product.findUnique({ where: { id } });
    if (!current) throw notFound(`product ${id}`);
    throw new ApiError(
      409,
      "VERSION_CONFLICT",
      `product ${id} is at version ${current.version}, not ${expectedVersion}: reload and apply the change again`,
      { current: toProductDto(current) },
    );
  }
}

/** Adds `delta` to the stock in one atomic UPDATE; refuses to go below zero. */
export async function adjustStock(id: number, input: StockAdjustmentInput, actor: Actor): Promise<ProductDto> {
  const { delta, reason } = input;
  try {
    const product = await db.$transaction(async (tx) => {
      const updated = await tx.product.update({
        // Both bounds in the UPDATE itself: no read-then-write race, no integer overflow.
        where: { id, stock: delta < 0 ? { gte: -delta } : { lte: INT32_MAX - delta } },
        data: { stock: { increment: delta }, version: { increment: 1 } },
      });
      await recordEvent(tx, updated, { kind: "stock", actor, delta, reason });
      return updated;
    }, TRANSACTION_OPTIONS);
    return toProductDto(product);
  } catch (error) {
    if (!isRecordNotFound(error)) throw error;
    const current = await db.product.findUnique({ where: { id } });
    if (!current) throw notFound(`product ${id}`);
    if (delta > 0) {
      throw new ApiError(409, "STOCK_OUT_OF_RANGE", `stock of product ${id} would exceed ${INT32_MAX}`, {
        current: toProductDto(current),
      });
    }
    throw new ApiError(
      409,
      "INSUFFICIENT_STOCK",
      `product ${id} has ${current.stock} in stock; cannot apply ${delta}`,
      { current: toProductDto(current) },
    );
  }
}
