"use client";
// The history's filter controls: a GET form, so the filters land in the URL (and work before
// the page's script has loaded). Person and reason only for staff: they are hidden from others,
// and so are their suggestions (the people and reasons there are, from
// GET /api/v1/events/suggestions, asked for only when the fields are shown). Both match in any
// case, and a person by any part of their email.
// The dates are days in the shop's time zone (DISPLAY_TIME_ZONE): history-query.ts turns them
// into the moments the API is asked for.
import Form from "next/form";
import Link from "next/link";
import useSWR from "swr";
import type { HistoryQuery } from "@/components/history/history-query";
import { useDateDisplay } from "@/components/money";
import type { EventKind } from "@/lib/events/feed-event";
import { eventKindSchema, type HistorySuggestions } from "@/lib/products/dto";

const KIND_LABELS: Record<EventKind, string> = {
  created: "Created",
  stock: "Stock changes",
  price: "Price changes",
  update: "Other edits",
  archived: "Archived",
  restored: "Restored",
};

const field =
  "w-full rounded border border-slate-300 px-2 py-1 text-sm sm:w-auto dark:border-slate-700 dark:bg-slate-950";
const labelled = "w-full text-sm sm:w-auto";

// Suggestions are a help, not a need: the fields work without them, so a failed load shows nothing.
const fetchSuggestions = async (url: string): Promise<HistorySuggestions> => {
  const response = await fetch(url, { cache: "no-store" });
  return response.ok ? response.json() : { actors: [], reasons: [] };
};

export function HistoryFilters({
  path,
  query,
  canSeeAudit,
}: {
  path: string;
  query: HistoryQuery;
  canSeeAudit: boolean;
}) {
  const { timeZone } = useDateDisplay();
  const { data: suggestions } = useSWR(canSeeAudit ? "/api/v1/events/suggestions" : null, fetchSuggestions, {
    revalidateOnFocus: false,
  });
  return (
    <Form action={path} className="flex flex-wrap items-end gap-3" aria-label="Filter the history">
      {canSeeAudit && (
        <>
          <label className={labelled}>
            <span className="block font-medium">By person</span>
            <input
              name="actor"
              list="history-actors"
              defaultValue={query.value("actor")}
              placeholder="Email or part of it"
              className={field}
            />
            <datalist id="history-actors" data-testid="history-actors">
              {suggestions?.actors.map((actor) => (
                <option key={actor} value={actor} />
              ))}
            </datalist>
          </label>
          <label className={labelled}>
            <span className="block font-medium">By reason</span>
            <input name="reason" list="history-reasons" defaultValue={query.value("reason")} className={field} />
            <datalist id="history-reasons" data-testid="history-reasons">
              {suggestions?.reasons.map((reason) => (
                <option key={reason} value={reason} />
              ))}
            </datalist>
          </label>
        </>
      )}
      <fieldset className="text-sm">
        <legend className="font-medium">Kind</legend>
        <div className="flex flex-wrap gap-x-3 gap-y-1 py-1">
          {eventKindSchema.options.map((kind) => (
            <label key={kind} className="flex items-center gap-1">
              <input type="checkbox" name="kind" value={kind} defaultChecked={query.kinds.includes(kind)} />
              {KIND_LABELS[kind] ?? kind}
            </label>
          ))}
        </div>
      </fieldset>
      <label className={labelled}>
        <span className="block font-medium">From (day in {timeZone})</span>
        <input type="date" name="from" defaultValue={query.value("from")} className={field} />
      </label>
      <label className={labelled}>
        <span className="block font-medium">To (included)</span>
        <input type="date" name="to" defaultValue={query.value("to")} className={field} />
      </label>
      <button
        type="submit"
        className="rounded bg-slate-900 px-3 py-1.5 text-sm text-white dark:bg-slate-100 dark:text-slate-900"
      >
        Filter
      </button>
      {query.active && (
        <Link href={path} className="py-1.5 text-sm underline">
          Clear filters
        </Link>
      )}
    </Form>
  );
}
