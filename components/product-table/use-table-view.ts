"use client";
// Search, sort and filter live in the URL, so a view can be shared and survives a reload. The
// query string is parsed with a small schema: anything unknown falls back to the default.
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { z } from "zod";
import { SORT_KEYS } from "@/lib/client/product-order";

const FILTERS = ["all", "low", "out"] as const;

const viewSchema = z.object({
  q: z.string().catch(""),
  sort: z.enum(SORT_KEYS).catch("name"),
  dir: z.enum(["asc", "desc"]).catch("asc"),
  filter: z.enum(FILTERS).catch("all"),
});

export type TableView = z.infer<typeof viewSchema>;
export type Filter = TableView["filter"];

const DEFAULTS: TableView = viewSchema.parse({});

export function useTableView() {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const view = viewSchema.parse({
    q: params.get("q"),
    sort: params.get("sort"),
    dir: params.get("dir"),
    filter: params.get("filter"),
  });
  const set = (changes: Partial<TableView>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes) as Array<[keyof TableView, string]>) {
      if (value === DEFAULTS[key]) next.delete(key);
      else next.set(key, value);
    }
    const query = next.toString();
    router.replace(query ? `${pathname}?${query}` : pathname, { scroll: false });
  };
  return { view, set };
}
