"use client";
// The full history, a page at a time: the filters and the page's cursor are in the URL, "Older"
// and "Newer" follow the API's cursors (never an offset), "Export CSV" downloads everything the
// filters match. The shop-wide activity page and each product's page use it.
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useEffect } from "react";
import useSWR from "swr";
import { HistoryFilters } from "@/components/history/history-filters";
import { useHistoryQuery, withQuery } from "@/components/history/history-query";
import { HistoryTable } from "@/components/history/history-table";
import type { ProductHistoryEntry } from "@/lib/products/dto";

type HistoryPage = { events: ProductHistoryEntry[]; nextBefore: string | null; nextAfter: string | null };

const PAGE_SIZE = "50";

const fetchPage = async (url: string): Promise<HistoryPage> => {
  const response = await fetch(url, { cache: "no-store" });
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
    throw new Error(`Loading the history failed: ${body?.error?.message ?? `status ${response.status}`}`);
  }
  return response.json();
};

export function HistoryBrowser({
  productId,
  version,
  canSeeAudit,
  heading = "History",
}: {
  /** One product's history; none: the whole shop's. */
  productId?: number;
  /** The product's live version: the page reloads when it moves on. */
  version?: number;
  canSeeAudit: boolean;
  heading?: string;
}) {
  const path = usePathname();
  const query = useHistoryQuery();
  const api = productId === undefined ? "/api/v1/events" : `/api/v1/products/${productId}/events`;
  const { data, error, isLoading, mutate } = useSWR(withQuery(api, query.apiPage, { limit: PAGE_SIZE }), fetchPage, {
    keepPreviousData: true,
  });
  useEffect(() => {
    if (version !== undefined) void mutate();
  }, [version, mutate]);

  const exportFilters = new URLSearchParams(query.apiFilters);
  if (productId !== undefined) exportFilters.set("productId", String(productId));
  const paged = query.page.has("before") || query.page.has("after");

  return (
    <section aria-labelledby="history-heading" className="space-y-3">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h2 id="history-heading" className="text-lg font-semibold">
          {heading}
        </h2>
        <a href={withQuery("/api/v1/events.csv", exportFilters)} download className="text-sm underline">
          Export CSV
        </a>
      </div>
      <HistoryFilters key={query.filters.toString()} path={path} query={query} canSeeAudit={canSeeAudit} />
      {error ? (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">
          {(error as Error).message}
        </p>
      ) : null}
      {data && data.events.length === 0 ? (
        <p
          className="rounded border border-dashed border-slate-300 p-4 text-sm dark:border-slate-700"
          data-testid="history-empty"
        >
          {query.active
            ? "No changes match these filters. Widen the dates, tick more kinds or clear the filters."
            : paged
              ? "No more changes this way. Go back to the newest."
              : productId === undefined
                ? "No changes yet. Stock adjustments, price changes and edits appear here as they are saved."
                : "No changes to this product yet. Adjust its stock or edit it, and each change appears here."}
        </p>
      ) : (
        <HistoryTable entries={data?.events} showProduct={productId === undefined} busy={isLoading} />
      )}
      <nav aria-label="History pages" className="flex gap-4 text-sm">
        {paged && (
          <Link href={withQuery(path, query.filters)} className="underline">
            Newest
          </Link>
        )}
        {data?.nextAfter && (
          <Link href={withQuery(path, query.filters, { after: data.nextAfter })} className="underline" rel="prev">
            ← Newer
          </Link>
        )}
        {data?.nextBefore && (
          <Link href={withQuery(path, query.filters, { before: data.nextBefore })} className="underline" rel="next">
            Older →
          </Link>
        )}
      </nav>
    </section>
  );
}
