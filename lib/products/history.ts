// The audit trail as an accountant reads it: every event, newest first, filtered by product,
// person, reason, kind and date, a page at a time by cursor (never by offset, so a page is as
// cheap at event 100,000 as at event 1 and new events do not shift it). The JSON routes and the
// CSV export share the filters (one `where`) and the keyset order (id descending).
import { z } from "zod";
import { db } from "@/lib/db";
import { ApiError, notFound } from "@/lib/errors";
import { eventIdSchema } from "@/lib/events/feed-request";
import type { Prisma, ProductEvent } from "@/lib/generated/prisma/client";
import { eventKindSchema, toHistoryEntry, type ProductHistoryEntry } from "@/lib/products/dto";
import { historyLimitSchema, productIdSchema } from "@/lib/products/validation";
import { queryValues, rejectUnknownParameters } from "@/lib/http/query";

/** One value of a query parameter: given twice is an error, not a guess. */
const single = <Value>(name: string, schema: z.ZodType<Value>) =>
  z
    .array(z.string())
    .max(1, `give ${name} once`)
    .optional()
    .transform((values, context): Value | undefined => {
      if (values === undefined || values.length === 0) return undefined;
      const result = schema.safeParse(values[0]);
      if (result.success) return result.data;
      for (const issue of result.error.issues) context.addIssue({ code: "custom", message: issue.message });
      return z.NEVER;
    });

const DAY = /^\d{4}-\d{2}-\d{2}$/;
// Moments outside years 1-9999 (UTC) are no timestamp PostgreSQL or Prisma takes: a 400, not a 500.
const EARLIEST = new Date("0001-01-01T00:00:00.000Z");
const LATEST = new Date("9999-12-31T23:59:59.999Z");

/**
 * A moment in time: an ISO 8601 date-time with its offset (`2026-11-01T09:00:00Z`,
 * `...+01:00`), or a date alone, which is a whole UTC day: `from` starts at its 00:00 UTC, `to`
 * includes it (ends at the next day's 00:00 UTC).
 */
const moment = (name: string, dateAlone: "start" | "end") =>
  z
    .string()
    .refine(
      (value) => (DAY.test(value) ? isCalendarDay(value) : z.iso.datetime({ offset: true }).safeParse(value).success),
      `${name} must be a date (2026-11-30, a UTC day) or an ISO 8601 date-time with offset (2026-11-30T09:00:00Z)`,
    )
    .transform((value, context) => {
      const date = new Date(DAY.test(value) ? `${value}T00:00:00Z` : value);
      if (DAY.test(value) && dateAlone === "end") date.setUTCDate(date.getUTCDate() + 1);
      // The last day there is ends at the last instant there is (no event is later).
      if (date > LATEST && DAY.test(value) && dateAlone === "end") return LATEST;
      if (date < EARLIEST || date > LATEST) {
        context.addIssue({
          code: "custom",
          message: `${name} must be between 0001-01-01 and 9999-12-31 (UTC), the dates PostgreSQL and ISO 8601 share`,
        });
        return z.NEVER;
      }
      return date;
    });

/** Whether a YYYY-MM-DD is a day of the calendar (Date would take 2026-02-30 as March 2). */
function isCalendarDay(value: string): boolean {
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}

const text = (name: string) =>
  z
    .string()
    .min(1, `${name} must not be empty`)
    .max(200, `${name} must be at most 200 characters`)
    .refine((value) => !value.includes("\u0000"), `${name} must not contain NUL characters`);

const KINDS = eventKindSchema.options;
type Kind = (typeof KINDS)[number];

/** Filters of the history (all optional): what GET /api/v1/events and the CSV export accept. */
const filterShape = {
  actor: single("actor", text("actor")),
  reason: single("reason", text("reason")),
  // kind=stock&kind=price or kind=stock,price
  kind: z
    .array(z.string())
    .optional()
    .transform((values, context): Kind[] | undefined => {
      const kinds = (values ?? []).flatMap((value) => value.split(","));
      const unknown = kinds.filter((kind) => !(KINDS as readonly string[]).includes(kind));
      if (unknown.length > 0) {
        context.addIssue({
          code: "custom",
          // An empty one (kind= or a stray comma) is named as such, not as nothing.
          message: `kind must be one or more of ${KINDS.join(", ")}, not ${unknown.map((kind) => kind || '""').join(", ")}`,
        });
        return z.NEVER;
      }
      return kinds.length > 0 ? [...new Set(kinds as Kind[])] : undefined;
    }),
  from: single("from", moment("from", "start")),
  to: single("to", moment("to", "end")),
};

const pageShape = {
  before: single("before", eventIdSchema),
  after: single("after", eventIdSchema),
  limit: single("limit", historyLimitSchema).transform((limit) => limit ?? 100),
};

function checked<Shape extends z.ZodRawShape>(shape: Shape) {
  return z.object(shape).superRefine((query, context) => {
    const { from, to, before, after } = query as { from?: Date; to?: Date; before?: bigint; after?: bigint };
    if (from && to && from >= to) context.addIssue({ code: "custom", path: ["to"], message: "to must be after from" });
    if (before !== undefined && after !== undefined)
      context.addIssue({ code: "custom", path: ["after"], message: "give before or after, not both" });
  });
}

const productFilter = { productId: single("productId", productIdSchema) };

/** GET /api/v1/events */
export const historyQuerySchema = checked({ ...productFilter, ...filterShape, ...pageShape });
/** GET /api/v1/products/{id}/events: the product is in the path. */
export const productHistoryQuerySchema = checked({ ...filterShape, ...pageShape });
/** GET /api/v1/events.csv: every matching event, so no paging. */
export const historyExportQuerySchema = checked({ ...productFilter, ...filterShape });

export type HistoryFilter = {
  productId?: number;
  actor?: string;
  reason?: string;
  kind?: string[];
  from?: Date;
  to?: Date;
};
export type HistoryPageRequest = HistoryFilter & { before?: bigint; after?: bigint; limit: number };

/**
 * Parses the query string; unknown parameters are refused (a mistyped filter would otherwise
 * silently widen an export). Who and why are for staff and tokens: filtering by them too.
 */
export function parseHistoryQuery<Schema extends z.ZodObject & z.ZodType<HistoryFilter>>(
  schema: Schema,
  params: URLSearchParams,
  seesAudit: boolean,
): z.infer<Schema> {
  rejectUnknownParameters(params, Object.keys(schema.shape));
  const query = schema.parse(queryValues(params));
  if (!seesAudit && (query.actor !== undefined || query.reason !== undefined)) {
    throw new ApiError(
      401,
      "UNAUTHENTICATED",
      "Filtering by actor or reason needs staff sign-in or a token (anonymous readers do not see who and why)",
    );
  }
  return query;
}

function where(filter: HistoryFilter): Prisma.ProductEventWhereInput {
  return {
    productId: filter.productId,
    actor: filter.actor,
    reason: filter.reason,
    kind: filter.kind ? { in: filter.kind } : undefined,
    createdAt: filter.from || filter.to ? { gte: filter.from, lt: filter.to } : undefined,
  };
}

export type HistoryPage = {
  events: ProductHistoryEntry[];
  /** Pass as `before` for the next older page; null when nothing older matches. */
  nextBefore: string | null;
  /** Pass as `after` for the next newer page; null when nothing newer matches (or the page is empty). */
  nextAfter: string | null;
};

/** The raw rows of one page, newest first, and whether more match beyond each end. */
export async function fetchHistoryRows(request: HistoryPageRequest) {
  const filter = where(request);
  const take = request.limit + 1;
  if (request.after !== undefined) {
    const rows = await db.productEvent.findMany({
      where: { ...filter, id: { gt: request.after } },
      orderBy: { id: "asc" },
      take,
    });
    const moreNewer = rows.length > request.limit;
    const page = rows.slice(0, request.limit).reverse();
    const moreOlder =
      page.length > 0 &&
      (await db.productEvent.findFirst({ where: { ...filter, id: { lt: page.at(-1)!.id } }, select: { id: true } })) !==
        null;
    return { rows: page, moreOlder, moreNewer };
  }
  const rows = await db.productEvent.findMany({
    where: { ...filter, ...(request.before !== undefined && { id: { lt: request.before } }) },
    orderBy: { id: "desc" },
    take,
  });
  const page = rows.slice(0, request.limit);
  const moreNewer =
    request.before !== undefined &&
    page.length > 0 &&
    (await db.productEvent.findFirst({ where: { ...filter, id: { gt: page[0].id } }, select: { id: true } })) !== null;
  return { rows: page, moreOlder: rows.length > request.limit, moreNewer };
}

/** A 404 when the filter names a product that does not exist (an empty history would mislead). */
export async function requireFilteredProduct(filter: HistoryFilter) {
  if (filter.productId === undefined) return;
  const product = await db.product.findUnique({ where: { id: filter.productId }, select: { id: true } });
  if (!product) throw notFound(`product ${filter.productId}`);
}

/** One page of the history (GET /api/v1/events, GET /api/v1/products/{id}/events). */
export async function fetchHistoryPage(request: HistoryPageRequest, withAudit: boolean): Promise<HistoryPage> {
  await requireFilteredProduct(request);
  const { rows, moreOlder, moreNewer } = await fetchHistoryRows(request);
  return {
    events: rows.map((row) => toHistoryEntry(row, withAudit)),
    nextBefore: moreOlder ? rows.at(-1)!.id.toString() : null,
    nextAfter: moreNewer ? rows[0].id.toString() : null,
  };
}

export const EXPORT_PAGE_SIZE = 1000;

/** Every matching event, newest first, read a page at a time as the caller asks for the next. */
export async function* historyRowPages(filter: HistoryFilter): AsyncGenerator<ProductEvent[]> {
  for (let before: bigint | undefined; ;) {
    const rows = await db.productEvent.findMany({
      where: { ...where(filter), ...(before !== undefined && { id: { lt: before } }) },
      orderBy: { id: "desc" },
      take: EXPORT_PAGE_SIZE,
    });
    if (rows.length > 0) yield rows;
    if (rows.length < EXPORT_PAGE_SIZE) return;
    before = rows.at(-1)!.id;
  }
}

/** The people and tokens that have made changes (for the activity page's person filter). */
export async function fetchActors(): Promise<string[]> {
  // A loose index scan over the (actor, id) index: one index probe per distinct actor, so the
  // cost follows the number of people, not of events (a plain DISTINCT reads every entry).
  const rows = await db.$queryRaw<Array<{ actor: string }>>`
    WITH RECURSIVE actors AS (
      (SELECT actor FROM "ProductEvent" ORDER BY actor LIMIT 1)
      UNION ALL
      SELECT (SELECT e.actor FROM "ProductEvent" e WHERE e.actor > a.actor ORDER BY e.actor LIMIT 1)
      FROM actors a WHERE a.actor IS NOT NULL
    )
    SELECT actor FROM actors WHERE actor IS NOT NULL LIMIT 200`;
  return rows.map((row) => row.actor);
}
