"use client";
// A product's changes: the recent ones for its chart, and its full audit trail (when, what, who,
// why), paged and filtered through components/history. Both follow the live version.
import { useEffect } from "react";
import useSWR from "swr";
import { HistoryBrowser } from "@/components/history/history-browser";
import type { ProductHistoryEntry } from "@/lib/products/dto";

const fetchHistory = async (url: string): Promise<ProductHistoryEntry[]> => {
  const response = await fetch(url, { cache: "no-store" });
  if (!response.ok) throw new Error(`Loading the history failed (${response.status})`);
  return (await response.json()).events;
};

/** The product's most recent events (for its chart), reloaded whenever the live version moves on. */
export function useProductHistory(productId: number, version: number) {
  const { data, error, mutate } = useSWR(`/api/v1/products/${productId}/events?limit=500`, fetchHistory);
  useEffect(() => {
    void mutate();
  }, [version, mutate]);
  return { entries: data, error };
}

export function ProductHistory({
  productId,
  version,
  canSeeAudit,
}: {
  productId: number;
  version: number;
  canSeeAudit: boolean;
}) {
  return <HistoryBrowser productId={productId} version={version} canSeeAudit={canSeeAudit} />;
}
