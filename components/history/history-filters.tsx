"use client";
// The history's filter controls: a GET form, so the filters land in the URL (and work before
// the page's script has loaded). Person and reason only for staff: they are hidden from others.
// The dates are days in the shop's time zone (DISPLAY_TIME_ZONE): history-query.ts turns them
// into the moments the API is asked for.
import Form from "next/form";
import Link from "next/link";
import type { HistoryQuery } from "@/components/history/history-query";
import { useDateDisplay } from "@/components/money";
import type { EventKind } from "@/lib/events/feed-event";
import { eventKindSchema } from "@/lib/products/dto";

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

export function HistoryFilters({
  path,
  query,
  canSeeAudit,
  actors = [],
}: {
  path: string;
  query: HistoryQuery;
  canSeeAudit: boolean;
  actors?: string[];
}) {
  const { timeZone } = useDateDisplay();
  return (
    <Form action={path} className="flex flex-wrap items-end gap-3" aria-label="Filter the history">
      {canSeeAudit && (
        <>
          <label className={labelled}>
            <span className="block font-medium">By person</span>
            <input name="actor" list="history-actors" defaultValue={query.value("actor")} className={field} />
            <datalist id="history-actors">
              {actors.map((actor) => (
                <option key={actor} value={actor} />
              ))}
            </datalist>
          </label>
          <label className={labelled}>
            <span className="block font-medium">By reason</span>
            <input name="reason" defaultValue={query.value("reason")} className={field} />
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
