// A row of labelled figures (the dashboard's summary, a product's key facts).
export function StatCards({
  stats,
  idPrefix,
  ...rest
}: {
  stats: Array<[string, string]>;
  idPrefix?: string;
  "data-testid"?: string;
}) {
  return (
    <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4" {...rest}>
      {stats.map(([label, value]) => (
        <div
          key={label}
          className="rounded-lg border border-slate-200 bg-white p-3 dark:border-slate-800 dark:bg-slate-900"
        >
          <dt className="text-xs text-slate-500 uppercase dark:text-slate-400">{label}</dt>
          <dd
            className="text-xl font-semibold tabular-nums"
            data-testid={idPrefix ? `${idPrefix}-${label.toLowerCase().replace(" ", "-")}` : undefined}
          >
            {value}
          </dd>
        </div>
      ))}
    </dl>
  );
}
