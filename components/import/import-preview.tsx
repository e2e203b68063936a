// What an import would change, line by line, every line that stops it and every line it skips.
// Large files list the first changes only: the counts above the table cover them all.
import type { ImportPreview as Preview } from "@/lib/imports/dto";
import { formatMoney } from "@/lib/money";
import { formatCount } from "@/lib/display-format";

const SHOWN_CHANGES = 500;

export function ImportPreview({ preview, locale }: { preview: Preview; locale: string }) {
  const count = (n: number) => formatCount(locale, n);
  const format = (value: number) =>
    preview.kind === "prices" ? formatMoney(value, locale, preview.currency) : count(value);
  const what = preview.kind === "prices" ? "price" : "stock";
  // Unknown rows and conflicts the user chose to skip are listed as skipped, not as problems.
  const skippedLines = new Set(preview.skipped.map((row) => row.line));
  const problems = [
    ...preview.invalid.map((problem) => ({ line: problem.line, text: `${problem.column}: ${problem.message}` })),
    ...preview.unknown
      .filter((unknown) => !skippedLines.has(unknown.line))
      .map((unknown) => ({ line: unknown.line, text: `unknown sku ${unknown.sku}: ${unknown.message}` })),
    ...preview.conflicts
      .filter((conflict) => !skippedLines.has(conflict.line))
      .map((conflict) => ({
        line: conflict.line,
        text:
          `conflict on ${conflict.sku}: the ${what} was ${format(conflict.expected)} when the file was taken and is ` +
          `${format(conflict.current)} now; the file sets ${format(conflict.new)}. ` +
          (preview.kind === "prices" ? "Check the price" : "Count it again") +
          `, put the ${what} now in the expected column, or skip conflicts`,
      })),
  ].sort((a, b) => a.line - b.line);
  return (
    <section aria-labelledby="preview-heading" className="space-y-4">
      <h2 id="preview-heading" className="text-lg font-semibold">
        Preview
      </h2>
      <p data-testid="import-summary">
        {count(preview.rows)} rows: {count(preview.changes.length)} will change, {count(preview.unchanged)} unchanged,{" "}
        {count(preview.conflicts.length)} conflicts, {count(preview.unknown.length)} unknown SKUs,{" "}
        {count(preview.invalid.length)} invalid cells.
      </p>
      {preview.canApply && preview.changes.length === 0 && (
        <p data-testid="import-nothing" className="font-medium">
          Nothing to change: applying this file changes no product.
        </p>
      )}
      {preview.notes.length > 0 && (
        <ul className="list-disc pl-5 text-sm text-slate-600 dark:text-slate-300">
          {preview.notes.map((note) => (
            <li key={note}>{note}</li>
          ))}
        </ul>
      )}
      {preview.ignoredColumns.length > 0 && (
        <p className="text-sm text-slate-600 dark:text-slate-300">
          Ignored columns: {preview.ignoredColumns.join(", ")}.
        </p>
      )}
      {problems.length > 0 && (
        <div role="alert" className="space-y-2 rounded border border-red-300 p-4 dark:border-red-800">
          <h3 className="font-semibold text-red-700 dark:text-red-400">
            Nothing can be applied: fix these lines in the file and upload it again
          </h3>
          <ul className="space-y-1 text-sm" aria-label="Problems">
            {problems.map((problem, i) => (
              <li key={i}>
                <span className="font-medium">Line {problem.line}</span>: {problem.text}
              </li>
            ))}
          </ul>
        </div>
      )}
      {preview.skipped.length > 0 && (
        <div className="space-y-2 rounded border border-amber-300 p-4 dark:border-amber-800">
          <h3 className="font-semibold">
            {count(preview.skipped.length)} {preview.skipped.length === 1 ? "line" : "lines"} will be skipped (not
            imported)
          </h3>
          <ul className="space-y-1 text-sm" aria-label="Skipped">
            {preview.skipped.map((row) => (
              <li key={row.line}>
                <span className="font-medium">Line {row.line}</span>: <span className="font-mono">{row.sku}</span>:{" "}
                {row.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      {preview.changes.length > 0 && (
        <div className="overflow-x-auto">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">Changes</caption>
            <thead>
              <tr className="border-b border-slate-200 dark:border-slate-800">
                <th scope="col" className="py-2 pr-4">
                  Line
                </th>
                <th scope="col" className="py-2 pr-4">
                  SKU
                </th>
                <th scope="col" className="py-2 pr-4">
                  Product
                </th>
                <th scope="col" className="py-2 pr-4">
                  {preview.kind === "prices" ? "Price" : "Stock"}: old → new
                </th>
              </tr>
            </thead>
            <tbody>
              {preview.changes.slice(0, SHOWN_CHANGES).map((change) => (
                <tr key={change.line} className="border-b border-slate-100 dark:border-slate-800">
                  <td className="py-1 pr-4 tabular-nums">{change.line}</td>
                  <td className="py-1 pr-4 font-mono">{change.sku}</td>
                  <td className="py-1 pr-4">{change.name}</td>
                  <td className="py-1 pr-4 tabular-nums">
                    {format(change.old)} → {format(change.new)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {preview.changes.length > SHOWN_CHANGES && (
            <p className="pt-2 text-sm">
              and {count(preview.changes.length - SHOWN_CHANGES)} more changes (the first {SHOWN_CHANGES} are shown).
            </p>
          )}
        </div>
      )}
    </section>
  );
}
