// CSV exports of the history and of the products (GET /api/v1/events.csv, /api/v1/products.csv),
// streamed: the response body is a ReadableStream that reads the next page from the database
// only when the client has taken the last one (its pull), so 100,000 rows never sit in memory and
// a slow client slows the reads instead of filling the server.
//
// csv-stringify writes the cells (quoting, CRLF line ends per RFC 4180) and neutralises formulas:
// every cell holding a line break (a bare LF or CR too), a quote, the separator or any other
// control character is quoted, so a name or reason cannot end its row and forge the next one;
// a text cell starting with = + - @ tab or CR gets a leading ' (OWASP's advice against CSV
// injection), so a spreadsheet shows it as text; numbers stay numbers (a delta of -3 is -3). The
// file starts with a UTF-8 byte order mark so Excel reads names such as "Crème brûlée" as UTF-8.
import { stringify } from "csv-stringify/sync";
import { env } from "@/lib/env";
import { formatAmount } from "@/lib/money";
import type { Product, ProductEvent } from "@/lib/generated/prisma/client";
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
    ...(withAudit
      ? ([
          ["actor", (event) => event.actor],
          ["reason", (event) => event.reason],
        ] satisfies Array<Column<ProductEvent>>)
      : []),
  ];
}

export function productColumns(): Array<Column<Product>> {
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
  ];
}

// Rows the exports of this instance have read from the database (/api/metrics). On globalThis:
// each route is its own bundle, and the metrics route must see the exports' count.
const globalForExports = globalThis as unknown as { stockpulseCsvRowsRead?: number };

/** How many rows CSV exports have read from the database on this instance. */
export const csvRowsRead = () => globalForExports.stockpulseCsvRowsRead ?? 0;

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
 * A streamed CSV body: the header row, then each page of `pages` as the client reads. At most one
 * page waits ahead of the client (the highWaterMark); a client that goes away stops the reads.
 */
export function csvStream<Row>(columns: Array<Column<Row>>, pages: AsyncGenerator<Row[]>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let header = true;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const records: Cell[][] = [];
        if (header) records.push(columns.map(([name]) => name));
        const { value: rows, done } = await pages.next();
        globalForExports.stockpulseCsvRowsRead = csvRowsRead() + (rows?.length ?? 0);
        for (const row of rows ?? []) records.push(columns.map(([, cell]) => cell(row)));
        if (records.length > 0) controller.enqueue(encoder.encode((header ? BOM : "") + stringify(records, OPTIONS)));
        header = false;
        if (done) controller.close();
      },
      async cancel() {
        await pages.return(undefined);
      },
    },
    { highWaterMark: 1 },
  );
}

/** The response headers of an export: a download named after what it holds and today's UTC date. */
export function csvHeaders(name: string): HeadersInit {
  const date = new Date().toISOString().slice(0, 10);
  return {
    "content-type": "text/csv; charset=utf-8",
    "content-disposition": `attachment; filename="stockpulse-${name}-${date}.csv"`,
    "cache-control": "no-store",
  };
}
