// The CSV export floor: a minimal node:http server that streams the same history export as
// GET /api/v1/events.csv?productId= with nothing in between: the same keyset query a page at a
// time through a plain pg.Pool, the same columns and csv-stringify options (lib/products/csv.ts),
// `res.write` with a wait for 'drain' when the socket is full. Only for bench/export.ts.
import http from "node:http";
import { stringify } from "csv-stringify/sync";
import pg from "pg";
import type { ProductEvent } from "../lib/generated/prisma/client";
import { historyColumns } from "../lib/products/csv";

const port = Number(process.env.PORT);
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 4 });
const columns = historyColumns(true);
const PAGE = 1000;

const server = http.createServer(async (request, response) => {
  const productId = Number(new URL(request.url!, "http://floor").searchParams.get("productId"));
  if (!Number.isInteger(productId) || productId < 1) return void response.writeHead(404).end();
  response.writeHead(200, { "content-type": "text/csv; charset=utf-8" });
  response.write(`\uFEFF${stringify([columns.map(([name]) => name)], { record_delimiter: "windows" })}`);
  for (let before = BigInt("9223372036854775807"); ;) {
    const { rows } = await pool.query(
      `SELECT * FROM "ProductEvent" WHERE "productId" = $1 AND id < $2 ORDER BY id DESC LIMIT ${PAGE}`,
      [productId, before.toString()],
    );
    const events = rows.map((row) => ({ ...row, id: BigInt(row.id) }) as ProductEvent);
    const text = stringify(
      events.map((event) => columns.map(([, cell]) => cell(event))),
      { escape_formulas: true, record_delimiter: "windows" },
    );
    if (!response.write(text)) await new Promise((resolve) => response.once("drain", resolve));
    if (events.length < PAGE) break;
    before = events.at(-1)!.id;
  }
  response.end();
});
server.listen(port, "127.0.0.1");
