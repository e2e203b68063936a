"use client";
// The history's filters and page live in the page's URL (shareable, kept on reload): the same
// parameter names as GET /api/v1/events, so the URL's query is the API's, minus empty fields
// (a filter form submits them) and anything the API does not take.
import { useSearchParams } from "next/navigation";

export const HISTORY_FILTERS = ["actor", "reason", "kind", "from", "to"] as const;
const CURSORS = ["before", "after"] as const;

export type HistoryQuery = {
  /** The filters only (for the form, the export and the pager). */
  filters: URLSearchParams;
  /** Filters and cursor: what the API is asked for. */
  page: URLSearchParams;
  active: boolean;
  value: (name: (typeof HISTORY_FILTERS)[number]) => string;
  kinds: string[];
};

function pick(params: URLSearchParams, names: readonly string[]) {
  const picked = new URLSearchParams();
  for (const name of names)
    for (const value of params.getAll(name)) if (value.trim() !== "") picked.append(name, value.trim());
  return picked;
}

export function useHistoryQuery(): HistoryQuery {
  const params = useSearchParams();
  const filters = pick(params, HISTORY_FILTERS);
  const page = pick(params, [...HISTORY_FILTERS, ...CURSORS]);
  return {
    filters,
    page,
    active: filters.size > 0,
    value: (name) => filters.get(name) ?? "",
    kinds: filters.getAll("kind").flatMap((kind) => kind.split(",")),
  };
}

/** `base` with the filters and one more parameter (a cursor), as a link. */
export function withQuery(base: string, params: URLSearchParams, extra: Record<string, string> = {}) {
  const query = new URLSearchParams(params);
  for (const [name, value] of Object.entries(extra)) query.set(name, value);
  const text = query.toString();
  return text ? `${base}?${text}` : base;
}
