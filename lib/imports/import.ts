// CSV import of a stocktake or a price list (docs/api.md, "CSV import"): a preview that says what
// each row would change, and an apply that changes it all or nothing, through the bulk writes of
// lib/products/bulk.ts with one reason. The preview answers `asOf`, the newest event it saw; an
// apply that carries it back is refused (409) when a product it would write changed since, naming
// the lines: the user applies what they saw, or previews again.
//
// Stock moves while people work, so a row that carries the value it was taken at (the product
// export's expectedStock / expectedPrice) writes only what its sender changed: a row still at
// that value is no change (a sale made since stays), and an edited row whose product's value moved
// since is a conflict, refused or, asked for, skipped. Unknown skus are skipped only when asked.
import type pg from "pg";
import type { Actor } from "@/lib/actor";
import { pool, sqlQuery, withTransaction, type Queryable } from "@/lib/db";
import { ApiError } from "@/lib/errors";
import { Prisma, type Product } from "@/lib/generated/prisma/client";
import { readImportFile, type ImportFile, type ImportKind, type ImportRow, type Problem } from "@/lib/imports/csv";
import type {
  ImportChange,
  ImportConflict,
  ImportPreview,
  ImportResult,
  SkippedRow,
  UnknownSku,
} from "@/lib/imports/dto";
import type { ImportOptions } from "@/lib/imports/request";
import { formatAmount } from "@/lib/money";
import { setLockedCounts, setLockedPrices } from "@/lib/products/bulk";
import { throughGate } from "@/lib/products/mutations";
import { productName } from "@/lib/products/naming";

type SkipOptions = Pick<ImportOptions, "unknownSkus" | "conflicts">;

/**
 * Whether a row may change this product; the reason when not, for both preview and apply. An
 * archived product takes no writes (docs/api.md, Archiving): its row is listed with the unknown
 * ones, so the file is refused until it is restored, the row removed, or unknown skus skipped.
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

/** A row and the (locked) product it names: the rows that write, and those the asOf check covers. */
type Write = { row: ImportRow; product: Product };

type Plan = {
  changes: ImportChange[];
  writes: Write[];
  unknown: UnknownSku[];
  conflicts: ImportConflict[];
  skipped: SkippedRow[];
  unchanged: number;
};

/**
 * What the file would do against `products`. A row is unknown (no active product), unchanged
 * (its value is the product's; or it carries a guard and its value is still the guard's: nobody
 * edited it, whatever moved since), a conflict (guarded, edited, and the product's value is no
 * longer the guard's), or a change. Unknown rows and conflicts are skipped when the options say so.
 */
function plan(file: ImportFile, products: Map<string, Product>, options: SkipOptions): Plan {
  const result: Plan = { changes: [], writes: [], unknown: [], conflicts: [], skipped: [], unchanged: 0 };
  const what = file.kind === "stocktake" ? "stock" : "price";
  const show = (value: number) => (file.kind === "prices" ? formatAmount(value, file.currency) : String(value));
  for (const row of file.rows) {
    const product = products.get(row.sku);
    const refusal = product ? notImportable(product) : `no product has sku ${row.sku}`;
    if (!product || refusal) {
      result.unknown.push({ line: row.line, sku: row.sku, message: refusal! });
      if (options.unknownSkus === "skip")
        result.skipped.push({ line: row.line, sku: row.sku, reason: "unknown", message: refusal! });
      continue;
    }
    const old = currentValue(file.kind, product);
    const { id: productId, name, version } = product;
    if (old === row.value || row.value === row.expected) {
      result.unchanged++;
    } else if (row.expected !== undefined && old !== row.expected) {
      const conflict = { line: row.line, sku: row.sku, productId, name, expected: row.expected, current: old };
      result.conflicts.push({ ...conflict, new: row.value });
      if (options.conflicts === "skip") {
        const message =
          `the ${what} moved since the row was taken (${file.expectedColumn} ${show(row.expected)}, now ${show(old)}); ` +
          `its ${file.valueColumn} ${show(row.value)} was not applied`;
        result.skipped.push({ line: row.line, sku: row.sku, reason: "conflict", message });
      }
    } else {
      result.changes.push({ line: row.line, sku: row.sku, productId, name, version, old, new: row.value });
      result.writes.push({ row, product });
    }
  }
  result.skipped.sort((a, b) => a.line - b.line);
  return result;
}

const canApply = (problems: Problem[], planned: Plan, options: SkipOptions) =>
  problems.length === 0 &&
  (planned.unknown.length === 0 || options.unknownSkus === "skip") &&
  (planned.conflicts.length === 0 || options.conflicts === "skip");

/** POST /api/v1/imports/preview: what applying the file with these options would do. Changes nothing. */
export async function previewImport(
  bytes: Uint8Array,
  options: ImportOptions,
  currency: string,
): Promise<ImportPreview> {
  const { kind } = options;
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
    const planned = plan(file, products, options);
    const { delimiter, notes, ignoredColumns, problems } = file;
    return {
      kind,
      currency,
      delimiter,
      notes,
      ignoredColumns,
      rows: file.rows.length + new Set(problems.map((problem) => problem.line)).size,
      changes: planned.changes,
      unchanged: planned.unchanged,
      unknown: planned.unknown,
      conflicts: planned.conflicts,
      invalid: problems,
      skipped: planned.skipped,
      asOf,
      canApply: canApply(problems, planned, options),
    };
  } finally {
    await client.query("ROLLBACK").catch(() => undefined);
    client.release();
  }
}

const listLines = (lines: number[]) =>
  lines.length <= 10 ? lines.join(", ") : `${lines.slice(0, 10).join(", ")} and ${lines.length - 10} more`;
const plural = (n: number, word: string) => `${word}${n === 1 ? "" : "s"}`;

/** 400 IMPORT_INVALID: the file has rows that cannot be imported; nothing was changed. */
function invalidImport(invalid: Problem[], unknown: UnknownSku[]) {
  const lines = [...new Set([...invalid, ...unknown].map((problem) => problem.line))].sort((a, b) => a - b);
  const skus = unknown.map((row) => `${row.sku} (line ${row.line})`);
  const named =
    unknown.length === 0
      ? ""
      : `; no active product has the ${plural(skus.length, "sku")} ${skus.slice(0, 10).join(", ")}` +
        `${skus.length > 10 ? ` and ${skus.length - 10} more` : ""}: remove ${unknown.length === 1 ? "that row" : "those rows"} ` +
        "or skip unknown skus (unknownSkus=skip)";
  return new ApiError(
    400,
    "IMPORT_INVALID",
    `Nothing was imported: ${plural(lines.length, "line")} ${listLines(lines)} cannot be imported (preview the file for each problem)${named}`,
    { invalid, unknown },
  );
}

/** 409 IMPORT_CONFLICT: edited rows whose value moved since they were taken; nothing was changed. */
function conflictingImport(kind: ImportKind, conflicts: ImportConflict[]) {
  const lines = conflicts.map((conflict) => conflict.line);
  const what = kind === "stocktake" ? "stock" : "price";
  return new ApiError(
    409,
    "IMPORT_CONFLICT",
    `Nothing was imported: the ${what} of the ${plural(lines.length, "product")} on ${plural(lines.length, "line")} ` +
      `${listLines(lines)} moved since the file was taken, and the file changes it: ` +
      `${kind === "stocktake" ? "count again" : "check the price"}, or skip conflicts (conflicts=skip)`,
    { conflicts },
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
 * 409 PREVIEW_STALE when a product of `rows` has an event after `asOf`. Only rows without a
 * guard are given: a guarded row checks the one value it writes itself, under the row lock, so a
 * sale on any of a 10,000-row export's products between preview and apply does not refuse it.
 */
async function requireUnchangedSince(client: pg.PoolClient, asOf: string, rows: Write[]) {
  if (rows.length === 0) return;
  // Events before the retained history are gone: a change after such a preview cannot be ruled out.
  const [{ oldest }] = await sqlQuery<{ oldest: string | null }>(
    Prisma.sql`SELECT min(id)::text AS oldest FROM "ProductEvent"`,
    client,
  );
  if (oldest !== null && BigInt(asOf) < BigInt(oldest) - BigInt(1)) {
    throw new ApiError(409, "PREVIEW_STALE", "The preview is older than the kept history: preview the file again", {
      lines: rows.map(({ row }) => row.line),
    });
  }
  const moved = await sqlQuery<{ productId: number }>(
    Prisma.sql`SELECT DISTINCT "productId" FROM "ProductEvent"
               WHERE id > ${asOf}::bigint AND "productId" = ANY(${rows.map(({ product }) => product.id)}::int[])`,
    client,
  );
  const movedIds = new Set(moved.map((row) => row.productId));
  const lines = rows.filter(({ product }) => movedIds.has(product.id)).map(({ row }) => row.line);
  if (lines.length > 0) {
    throw new ApiError(
      409,
      "PREVIEW_STALE",
      `The ${plural(lines.length, "product")} on ${plural(lines.length, "line")} ${listLines(lines)} changed after the preview: preview the file again`,
      { lines },
    );
  }
}

/**
 * POST /api/v1/imports: applies the file (readFileToApply's) all or nothing with one reason:
 * every row it does not skip is applied, or none. With `asOf` (from the preview), refused when a
 * product an unguarded row names changed after that event. `via`: the idempotent request's
 * transaction, when it has one.
 */
export async function applyImport(
  file: ImportFile,
  options: SkipOptions & { reason: string; asOf?: string },
  actor: Actor,
  via?: pg.PoolClient,
): Promise<ImportResult> {
  const { kind } = file;
  const { reason, asOf } = options;
  const run = async (client: pg.PoolClient): Promise<ImportResult> => {
    // Locked in id order: the bulk writes' lock order, so imports and bulks queue, never deadlock.
    // The plan is made on the locked rows, so what it finds holds until COMMIT.
    const products = await productsBySku(
      client,
      file.rows.map((row) => row.sku),
      true,
    );
    const planned = plan(file, products, options);
    if (planned.unknown.length > 0 && options.unknownSkus !== "skip") throw invalidImport([], planned.unknown);
    if (asOf !== undefined) {
      // Every unguarded row of a known product, written or not: one the preview saw change may
      // have become unchanged, or the other way round.
      const unguarded = file.rows.flatMap((row) => {
        const product = products.get(row.sku);
        return row.expected === undefined && product && !notImportable(product) ? [{ row, product }] : [];
      });
      await requireUnchangedSince(client, asOf, unguarded);
    }
    if (planned.conflicts.length > 0 && options.conflicts !== "skip") throw conflictingImport(kind, planned.conflicts);
    const result =
      kind === "stocktake"
        ? await setLockedCounts(
            client,
            planned.writes.map(({ row, product }) => ({ product, count: row.value, expectedStock: row.expected })),
            reason,
            actor,
          )
        : await setLockedPrices(
            client,
            planned.writes.map(({ row, product }) => ({
              product,
              priceCents: row.value,
              expectedPriceCents: row.expected,
            })),
            reason,
            actor,
          );
    return {
      kind,
      rows: file.rows.length,
      changed: result.changed,
      unchanged: planned.unchanged,
      skipped: planned.skipped,
      lastEventId: result.lastEventId,
    };
  };
  return via ? run(via) : throughGate(() => withTransaction(run));
}
