"use client";
// Changes as a table: when, (which product,) what changed field by field (before → after), who
// and why. On a phone the product, who and why move into the "What" cell, so two columns remain
// and the table needs no sideways scrolling.
import Link from "next/link";
import { useDateDisplay, useMoney, type FormatMoney } from "@/components/money";
import { TableFrame } from "@/components/table-frame";
import { formatDateTime } from "@/lib/display-format";
import type { FieldChange } from "@/lib/products/changes";
import type { ProductHistoryEntry } from "@/lib/products/dto";

const signed = (value: number) => `${value > 0 ? "+" : ""}${value}`;

/** One changed field, before → after: "Price €8.99 → €9.49", "Stock +50 (23 → 73)", "Name 'Tea' → 'Green tea'". */
export function describeFieldChange(change: FieldChange, formatCents: FormatMoney): string {
  switch (change.field) {
    case "name":
      return `Name '${change.before}' → '${change.after}'`;
    case "sku":
      return `SKU '${change.before}' → '${change.after}'`;
    case "priceCents":
      return `Price ${formatCents(change.before ?? 0)} → ${formatCents(change.after)}`;
    case "stock":
      return `Stock ${signed(change.after - (change.before ?? 0))} (${change.before} → ${change.after})`;
    case "lowStockThreshold":
      return `Low-stock threshold ${change.before} → ${change.after}`;
  }
}

/**
 * What an event did, when it is not a list of field changes: created, archived, restored, or an
 * event recorded before the values before a change were kept (its state after, as it was shown then).
 */
export function describeChange(entry: ProductHistoryEntry, formatCents: FormatMoney) {
  if (entry.kind === "archived") return "Archived";
  if (entry.kind === "restored") return "Restored";
  if (entry.kind === "created") return `Created with stock ${entry.stock} at ${formatCents(entry.priceCents)}`;
  // An edit of several fields may carry a stock count's delta too: it is described in full below.
  if (entry.delta !== null && entry.kind === "stock") return `Stock ${signed(entry.delta)} → ${entry.stock}`;
  if (entry.kind === "stock") return `Stock set to ${entry.stock}`;
  if (entry.kind === "price") return `Price set to ${formatCents(entry.priceCents)}`;
  return `Edited: ${entry.name} · ${entry.sku} · ${formatCents(entry.priceCents)} · stock ${entry.stock} · low at ${entry.lowStockThreshold}`;
}

function WhatChanged({ entry, formatCents }: { entry: ProductHistoryEntry; formatCents: FormatMoney }) {
  const { changes } = entry;
  if (entry.kind === "created" || changes === null || changes.length === 0) {
    return <span data-testid="change-summary">{describeChange(entry, formatCents)}</span>;
  }
  return (
    <ul className="space-y-0.5" data-testid="change-list">
      {changes.map((change) => (
        <li key={change.field} data-testid={`change-${change.field}`}>
          {describeFieldChange(change, formatCents)}
        </li>
      ))}
    </ul>
  );
}

const cell = "px-3 py-2 align-top";
// Product, who and why have their own columns from the sm breakpoint on; below it they sit in "What".
const wide = "hidden sm:table-cell";

function ProductName({ entry }: { entry: ProductHistoryEntry }) {
  return (
    <>
      <Link href={`/products/${entry.productId}`} className="underline">
        {entry.name}
      </Link>{" "}
      <span className="text-slate-500 dark:text-slate-400">{entry.sku}</span>
    </>
  );
}

export function HistoryTable({
  entries,
  showProduct,
  busy,
}: {
  entries?: ProductHistoryEntry[];
  showProduct: boolean;
  busy: boolean;
}) {
  const formatCents = useMoney();
  const display = useDateDisplay();
  return (
    <TableFrame label="Changes">
      <table className="w-full text-sm" data-testid="history" aria-busy={busy}>
        <thead className="bg-slate-100 text-left dark:bg-slate-800">
          <tr>
            <th scope="col" className={cell}>
              When
            </th>
            {showProduct && (
              <th scope="col" className={`${cell} ${wide}`}>
                Product
              </th>
            )}
            <th scope="col" className={cell}>
              What
            </th>
            <th scope="col" className={`${cell} ${wide}`}>
              Who
            </th>
            <th scope="col" className={`${cell} ${wide}`}>
              Why
            </th>
          </tr>
        </thead>
        <tbody>
          {(entries ?? []).map((entry) => (
            <tr key={entry.eventId} className="border-t border-slate-100 dark:border-slate-800">
              <td className={`${cell} tabular-nums sm:whitespace-nowrap`}>
                <time dateTime={entry.at}>{formatDateTime(display, Date.parse(entry.at))}</time>
              </td>
              {showProduct && (
                <td className={`${cell} ${wide} [overflow-wrap:anywhere]`}>
                  <ProductName entry={entry} />
                </td>
              )}
              <td className={`${cell} [overflow-wrap:anywhere]`}>
                {showProduct && (
                  <p className="mb-1 sm:hidden">
                    <ProductName entry={entry} />
                  </p>
                )}
                <WhatChanged entry={entry} formatCents={formatCents} />
                {(entry.actor !== undefined || entry.reason) && (
                  <p className="mt-1 text-slate-600 sm:hidden dark:text-slate-300" data-testid="change-by">
                    {[entry.actor && `by ${entry.actor}`, entry.reason && `why: ${entry.reason}`]
                      .filter(Boolean)
                      .join(" · ")}
                  </p>
                )}
              </td>
              <td className={`${cell} ${wide} [overflow-wrap:anywhere]`}>{entry.actor ?? "–"}</td>
              <td className={`${cell} ${wide} [overflow-wrap:anywhere]`}>{entry.reason ?? "–"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableFrame>
  );
}
