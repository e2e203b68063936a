// CSV import of a stocktake or a price list (docs/api.md, "CSV import"): a preview that says what
// each row would change, and an apply that changes it all or nothing, through the bulk writes of
// lib/products/bulk.ts with one reason. The preview answers `asOf`, the newest event it saw; an
// apply that carries it back is refused (409) when a product of the file changed since, naming
// the lines: the user applies what they saw, or previews again.
import type pg from "pg";
import type { Actor } from "@/lib/actor";
import { pool, sqlQuery, withTransaction, type Queryable } from "@/lib/db";
import { ApiError } from "@/lib/errors";
import { Prisma, type Product } from "@/lib/generated/prisma/client";
import { readImportFile, type ImportFile, type ImportKind, type Problem } from "@/lib/imports/csv";
import type { ImportChange, ImportPreview, ImportResult, UnknownSku } from "@/lib/imports/dto";
import { setLockedCounts, setLockedPrices } from "@/lib/products/bulk";
import { throughGate } from "@/lib/products/mutations";
import { productName } from "@/lib/products/naming";

/**
 * Whether a row may change this product; the reason when not, for both preview and apply. An
 * archived product takes no writes (docs/api.md, Archiving): its row is listed with the unknown
 * ones, so the file is refused until it is restored or the row removed.
 */
export function notImportable(product: Product): string | null {
  return product.archivedAt ? `${productName(product)} is archived; restore it or remove this row` : null;
}

const currentValue = (kind: ImportKind, product: Product) =>
  kind === "stocktake" ? product.stock : product.priceCents;

/** The file's products by sku, as `client` sees them; `lock` takes their row locks in id order. */
async function productsBySku(client: Queryable, skus: string[], lock: boolean): Promise<Map<string, Product>> {
  const rows = await sqlQuery<Product>(
    Prisma.sql`SELECT * FROM "Product" WHERE sku = ANY(${skus}::varchar[]) ORDER BY id ${lock ? Prisma.sql`FOR UPDATE` : Prisma.empty}`,
    client,
  );
  return new Map(rows.map((row) => [row.sku, row]));
}

/** What the file would change against `products`: changes, unchanged count, unknown skus. */
function plan(file: ImportFile, products: Map<string, Product>) {
  const changes: ImportChange[] = [];
  const unknown: UnknownSku[] = [];
  let unchanged = 0;
  for (const row of file.rows) {
    const product = products.get(row.sku);
    const refusal = product ? notImportable(product) : `no product has sku ${row.sku}`;
    if (!product || refusal) {
      unknown.push({ line: row.line, sku: row.sku, message: refusal! });
      continue;
    }
    const old = currentValue(file.kind, product);
    if (old === row.value) unchanged++;
    else {
      const { id: productId, name, version } = product;
      changes.push({ line: row.line, sku: row.sku, productId, name, version, old, new: row.value });
    }
  }
  return { changes, unknown, unchanged };
}

/** POST /api/v1/imports/preview: what applying the file would do. Changes nothing. */
export async function previewImport(bytes: Uint8Array, kind: ImportKind, currency: string): Promise<ImportPreview> {
  const file = readImportFile(bytes, kind, currency);
  const client = await pool.connect();
  try {
    // One snapshot for the products and the newest event id, so asOf is exactly what was seen
    // (event ids commit in order, guarantee 3).
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    const [{ asOf }] = await sqlQuery<{ asOf: string }>(
      Prisma.sql`SELECT COALESCE(max(id), 0)::text AS "asOf" FROM "ProductEvent"`,
      client,
    );
    const products = await productsBySku(
      client,
      file.rows.map((row) => row.sku),
      false,
    );
    await client.query("COMMIT");
    const { changes, unknown, unchanged } = plan(file, products);
    const { delimiter, notes, ignoredColumns, problems } = file;
    return {
      kind,
      currency,
      delimiter,
      notes,
      ignoredColumns,
      rows: file.rows.length + new Set(problems.map((problem) => problem.line)).size,
      changes,
      unchanged,
      unknown,
      invalid: problems,
      asOf,
      canApply: problems.length === 0 && unknown.length === 0,
    };
  } finally {
    await client.query("ROLLBACK").catch(() => undefined);
    client.release();
  }
}

const listLines = (lines: number[]) =>
  lines.length <= 10 ? lines.join(", ") : `${lines.slice(0, 10).join(", ")} and ${lines.length - 10} more`;

/** 400 IMPORT_INVALID: the file has rows that cannot be imported; nothing was changed. */
function invalidImport(invalid: Problem[], unknown: UnknownSku[]) {
  const lines = [...new Set([...invalid, ...unknown].map((problem) => problem.line))].sort((a, b) => a - b);
  return new ApiError(
    400,
    "IMPORT_INVALID",
    `Nothing was imported: line${lines.length === 1 ? "" : "s"} ${listLines(lines)} cannot be imported (preview the file for each problem)`,
    { invalid, unknown },
  );
}

/**
 * The file to apply, read and checked before the change begins (so a refusal here is not kept
 * under an Idempotency-Key): a file that cannot be read, or has invalid cells, is a 400.
 */
export function readFileToApply(bytes: Uint8Array, kind: ImportKind, currency: string): ImportFile {
  const file = readImportFile(bytes, kind, currency);
  if (file.problems.length > 0) throw invalidImport(file.problems, []);
  return file;
}

/**
 * A 400 for an asOf no preview can have answered: an id no event has had yet. With it, the
 * apply's check would find no later change and be skipped, not passed. Event ids only grow, so
 * this holds before the change's transaction as well as in it.
 */
export async function requireSeenEventId(asOf: string) {
  const [{ issued }] = await sqlQuery<{ issued: string }>(
    Prisma.sql`SELECT COALESCE(pg_sequence_last_value(pg_get_serial_sequence('"ProductEvent"', 'id')::regclass), 0)::text AS issued`,
  );
  if (BigInt(asOf) > BigInt(issued)) {
    const message = `asOf ${asOf} is newer than any event: pass the preview's asOf, or none to apply to the current values`;
    throw new ApiError(400, "VALIDATION_FAILED", message, { issues: [{ path: "asOf", message }] });
  }
}

/**
 * POST /api/v1/imports: applies the file (readFileToApply's) all or nothing with one reason.
 * With `asOf` (from the preview), refused when any of its products changed after that event.
 * `via`: the idempotent request's transaction, when it has one.
 */
export async function applyImport(
  file: ImportFile,
  options: { reason: string; asOf?: string },
  actor: Actor,
  via?: pg.PoolClient,
): Promise<ImportResult> {
  const { kind } = file;
  const { reason, asOf } = options;
  const run = async (client: pg.PoolClient): Promise<ImportResult> => {
    const products = await productsBySku(
      client,
      file.rows.map((row) => row.sku),
      true,
    );
    if (asOf !== undefined) {
      // Events before the retained history are gone: a change after such a preview cannot be ruled out.
      const [{ oldest }] = await sqlQuery<{ oldest: string | null }>(
        Prisma.sql`SELECT min(id)::text AS oldest FROM "ProductEvent"`,
        client,
      );
      if (oldest !== null && BigInt(asOf) < BigInt(oldest) - BigInt(1)) {
        throw new ApiError(409, "PREVIEW_STALE", "The preview is older than the kept history: preview the file again", {
          lines: file.rows.map((row) => row.line),
        });
      }
      const moved = await sqlQuery<{ productId: number }>(
        Prisma.sql`SELECT DISTINCT "productId" FROM "ProductEvent"
                   WHERE id > ${asOf}::bigint AND "productId" = ANY(${[...products.values()].map((product) => product.id)}::int[])`,
        client,
      );
      const movedIds = new Set(moved.map((row) => row.productId));
      const lines = file.rows.filter((row) => movedIds.has(products.get(row.sku)!.id)).map((row) => row.line);
      if (lines.length > 0) {
        throw new ApiError(
          409,
          "PREVIEW_STALE",
          `The product${lines.length === 1 ? "" : "s"} on line${lines.length === 1 ? "" : "s"} ${listLines(lines)} changed after the preview: preview the file again`,
          { lines },
        );
      }
    }
    const { unknown, unchanged } = plan(file, products);
    if (unknown.length > 0) throw invalidImport([], unknown);
    // Locked above, in id order: the bulk writes' lock order, so imports and bulks queue, never deadlock.
    const result =
      kind === "stocktake"
        ? await setLockedCounts(
            client,
            file.rows.map((row) => ({ product: products.get(row.sku)!, count: row.value })),
            reason,
            actor,
          )
        : await setLockedPrices(
            client,
            file.rows.map((row) => ({ product: products.get(row.sku)!, priceCents: row.value })),
            reason,
            actor,
          );
    return { kind, rows: file.rows.length, changed: result.changed, unchanged, lastEventId: result.lastEventId };
  };
  return via ? run(via) : throughGate(() => withTransaction(run));
}
