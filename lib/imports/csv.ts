// Reading an import file (docs/api.md, "CSV import"): the bytes a spreadsheet saved, decoded and
// split by csv-parse, then every row's cells checked. Preview and apply both start here, so they
// see the same rows. A file that cannot be read at all (encoding, columns, quoting, size) is an
// ApiError; a row that can be read but is wrong is a Problem, listed with its line number.
import { parse } from "csv-parse/sync";
import { ApiError } from "@/lib/errors";
import { exampleAmount, fractionDigits } from "@/lib/money";
import { INT32_MAX } from "@/lib/products/validation";

export const IMPORT_KINDS = ["stocktake", "prices"] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

// 10,000 rows in one all-or-nothing change; 4 MiB holds them with a name column of ~300 bytes.
export const MAX_IMPORT_ROWS = 10_000;
export const MAX_IMPORT_BYTES = 4 * 1024 * 1024;

/**
 * The columns each kind reads beside `sku`: the value (the first of `values` the header has: a
 * count sheet's `count`, else the product export's `stock`) and the optional guard, the value the
 * row was taken at (the product export writes it), so a row nobody edited never writes the value
 * back over a sale or another change made since (docs/api.md, "Round trip").
 */
export const IMPORT_COLUMNS = {
  stocktake: { values: ["count", "stock"], expected: "expectedStock" },
  prices: { values: ["price"], expected: "expectedPrice" },
} as const satisfies Record<ImportKind, { values: readonly string[]; expected: string }>;

/** `expected`: the row's guard cell (the stock or price it was taken at), when it has one. */
export type ImportRow = { line: number; sku: string; value: number; expected?: number };
export type Problem = { line: number; column: string; value: string; message: string };

export type ImportFile = {
  kind: ImportKind;
  /** DISPLAY_CURRENCY, which prices are read in. */
  currency: string;
  /** The header of the value column read (`count`, `stock` or `price`) and of the guard, if any. */
  valueColumn: string;
  expectedColumn: string | null;
  delimiter: "," | ";" | "\t";
  /** Header names other than sku and the value column: read past, never imported. */
  ignoredColumns: string[];
  /** What the reader noticed and how it read it (a `;` file, a byte-order mark). */
  notes: string[];
  rows: ImportRow[];
  problems: Problem[];
};

const SAVE_AS_UTF8 = 'save it from the spreadsheet as "CSV UTF-8 (comma delimited)" and upload that';

const fileError = (code: string, message: string, details?: Record<string, unknown>) =>
  new ApiError(400, code, message, details);

/** The file's text: UTF-8 (a byte-order mark is fine); UTF-16, other encodings and binary files are refused. */
function decode(bytes: Uint8Array): { text: string; bom: boolean } {
  if (bytes.length === 0) throw fileError("CSV_EMPTY", "The file is empty: expected a header line and rows");
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw fileError("CSV_ENCODING", `The file is UTF-16 ("Unicode text"), not UTF-8: ${SAVE_AS_UTF8}`);
  }
  const sample = bytes.subarray(0, 4096);
  const nuls = sample.filter((byte) => byte === 0).length;
  // UTF-16 without a byte-order mark has a NUL beside every ASCII character.
  if (nuls > 0 && nuls >= sample.length / 4) {
    throw fileError("CSV_ENCODING", `The file looks like UTF-16 text, not UTF-8: ${SAVE_AS_UTF8}`);
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    if (nuls > 0) throw fileError("CSV_NOT_TEXT", "The file is not a CSV text file (it holds binary data)");
    throw fileError("CSV_ENCODING", `The file is not UTF-8 (perhaps Windows-1252 or Mac Roman): ${SAVE_AS_UTF8}`);
  }
  // Control characters other than tab and line breaks: a binary file that happens to decode.
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text)) {
    throw fileError("CSV_NOT_TEXT", "The file is not a CSV text file (it holds binary data)");
  }
  const bom = text.charCodeAt(0) === 0xfeff;
  // One line end: a file may mix CRLF, LF and old Mac CR-only lines (rows appended in another
  // editor, files concatenated), and csv-parse takes the first it meets as the only one, so a
  // row after a different line end would run on into the row before it (or be lost in an
  // ignored column) and line numbers would be off.
  const lines = text.replace(/\r\n?/g, "\n");
  return { text: bom ? lines.slice(1) : lines, bom };
}

const headerName = (cell: string) => cell.trim().replace(/^"|"$/g, "").trim().toLowerCase();
/** A header cell as matched: any case, and spaces, `_` and `-` left out (`expected_stock` is `expectedStock`). */
const columnKey = (cell: string) => headerName(cell).replace(/[\s_-]+/g, "");

/**
 * The separator the header uses: the one that splits it into a `sku` column. Spreadsheets in
 * locales whose decimal mark is a comma (de-DE, fr-FR) save "CSV" with `;`; a shop has such files
 * and means them, so they are read, and the preview says so.
 */
function detectDelimiter(text: string): ImportFile["delimiter"] {
  // The header is the first line with a filled cell, as csv-parse reads it: blank lines and rows
  // of empty cells (";;" above the data) are skipped, and are only blank for their own separator.
  const lines = text.slice(0, 64 * 1024).split("\n");
  for (const delimiter of [",", ";", "\t"] as const) {
    for (const line of lines) {
      const names = line.split(delimiter).map(headerName);
      if (!names.some(Boolean)) continue;
      if (names.includes("sku")) return delimiter;
      break;
    }
  }
  return ",";
}

const FORMULA = /^[=+@]/;
const formulaProblem = (line: number, column: string, value: string): Problem => ({
  line,
  column,
  value,
  message: "a formula, not a value: save the sheet's values (paste as values) before exporting",
});

/** A count cell (`column`: count, stock or expectedStock): a whole number, 0 or more. */
function readCount(cell: string, column: string): number | string {
  if (/^-\d+$/.test(cell)) return `${column} cannot be negative: "${cell}" (count what is on the shelf, 0 or more)`;
  if (!/^\d+$/.test(cell)) return `${column} must be a whole number of 0 or more, not "${cell}"`;
  const count = Number(cell);
  return count > INT32_MAX ? `${column} must be at most ${INT32_MAX}` : count;
}

/**
 * A price cell (`column`: price or expectedPrice) in major units (12.50, or 12,50 as a
 * comma-decimal spreadsheet writes it), in minor units.
 */
function readPrice(cell: string, column: string, currency: string, digits: number): number | string {
  if (/^-\d+(?:[.,]\d+)?$/.test(cell)) return `${column} cannot be negative: "${cell}"`;
  const match = /^(\d+)(?:[.,](\d+))?$/.exec(cell);
  if (!match) {
    return `${column} must be a number such as ${exampleAmount(currency)} (no currency sign, no thousands separator), not "${cell}"`;
  }
  const [, whole, fraction = ""] = match;
  if (fraction.replace(/0+$/, "").length > digits) {
    return `${column} has more decimals than ${currency} allows (${digits}): "${cell}"`;
  }
  const minor = Number(whole) * 10 ** digits + Number(fraction.padEnd(digits, "0").slice(0, digits) || "0");
  return minor > INT32_MAX ? `${column} is too large: "${cell}"` : minor;
}

/** The first line of a record: csv-parse reports the last, and a quoted cell may hold line breaks. */
const firstLine = (cells: string[], lastLine: number) =>
  lastLine - cells.reduce((breaks, cell) => breaks + (cell.match(/\n/g)?.length ?? 0), 0);

/** Reads an uploaded file as `kind`; throws an ApiError naming the problem when it cannot. */
export function readImportFile(bytes: Uint8Array, kind: ImportKind, currency: string): ImportFile {
  if (bytes.length > MAX_IMPORT_BYTES) {
    throw new ApiError(413, "IMPORT_TOO_LARGE", `The file is larger than ${MAX_IMPORT_BYTES / 1024 / 1024} MiB`);
  }
  const { text, bom } = decode(bytes);
  if (text.trim() === "") throw fileError("CSV_EMPTY", "The file is empty: expected a header line and rows");
  const delimiter = detectDelimiter(text);

  // The line each record ends on, in record order (csv-parse's context, as it parses).
  const endLines: number[] = [];
  const lastLine = () => endLines.at(-1) ?? 0;
  let records: string[][];
  try {
    records = parse(text, {
      delimiter,
      relax_column_count: true,
      skip_empty_lines: true,
      // Rows of empty cells (",,"), as spreadsheets write below the data, are not rows.
      skip_records_with_empty_values: true,
      // The header, the most rows an import takes and one more to know there are more: a 4 MiB
      // body of two-byte lines would otherwise be 2 million records, parsed (seconds of blocked
      // event loop, hundreds of MB) only to be refused.
      to: MAX_IMPORT_ROWS + 2,
      on_record: (record, context) => {
        endLines.push(context.lines);
        return record;
      },
    });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "CSV_QUOTE_NOT_CLOSED") {
      throw fileError(
        "CSV_MALFORMED",
        `A quoted cell starting on line ${lastLine() + 1} is never closed: its opening " has no closing "`,
        { line: lastLine() + 1 },
      );
    }
    const line = (error as { lines?: number }).lines ?? lastLine() + 1;
    throw fileError("CSV_MALFORMED", `The file is not valid CSV at line ${line}: ${(error as Error).message}`, {
      line,
    });
  }

  const [header, ...body] = records.map((record, i) => ({ record, endLine: endLines[i] }));
  const names = header.record.map(headerName);
  const keys = header.record.map(columnKey);
  const { values, expected: expectedColumn } = IMPORT_COLUMNS[kind];
  const has = (name: string) => keys.includes(columnKey(name));
  const valueColumn = values.find(has) ?? values[0];
  const required = ["sku", valueColumn];
  const missing = required.filter((name) => !has(name));
  if (missing.length > 0) {
    const found = names.filter(Boolean).join(", ") || "nothing";
    const other = IMPORT_KINDS.find((candidate) => candidate !== kind && IMPORT_COLUMNS[candidate].values.some(has));
    const hint = other ? ` (it looks like a ${other === "prices" ? "price list" : "stocktake"})` : "";
    throw fileError(
      "CSV_COLUMNS",
      `The header must name the columns ${required.join(" and ")}; found ${found}${hint}`,
      { expected: required, found: names },
    );
  }
  // The columns read: each once. `currency` (the product export's) is checked on a price list.
  const read = [...required, expectedColumn, ...(kind === "prices" ? ["currency"] : [])].filter(has);
  const repeated = read.find((name) => keys.indexOf(columnKey(name)) !== keys.lastIndexOf(columnKey(name)));
  if (repeated)
    throw fileError("CSV_COLUMNS", `The header names the column ${repeated} twice`, {
      expected: required,
      found: names,
    });
  // A `stock` column is the product export's: its every row carries the stock at the export,
  // edited or not, so without its guard an untouched row would put that stock back over every
  // sale since. A count sheet names its column `count`; each of its rows is a count someone made.
  if (kind === "stocktake" && valueColumn === "stock" && !has(expectedColumn)) {
    throw fileError(
      "CSV_COLUMNS",
      `The stock column is the product export's, and it needs its expectedStock column (the stock each row was ` +
        `taken at) to tell edited rows from untouched ones: export the products again and edit that file, or name ` +
        `the column count if every row is a count`,
      { expected: ["sku", "count"], found: names },
    );
  }
  if (body.length === 0) throw fileError("CSV_EMPTY", "The file has a header but no rows");
  if (body.length > MAX_IMPORT_ROWS) {
    throw new ApiError(
      413,
      "IMPORT_TOO_LARGE",
      `The file has more than ${MAX_IMPORT_ROWS.toLocaleString("en")} rows; at most ${MAX_IMPORT_ROWS.toLocaleString("en")} per import: split it`,
    );
  }

  const at = (name: string) => keys.indexOf(columnKey(name));
  const skuAt = at("sku");
  const valueAt = at(valueColumn);
  const expectedAt = at(expectedColumn);
  const currencyAt = kind === "prices" ? at("currency") : -1;
  const digits = fractionDigits(currency);
  const reader = (of: ImportKind) => (cell: string, column: string) =>
    of === "stocktake" ? readCount(cell, column) : readPrice(cell, column, currency, digits);
  const readValue = reader(kind);
  // The other kind's value and guard (the product export has both): a row edited there too is
  // said to be not imported by this kind, so the edit is not thought applied (see editedElsewhere).
  const otherKind = IMPORT_KINDS.find((candidate) => candidate !== kind)!;
  const otherValueAt = at(IMPORT_COLUMNS[otherKind].values.find(has) ?? IMPORT_COLUMNS[otherKind].values[0]);
  const otherExpectedAt = at(IMPORT_COLUMNS[otherKind].expected);
  const readOther = reader(otherKind);
  const editedElsewhere: number[] = [];
  const rows: ImportRow[] = [];
  const problems: Problem[] = [];
  const lineOfSku = new Map<string, number>();
  for (const { record, endLine } of body) {
    const line = firstLine(record, endLine);
    // More filled cells than the header has columns: a cell holds the separator unquoted (12,50
    // or 1,000 in a comma file, a name with a comma), so the cells after it are shifted and the
    // value read would be another cell's (12,50 read as 12). Only this is said: the rest is shifted.
    const filled = record.findLastIndex((cell) => cell.trim() !== "") + 1;
    if (filled > header.record.length) {
      problems.push({
        line,
        column: valueColumn,
        value: record.slice(0, filled).join(delimiter),
        message:
          `the line has ${filled} cells but the header has ${header.record.length} columns: a cell holds the separator ` +
          `"${delimiter === "\t" ? "tab" : delimiter}" unquoted (a decimal comma as in 12,50, a thousands separator, ` +
          `a name with a comma); put such cells in quotes ("12,50") or save the file with ; as separator, ` +
          `and give every column a header name`,
      });
      continue;
    }
    const cellAt = (index: number) => (index < 0 ? "" : (record[index] ?? "").trim());
    const sku = cellAt(skuAt);
    const cell = cellAt(valueAt);
    const before = problems.length;
    if (sku === "") problems.push({ line, column: "sku", value: "", message: "sku is empty" });
    else if (FORMULA.test(sku)) problems.push(formulaProblem(line, "sku", sku));
    let value: number | string;
    if (cell === "") value = `${valueColumn} is empty`;
    else if (FORMULA.test(cell)) value = formulaProblem(line, valueColumn, cell).message;
    else value = readValue(cell, valueColumn);
    if (typeof value === "string") problems.push({ line, column: valueColumn, value: cell, message: value });
    // The guard: an empty cell (a row added by hand) is a row without one.
    const guardCell = cellAt(expectedAt);
    let expected: number | undefined;
    if (guardCell !== "") {
      const guard = FORMULA.test(guardCell)
        ? formulaProblem(line, expectedColumn, guardCell).message
        : readValue(guardCell, expectedColumn);
      if (typeof guard === "string") problems.push({ line, column: expectedColumn, value: guardCell, message: guard });
      else expected = guard;
    }
    // A price list in another currency would be read as this one's amounts.
    const currencyCell = cellAt(currencyAt);
    if (currencyCell !== "" && currencyCell.toUpperCase() !== currency.toUpperCase()) {
      problems.push({
        line,
        column: "currency",
        value: currencyCell,
        message: `prices here are in ${currency}, not ${currencyCell}: convert the price or remove this row`,
      });
    }
    if (sku !== "") {
      const earlier = lineOfSku.get(sku);
      if (earlier !== undefined) {
        problems.push({ line, column: "sku", value: sku, message: `sku ${sku} is on lines ${earlier} and ${line}` });
      } else lineOfSku.set(sku, line);
    }
    if (problems.length === before && typeof value === "number")
      rows.push(expected === undefined ? { line, sku, value } : { line, sku, value, expected });
    if (otherValueAt >= 0 && otherExpectedAt >= 0) {
      const other = readOther(cellAt(otherValueAt), "");
      const otherGuard = readOther(cellAt(otherExpectedAt), "");
      if (typeof other === "number" && typeof otherGuard === "number" && other !== otherGuard)
        editedElsewhere.push(line);
    }
  }

  const notes: string[] = [];
  if (delimiter === ";") {
    notes.push("Columns are separated by semicolons (;), as spreadsheets in many European locales save CSV.");
  }
  if (delimiter === "\t") notes.push("Columns are separated by tabs.");
  if (bom) notes.push("The file starts with a UTF-8 byte-order mark (as Excel saves CSV UTF-8); it was skipped.");
  if (valueColumn === "stock")
    notes.push("The counts are read from the stock column, as the product export writes it.");
  if (expectedAt >= 0) {
    const what = kind === "stocktake" ? "stock" : "price";
    notes.push(
      `${expectedColumn} is the ${what} each row was taken at: a row whose ${valueColumn} is still that changes nothing, ` +
        `even if the ${what} moved since; an edited row whose product's ${what} moved since is a conflict.`,
    );
  }
  if (editedElsewhere.length > 0) {
    const [what, other] = kind === "stocktake" ? ["stocktake", "price list"] : ["price list", "stocktake"];
    const lines = editedElsewhere.length === 1 ? "Line" : "Lines";
    const shown =
      editedElsewhere.length <= 10
        ? editedElsewhere.join(", ")
        : `${editedElsewhere.slice(0, 10).join(", ")} and ${editedElsewhere.length - 10} more`;
    notes.push(
      `${lines} ${shown} also ${editedElsewhere.length === 1 ? "changes" : "change"} the ` +
        `${otherKind === "stocktake" ? "stock" : "price"}, which a ${what} does not import: import the file as a ${other} too.`,
    );
  }
  const used = new Set([skuAt, valueAt, expectedAt, currencyAt]);
  const ignoredColumns = header.record.map((cell) => cell.trim()).filter((_, i) => !used.has(i));
  return {
    kind,
    currency,
    valueColumn,
    expectedColumn: expectedAt >= 0 ? expectedColumn : null,
    delimiter,
    notes,
    rows,
    problems,
    ignoredColumns: ignoredColumns.filter(Boolean),
  };
}
