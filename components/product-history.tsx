"use client";
// A product's audit trail: when, what, who and why, newest first. Reloaded whenever the live
// feed brings a new version of the product.
import { useEffect } from "react";
import useSWR from "swr";
import { useLocale, useMoney, type FormatMoney } from "@/components/money";
import { formatDateTime } from "@/components/time-format";
import { TableFrame } from "@/components/table-frame";
import type { ProductHistoryEntry } from "@/lib/products/dto";

const fetchHistory = async (url: string): Promise<ProductHistoryEntry[]> => {
  const response = await fetch(url, { cache: "no-store" });
  if (!response.ok) throw new Error(`Loading the history failed (${response.status})`);
  return (await response.json()).events;
};

function describe(entry: ProductHistoryEntry, formatCents: FormatMoney) {
  if (entry.kind === "archived") return "Archived";
  if (entry.kind === "restored") return "Restored";
  if (entry.kind === "created") return `Created with stock ${entry.stock} at ${formatCents(entry.priceCents)}`;
  if (entry.delta !== null) return `Stock ${entry.delta > 0 ? "+" : ""}${entry.delta} → ${entry.stock}`;
  if (entry.kind === "stock") return `Stock set to ${entry.stock}`;
  if (entry.kind === "price") return `Price set to ${formatCents(entry.priceCents)}`;
  return `Edited: ${entry.name} · ${entry.sku} · ${formatCents(entry.priceCents)} · stock ${entry.stock} · low at ${entry.lowStockThreshold}`;
}

/** The product's recent events, newest first, reloaded whenever the live version moves on. */
export function useProductHistory(productId: number, version: number) {
  const { data, error, mutate } = useSWR(`/api/v1/products/${productId}/events?limit=500`, fetchHistory);
  useEffect(() => {
    void mutate();
  }, [version, mutate]);
  return { entries: data, error };
}

export function ProductHistory({ entries, error }: { entries?: ProductHistoryEntry[]; error?: unknown }) {
  const formatCents = useMoney();
  const locale = useLocale();

  return (
    <section aria-labelledby="history-heading" className="space-y-2">
      <h2 id="history-heading" className="text-lg font-semibold">
        History
      </h2>
      {error ? (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">
          {(error as Error).message}
        </p>
      ) : null}
      <TableFrame>
        <table className="w-full text-sm" data-testid="history">
          <thead className="bg-slate-100 text-left dark:bg-slate-800">
            <tr>
              <th scope="col" className="px-3 py-2">
                When
              </th>
              <th scope="col" className="px-3 py-2">
                What
              </th>
              <th scope="col" className="px-3 py-2">
                Who
              </th>
              <th scope="col" className="px-3 py-2">
                Why
              </th>
            </tr>
          </thead>
          <tbody>
            {(entries ?? []).slice(0, 100).map((entry) => (
              <tr key={entry.eventId} className="border-t border-slate-100 dark:border-slate-800">
                <td className="px-3 py-2 whitespace-nowrap tabular-nums">
                  <time dateTime={entry.at}>{formatDateTime(locale, Date.parse(entry.at))}</time>
                </td>
                <td className="px-3 py-2">{describe(entry, formatCents)}</td>
                <td className="px-3 py-2">{entry.actor ?? "–"}</td>
                <td className="px-3 py-2">{entry.reason ?? "–"}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {entries === undefined && !error ? (
          <p role="status" className="p-4 text-sm text-slate-600 dark:text-slate-300">
            Loading the history…
          </p>
        ) : null}
        {entries?.length === 0 ? (
          <p className="p-4 text-sm text-slate-600 dark:text-slate-300" data-testid="history-empty">
            No changes recorded yet: every edit, stock adjustment and price change shows here with who made it and why.
          </p>
        ) : null}
      </TableFrame>
    </section>
  );
}
