import type { ConnectionState } from "@/lib/client/use-live-products";

const LABELS: Record<ConnectionState, { text: string; dot: string }> = {
  live: { text: "Live", dot: "bg-emerald-500" },
  connecting: { text: "Connecting…", dot: "bg-amber-400" },
  stale: { text: "Stale: server cannot reach the database", dot: "bg-red-500 animate-pulse" },
  reconnecting: { text: "Reconnecting…", dot: "bg-amber-400 animate-pulse" },
  offline: { text: "Offline: not updating", dot: "bg-red-500" },
};

// The one place that says whether what is on screen is live. Shape and words carry the state,
// not colour alone.
export function ConnectionBadge({ state, caughtUp = false }: { state: ConnectionState; caughtUp?: boolean }) {
  const label = LABELS[state];
  return (
    <span
      role="status"
      data-testid="connection-state"
      data-state={state}
      className="inline-flex items-center gap-2 rounded-full border border-slate-200 bg-white px-3 py-1 text-sm dark:border-slate-700 dark:bg-slate-900"
    >
      <span aria-hidden className={`h-2 w-2 rounded-full ${label.dot}`} />
      {label.text}
      {state === "live" && caughtUp ? <span className="text-slate-500 dark:text-slate-400">· caught up</span> : null}
    </span>
  );
}
