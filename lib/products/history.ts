// The audit trail as an accountant reads it: every event, newest first, filtered by product,
// person, reason, kind and date, a page at a time by cursor (never by offset, so a page is as
// cheap at event 100,000 as at event 1 and new events do not shift it). The JSON routes and the
// CSV export share the filters (one `where`) and the keyset order (id descending).
import { z } from "zod";
import { db, sqlQuery } from "@/lib/db";
import { ApiError, notFound } from "@/lib/errors";
import { eventIdSchema } from "@/lib/events/feed-request";
import { Prisma, type ProductEvent } from "@/lib/generated/prisma/client";
import { eventKindSchema, toHistoryEntry, type HistorySuggestions, type ProductHistoryEntry } from "@/lib/products/dto";
import { historyLimitSchema, productIdSchema, STOCK_REASONS } from "@/lib/products/validation";
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

// Trimmed: what is stored is trimmed (reasons) or has no spaces (emails, token names), so a
// space typed around a filter would only make it match nothing.
const text = (name: string) =>
  z
    .string()
    .trim()
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

// Every actor there is, in order: a loose index scan over ProductEvent_actor_id_idx, one index
// probe per distinct actor, so the cost follows the number of people, not of events (a plain
// DISTINCT reads every entry).
const DISTINCT_ACTORS = Prisma.sql`
  WITH RECURSIVE actors AS (
    (SELECT actor FROM "ProductEvent" ORDER BY actor LIMIT 1)
    UNION ALL
    SELECT (SELECT e.actor FROM "ProductEvent" e WHERE e.actor > a.actor ORDER BY e.actor LIMIT 1)
    FROM actors a WHERE a.actor IS NOT NULL
  )`;

/**
 * The actors an `actor` filter selects, in any case: the one it names whole (an email, or
 * api:<token name>), else every one containing it ("anna" finds anna@shop.example and
 * hanna@shop.example). A whole name selects only itself, so the person picked from the
 * suggestions is not mixed with another whose email ends in theirs (bob@ and jimbob@).
 * Resolved first, among the few distinct actors, so the events are then read by the
 * (actor, id) index in id order, as for one exact actor.
 */
async function actorsMatching(text: string): Promise<string[]> {
  const rows = await sqlQuery<{ actor: string; whole: boolean }>(Prisma.sql`${DISTINCT_ACTORS}
    SELECT actor, lower(actor) = lower(${text}::text) AS whole FROM actors
    WHERE actor IS NOT NULL AND strpos(lower(actor), lower(${text}::text)) > 0`);
  const whole = rows.filter((row) => row.whole);
  return (whole.length > 0 ? whole : rows).map((row) => row.actor);
}

/**
 * The filter as SQL conditions. The reason matches in any case, whole (the index is on
 * (lower(reason), id): see the history_filters_any_case migration); Prisma's insensitive mode
 * would be ILIKE, which reads % and _ in a reason as wildcards and uses no index.
 */
async function where(filter: HistoryFilter): Promise<Prisma.Sql> {
  const conditions: Prisma.Sql[] = [];
  if (filter.productId !== undefined) conditions.push(Prisma.sql`"productId" = ${filter.productId}`);
  if (filter.actor !== undefined) {
    const actors = await actorsMatching(filter.actor);
    conditions.push(actors.length > 0 ? Prisma.sql`actor IN (${Prisma.join(actors)})` : Prisma.sql`false`);
  }
  if (filter.reason !== undefined) conditions.push(Prisma.sql`lower(reason) = lower(${filter.reason}::text)`);
  if (filter.kind) conditions.push(Prisma.sql`kind IN (${Prisma.join(filter.kind)})`);
  if (filter.from) conditions.push(Prisma.sql`"createdAt" >= ${filter.from}`);
  if (filter.to) conditions.push(Prisma.sql`"createdAt" < ${filter.to}`);
  return conditions.length > 0 ? Prisma.join(conditions, " AND ") : Prisma.sql`true`;
}

/** Events as Prisma reads them (pg gives the bigint id as a string). */
async function eventRows(query: Prisma.Sql): Promise<ProductEvent[]> {
  const rows = await sqlQuery<ProductEvent & { id: string }>(query);
  return rows.map((row) => ({ ...row, id: BigInt(row.id) }));
}

/** Whether any event matches `condition`. */
async function anyEvent(condition: Prisma.Sql): Promise<boolean> {
  return (await sqlQuery(Prisma.sql`SELECT 1 FROM "ProductEvent" WHERE ${condition} LIMIT 1`)).length > 0;
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
  const filter = await where(request);
  const take = request.limit + 1;
  if (request.after !== undefined) {
    const rows = await eventRows(
      Prisma.sql`SELECT * FROM "ProductEvent" WHERE ${filter} AND id > ${request.after.toString()}::bigint
                 ORDER BY id ASC LIMIT ${take}`,
    );
    const moreNewer = rows.length > request.limit;
    const page = rows.slice(0, request.limit).reverse();
    const moreOlder =
      page.length > 0 && (await anyEvent(Prisma.sql`${filter} AND id < ${page.at(-1)!.id.toString()}::bigint`));
    return { rows: page, moreOlder, moreNewer };
  }
  const before =
    request.before === undefined ? Prisma.empty : Prisma.sql`AND id < ${request.before.toString()}::bigint`;
  const rows = await eventRows(
    Prisma.sql`SELECT * FROM "ProductEvent" WHERE ${filter} ${before} ORDER BY id DESC LIMIT ${take}`,
  );
  const page = rows.slice(0, request.limit);
  const moreNewer =
    request.before !== undefined &&
    page.length > 0 &&
    (await anyEvent(Prisma.sql`${filter} AND id > ${page[0].id.toString()}::bigint`));
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
  const condition = await where(filter);
  for (let before: bigint | undefined; ;) {
    const rows = await eventRows(
      Prisma.sql`SELECT * FROM "ProductEvent" WHERE ${condition}
                 ${before === undefined ? Prisma.empty : Prisma.sql`AND id < ${before.toString()}::bigint`}
                 ORDER BY id DESC LIMIT ${EXPORT_PAGE_SIZE}`,
    );
    if (rows.length > 0) yield rows;
    if (rows.length < EXPORT_PAGE_SIZE) return;
    before = rows.at(-1)!.id;
  }
}

const SUGGESTED_ACTORS = 200;
const SUGGESTED_REASONS = 50;
// How far back the reasons suggested are looked for: the newest events, whatever the history's length.
const REASONS_FROM_LATEST = 5_000;

/** The people and tokens that have made changes, in order (at most SUGGESTED_ACTORS). */
export async function fetchActors(): Promise<string[]> {
  const rows = await sqlQuery<{ actor: string }>(Prisma.sql`${DISTINCT_ACTORS}
    SELECT actor FROM actors WHERE actor IS NOT NULL LIMIT ${SUGGESTED_ACTORS}`);
  return rows.map((row) => row.actor);
}

/**
 * The reasons to suggest: those of the newest REASONS_FROM_LATEST events, the most used first
 * (once each, in any case, as most often written), then the stock forms' own reasons not among
 * them. Not every reason there is: a shop that writes an order number into each would have
 * as many reasons as sales.
 */
async function fetchReasons(): Promise<string[]> {
  const rows = await sqlQuery<{ reason: string }>(Prisma.sql`
    SELECT mode() WITHIN GROUP (ORDER BY reason) AS reason
    FROM (SELECT reason FROM "ProductEvent" ORDER BY id DESC LIMIT ${REASONS_FROM_LATEST}) AS latest
    WHERE reason IS NOT NULL
    GROUP BY lower(reason)
    ORDER BY count(*) DESC, lower(reason)
    LIMIT ${SUGGESTED_REASONS}`);
  const reasons = rows.map((row) => row.reason);
  const known = new Set(reasons.map((reason) => reason.toLowerCase()));
  return [...reasons, ...STOCK_REASONS.filter((reason) => !known.has(reason))];
}

/**
 * What the history's person and reason fields suggest (GET /api/v1/events/suggestions): staff
 * emails, so only for those who see who and why (the route checks).
 */
export async function fetchHistorySuggestions(): Promise<HistorySuggestions> {
  const [actors, reasons] = await Promise.all([fetchActors(), fetchReasons()]);
  return { actors, reasons };
}
