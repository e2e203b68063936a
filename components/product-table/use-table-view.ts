"use client";
// Search, sort and filter live in the URL, so a view can be shared and survives a reload. The
// query string is parsed with a small schema: anything unknown falls back to the default.
import { usePathname, useSearchParams } from "next/navigation";
import { z } from "zod";
import { SORT_KEYS } from "@/lib/products/product-order";
import { VIEW_FILTERS } from "@/lib/products/view";

const viewSchema = z.object({
  q: z.string().catch(""),
  sort: z.enum(SORT_KEYS).catch("name"),
  dir: z.enum(["asc", "desc"]).catch("asc"),
  filter: z.enum(VIEW_FILTERS).catch("all"),
});

export type TableView = z.infer<typeof viewSchema>;
export type Filter = TableView["filter"];

const DEFAULTS: TableView = viewSchema.parse({});

/** `query` with `changes` applied; a value back at its default leaves the URL. */
function withChanges(query: URLSearchParams, changes: Partial<TableView>): string {
  const next = new URLSearchParams(query);
  for (const [key, value] of Object.entries(changes) as Array<[keyof TableView, string]>) {
    if (value === DEFAULTS[key]) next.delete(key);
    else next.set(key, value);
  }
  return next.toString();
}

export function useTableView() {
  const params = useSearchParams();
  const pathname = usePathname();
  const view = viewSchema.parse({
    q: params.get("q"),
    sort: params.get("sort"),
    dir: params.get("dir"),
    filter: params.get("filter"),
  });
  const set = (changes: Partial<TableView>) => {
    // From the address bar, not this render's params: two quick changes (a filter, then a sort)
    // must both count, even before the first has re-rendered.
    const query = withChanges(new URLSearchParams(window.location.search), changes);
    // The history API (Next keeps useSearchParams in step): the view is the browser's alone, so
    // no server round trip for the page, as router.replace would make.
    window.history.replaceState(null, "", query ? `${pathname}?${query}` : pathname);
  };
  /** The address of this view with `changes`: a link to share, or to open in a new tab. */
  const href = (changes: Partial<TableView>) => {
    const query = withChanges(params, changes);
    return query ? `${pathname}?${query}` : pathname;
  };
  return { view, set, href };
}
