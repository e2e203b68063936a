"use client";
// Changes as a table: when, (which product,) what, who and why.
import Link from "next/link";
import { useDateDisplay, useMoney, type FormatMoney } from "@/components/money";
import { TableFrame } from "@/components/table-frame";
import { formatDateTime } from "@/lib/display-format";
import type { ProductHistoryEntry } from "@/lib/products/dto";

export function describeChange(entry: ProductHistoryEntry, formatCents: FormatMoney) {
  if (entry.kind === "archived") return "Archived";
  if (entry.kind === "restored") return "Restored";
  if (entry.kind === "created") return `Created with stock ${entry.stock} at ${formatCents(entry.priceCents)}`;
  // An edit of several fields may carry a stock count's delta too: it is described in full below.
  if (entry.delta !== null && entry.kind === "stock")
    return `Stock ${entry.delta > 0 ? "+" : ""}${entry.delta} → ${entry.stock}`;
  if (entry.kind === "stock") return `Stock set to ${entry.stock}`;
  if (entry.kind === "price") return `Price set to ${formatCents(entry.priceCents)}`;
  return `Edited: ${entry.name} · ${entry.sku} · ${formatCents(entry.priceCents)} · stock ${entry.stock} · low at ${entry.lowStockThreshold}`;
}

const cell = "px-3 py-2";

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
              <th scope="col" className={cell}>
                Product
              </th>
            )}
            <th scope="col" className={cell}>
              What
            </th>
            <th scope="col" className={cell}>
              Who
            </th>
            <th scope="col" className={cell}>
              Why
            </th>
          </tr>
        </thead>
        <tbody>
          {(entries ?? []).map((entry) => (
            <tr key={entry.eventId} className="border-t border-slate-100 dark:border-slate-800">
              <td className={`${cell} whitespace-nowrap tabular-nums`}>
                <time dateTime={entry.at}>{formatDateTime(display, Date.parse(entry.at))}</time>
              </td>
              {showProduct && (
                <td className={cell}>
                  <Link href={`/products/${entry.productId}`} className="underline">
                    {entry.name}
                  </Link>{" "}
                  <span className="text-slate-500 dark:text-slate-400">{entry.sku}</span>
                </td>
              )}
              <td className={cell}>{describeChange(entry, formatCents)}</td>
              <td className={cell}>{entry.actor ?? "–"}</td>
              <td className={cell}>{entry.reason ?? "–"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableFrame>
  );
}
