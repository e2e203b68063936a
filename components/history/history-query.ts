"use client";
// The history's filters and page live in the page's URL (shareable, kept on reload): the same
// parameter names as GET /api/v1/events, so the URL's query is the API's, minus empty fields
// (a filter form submits them) and anything the API does not take. A date alone (the date
// pickers') is a day in the shop's time zone here, where the API takes it as a UTC day: the API
// is asked for the moments that day starts and ends in DISPLAY_TIME_ZONE.
import { useSearchParams } from "next/navigation";
import { useDateDisplay } from "@/components/money";
import { startOfDay } from "@/lib/display-format";

export const HISTORY_FILTERS = ["actor", "reason", "kind", "from", "to"] as const;
const CURSORS = ["before", "after"] as const;

export type HistoryQuery = {
  /** The filters only (for the form, the export and the pager). */
  filters: URLSearchParams;
  /** Filters and cursor as the page's URL has them. */
  page: URLSearchParams;
  /** The filters for the API: days as the moments they start and end in the shop's time zone. */
  apiFilters: URLSearchParams;
  /** Filters and cursor for the API. */
  apiPage: URLSearchParams;
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

/** `from` and `to` days as moments in `timeZone` (`to` includes its day); anything else unchanged. */
function inZone(params: URLSearchParams, timeZone: string) {
  const converted = new URLSearchParams(params);
  for (const [name, days] of [
    ["from", 0],
    ["to", 1],
  ] as const) {
    const value = params.get(name);
    const moment = value === null ? null : startOfDay(value, timeZone, days);
    // Not a day (a date-time, a mistake): the API takes it or says what is wrong.
    if (moment && moment.getUTCFullYear() <= 9999) converted.set(name, moment.toISOString());
  }
  return converted;
}

export function useHistoryQuery(): HistoryQuery {
  const params = useSearchParams();
  const { timeZone } = useDateDisplay();
  const filters = pick(params, HISTORY_FILTERS);
  const page = pick(params, [...HISTORY_FILTERS, ...CURSORS]);
  return {
    filters,
    page,
    apiFilters: inZone(filters, timeZone),
    apiPage: inZone(page, timeZone),
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
