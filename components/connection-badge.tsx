import type { ConnectionState } from "@/components/use-live-products";

const LABELS: Record<ConnectionState, { text: string; dot: string }> = {
  live: { text: "Live", dot: "bg-emerald-500" },
  connecting: { text: "Connecting…", dot: "bg-amber-400" },
  reconnecting: { text: "Reconnecting…", dot: "bg-amber-400 animate-pulse" },
};

export function ConnectionBadge({ state }: { state: ConnectionState }) {
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
    </span>
  );
}
