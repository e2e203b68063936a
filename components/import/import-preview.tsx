// What an import would change, line by line, and every line that stops it. Large files list
// the first changes only: the counts above the table cover them all.
import type { ImportPreview as Preview } from "@/lib/imports/dto";
import { formatMoney } from "@/lib/money";
import { formatCount } from "@/lib/display-format";

const SHOWN_CHANGES = 500;

export function ImportPreview({ preview, locale }: { preview: Preview; locale: string }) {
  const count = (n: number) => formatCount(locale, n);
  const format = (value: number) =>
    preview.kind === "prices" ? formatMoney(value, locale, preview.currency) : count(value);
  const problems = [
    ...preview.invalid.map((problem) => ({ line: problem.line, text: `${problem.column}: ${problem.message}` })),
    ...preview.unknown.map((unknown) => ({
      line: unknown.line,
      text: `unknown sku ${unknown.sku}: ${unknown.message}`,
    })),
  ].sort((a, b) => a.line - b.line);
  return (
    <section aria-labelledby="preview-heading" className="space-y-4">
      <h2 id="preview-heading" className="text-lg font-semibold">
        Preview
      </h2>
      <p data-testid="import-summary">
        {count(preview.rows)} rows: {count(preview.changes.length)} will change, {count(preview.unchanged)} unchanged,{" "}
        {count(preview.unknown.length)} unknown SKUs, {count(preview.invalid.length)} invalid cells.
      </p>
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
