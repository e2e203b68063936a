// CSV exports of the history and of the products (GET /api/v1/events.csv, /api/v1/products.csv),
// streamed: the response body is a ReadableStream that reads the next page from the database
// only when the client has taken the last one (its pull), so 100,000 rows never sit in memory and
// a slow client slows the reads instead of filling the server. An export is a long-lived
// response like a feed stream: it holds a stream slot (per address and per instance), and one
// whose client stops reading is cut after EXPORT_STALL_TIMEOUT_MS.
//
// csv-stringify writes the cells (quoting, CRLF line ends per RFC 4180) and neutralises formulas:
// every cell holding a line break (a bare LF or CR too), a quote, the separator or any other
// control character is quoted, so a name or reason cannot end its row and forge the next one;
// a text cell starting with = + - @ tab or CR gets a leading ' (OWASP's advice against CSV
// injection), so a spreadsheet shows it as text; numbers stay numbers (a delta of -3 is -3). The
// file starts with a UTF-8 byte order mark so Excel reads names such as "Crème brûlée" as UTF-8.
import { stringify } from "csv-stringify/sync";
import { env } from "@/lib/env";
import { clientAddress } from "@/lib/http/client-address";
import { admitStream } from "@/lib/http/request-limits";
import { formatAmount } from "@/lib/money";
import type { Product, ProductEvent } from "@/lib/generated/prisma/client";
import { changesOf, type ChangeField } from "@/lib/products/changes";
import { stockLevel } from "@/lib/products/stock-level";

type Cell = string | number | null;
type Column<Row> = [header: string, cell: (row: Row) => Cell];

function priceColumns<Row extends { priceCents: number }>(): Array<Column<Row>> {
  const currency = env().DISPLAY_CURRENCY;
  return [
    ["priceMinorUnits", (row) => row.priceCents],
    ["price", (row) => formatAmount(row.priceCents, currency)],
    ["currency", () => currency],
  ];
}

/**
 * What an event changed (lib/products/changes.ts): `changed` names the fields, space-separated,
 * and each previous* cell holds its field's value before the change when that field changed
 * (empty when it did not, for `created`, and when the values before are not known).
 */
function changeColumns(): Array<Column<ProductEvent>> {
  const currency = env().DISPLAY_CURRENCY;
  const changes = (event: ProductEvent) => changesOf(event) ?? [];
  const before = (event: ProductEvent, field: ChangeField) =>
    changes(event).find((change) => change.field === field)?.before ?? null;
  return [
    [
      "changed",
      (event) =>
        changes(event)
          .map((change) => change.field)
          .join(" "),
    ],
    ["previousName", (event) => before(event, "name")],
    ["previousSku", (event) => before(event, "sku")],
    ["previousPriceMinorUnits", (event) => before(event, "priceCents")],
    [
      "previousPrice",
      (event) => {
        const cents = before(event, "priceCents");
        return cents === null ? null : formatAmount(cents as number, currency);
      },
    ],
    ["previousStock", (event) => before(event, "stock")],
    ["previousLowStockThreshold", (event) => before(event, "lowStockThreshold")],
  ];
}

export function historyColumns(withAudit: boolean): Array<Column<ProductEvent>> {
  return [
    ["eventId", (event) => event.id.toString()],
    ["at", (event) => event.createdAt.toISOString()],
    ["productId", (event) => event.productId],
    ["sku", (event) => event.sku],
    ["name", (event) => event.name],
    ["kind", (event) => event.kind],
    ["delta", (event) => event.delta],
    ["stock", (event) => event.stock],
    ["lowStockThreshold", (event) => event.lowStockThreshold],
    ["stockLevel", (event) => event.stockLevel],
    ["previousStockLevel", (event) => event.previousStockLevel],
    ...priceColumns<ProductEvent>(),
    ["version", (event) => event.version],
    ...changeColumns(),
    ...(withAudit
      ? ([
          ["actor", (event) => event.actor],
          ["reason", (event) => event.reason],
        ] satisfies Array<Column<ProductEvent>>)
      : []),
  ];
}

/**
 * The products export. It imports back as a stocktake (`stock`) or a price list (`price`):
 * `expectedStock` and `expectedPrice` repeat the stock and price the row was taken at, so the
 * import applies only what was edited in the file, never the exported value over a sale made since
 * (lib/imports, docs/api.md "Round trip"). They come last, so the columns before keep their places.
 */
export function productColumns(): Array<Column<Product>> {
  const currency = env().DISPLAY_CURRENCY;
  return [
    ["id", (product) => product.id],
    ["sku", (product) => product.sku],
    ["name", (product) => product.name],
    ["stock", (product) => product.stock],
    ["lowStockThreshold", (product) => product.lowStockThreshold],
    ["stockLevel", (product) => stockLevel(product)],
    ...priceColumns<Product>(),
    ["version", (product) => product.version],
    ["updatedAt", (product) => product.updatedAt.toISOString()],
    ["expectedStock", (product) => product.stock],
    ["expectedPrice", (product) => formatAmount(product.priceCents, currency)],
  ];
}

// Rows the exports of this instance have read from the database, and exports cut for a stalled
// client (/api/metrics). On globalThis: each route is its own bundle, and the metrics route must
// see the exports' counts.
const globalForExports = globalThis as unknown as { stockpulseCsvRowsRead?: number; stockpulseCsvStalled?: number };

/** How many rows CSV exports have read from the database on this instance. */
export const csvRowsRead = () => globalForExports.stockpulseCsvRowsRead ?? 0;

/** How many CSV exports this instance cut because their client stopped reading. */
export const csvExportsStalled = () => globalForExports.stockpulseCsvStalled ?? 0;

// With an explicit record_delimiter csv-stringify quotes only cells that hold CRLF itself, not a
// bare LF or CR, which spreadsheets and most parsers take as a row end: quote_record_delimiter
// quotes those, quoted_match any other control character (a tab, a vertical tab, ESC...).
const OPTIONS = {
  escape_formulas: true,
  record_delimiter: "windows",
  quote_record_delimiter: true,
  quoted_match: /[\u0000-\u001f\u007f]/,
} as const;
const BOM = "\uFEFF";
/**
 * The most one chunk of an export holds. Every queue between the stream and the socket (this
 * stream's, Next's pipe, the response's) holds a chunk or so; small ones keep what a client that
 * stops reading pins to a few of them (docs/benchmarks.md), not a few pages.
 */
export const CSV_CHUNK_BYTES = 16 * 1024;

export type CsvStreamOptions = {
  /** Gives back the export's stream slot (lib/http/request-limits.ts), once, when it ends. */
  release: () => void;
  /** A client that takes nothing for this long has stopped reading: the export is cut. */
  stallMs: number;
};

/**
 * A streamed CSV body: the header row, then each page of `pages` as the client reads, in chunks
 * of at most CSV_CHUNK_BYTES. One chunk waits ahead of the client (the highWaterMark) and the
 * next page is read only when the last one has gone; a client that goes away stops the reads,
 * and one that takes nothing for `stallMs` is cut.
 */
export function csvStream<Row>(
  columns: Array<Column<Row>>,
  pages: AsyncGenerator<Row[]>,
  { release, stallMs }: CsvStreamOptions,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let header = true;
  let chunks: Uint8Array[] = [];
  let done = false;
  let stall: NodeJS.Timeout | undefined;
  const finish = () => {
    clearTimeout(stall);
    release();
    void pages.return(undefined).catch(() => {});
  };
  /** The next page as chunks (the header row and the byte order mark before the first). */
  async function readPage(): Promise<Uint8Array[]> {
    const records: Cell[][] = [];
    if (header) records.push(columns.map(([name]) => name));
    const page = await pages.next();
    done = page.done === true;
    const rows = page.value ?? [];
    globalForExports.stockpulseCsvRowsRead = csvRowsRead() + rows.length;
    for (const row of rows) records.push(columns.map(([, cell]) => cell(row)));
    if (records.length === 0) return [];
    const bytes = encoder.encode((header ? BOM : "") + stringify(records, OPTIONS));
    header = false;
    const pieces: Uint8Array[] = [];
    for (let start = 0; start < bytes.byteLength; start += CSV_CHUNK_BYTES)
      pieces.push(bytes.subarray(start, start + CSV_CHUNK_BYTES));
    return pieces;
  }
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        clearTimeout(stall);
        try {
          while (chunks.length === 0 && !done) chunks = await readPage();
        } catch (error) {
          finish();
          throw error;
        }
        const chunk = chunks.shift();
        if (chunk) controller.enqueue(chunk);
        if (chunks.length === 0 && done) {
          controller.close();
          finish();
          return;
        }
        // Armed until the next pull, which comes once the client has taken something.
        stall = setTimeout(() => {
          globalForExports.stockpulseCsvStalled = csvExportsStalled() + 1;
          chunks = [];
          // An AbortError, as a client that went away: Next's pipe then stops without logging a stack.
          controller.error(new DOMException(`export stalled: the client took nothing for ${stallMs} ms`, "AbortError"));
          finish();
        }, stallMs);
      },
      cancel() {
        chunks = [];
        finish();
      },
    },
    { highWaterMark: 1 },
  );
}

const EXPORT_PATHS = new Set(["/api/v1/events.csv", "/api/v1/products.csv"]);

/** Whether a request's path is a CSV export's (the production server watches those for stalls). */
export const isExportPath = (url: string | undefined) => EXPORT_PATHS.has(url?.split("?", 1)[0] ?? "");

/** The response headers of an export: a download named after what it holds and today's UTC date. */
export function csvHeaders(name: string): HeadersInit {
  const date = new Date().toISOString().slice(0, 10);
  return {
    "content-type": "text/csv; charset=utf-8",
    "content-disposition": `attachment; filename="stockpulse-${name}-${date}.csv"`,
    "cache-control": "no-store",
  };
}

/**
 * An export's response: it takes a stream slot of the client's address and of the instance
 * (lib/http/request-limits.ts: 429 or 503 past them), held until the download ends, is cut, or
 * the client goes. HEAD gets the headers GET would and holds nothing.
 */
export function csvResponse<Row>(
  request: Request,
  name: string,
  columns: Array<Column<Row>>,
  pages: AsyncGenerator<Row[]>,
): Response {
  if (request.method === "HEAD") return new Response(null, { headers: csvHeaders(name) });
  const release = admitStream(clientAddress(request.headers.get("x-forwarded-for")));
  const body = csvStream(columns, pages, { release, stallMs: env().EXPORT_STALL_TIMEOUT_MS });
  return new Response(body, { headers: csvHeaders(name) });
}
