"use client";
// A row of labelled figures (the dashboard's summary, a product's key facts). A figure can be a
// link to the view it counts (the dashboard's "Low stock" shows the low stock products): the
// whole card follows it, it says whether its view is the one shown (aria-current, and a heavier
// border), and its address is that view's, so it can be opened in a new tab or shared.

/** Where a figure leads: `href` for the address, `follow` to show it in place on a plain click. */
export type StatLink = { href: string; current: boolean; follow: () => void };

export type Stat = [label: string, value: string, link?: StatLink];

/** A plain left click shows the view in place; with a modifier key the browser opens the link. */
function followInPlace(event: React.MouseEvent<HTMLAnchorElement>, link: StatLink) {
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  link.follow();
}

export function StatCards({ stats, idPrefix, ...rest }: { stats: Stat[]; idPrefix?: string; "data-testid"?: string }) {
  return (
    <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4" {...rest}>
      {stats.map(([label, value, link]) => (
        <div
          key={label}
          className={`rounded-lg border bg-white p-3 dark:bg-slate-900 ${
            link
              ? "relative hover:border-slate-400 has-[a:focus-visible]:ring-2 has-[a:focus-visible]:ring-sky-600 dark:hover:border-slate-500"
              : ""
          } ${
            link?.current
              ? "border-slate-900 ring-1 ring-slate-900 dark:border-slate-100 dark:ring-slate-100"
              : "border-slate-200 dark:border-slate-800"
          }`}
        >
          <dt className="text-xs text-slate-500 uppercase dark:text-slate-400">{label}</dt>
          <dd
            className="text-xl font-semibold tabular-nums"
            data-testid={idPrefix ? `${idPrefix}-${label.toLowerCase().replace(" ", "-")}` : undefined}
          >
            {link ? (
              <a
                href={link.href}
                aria-current={link.current ? "true" : undefined}
                aria-label={`${label}: ${value}`}
                onClick={(event) => followInPlace(event, link)}
                // The whole card is the link's target (its ::after covers it).
                className="after:absolute after:inset-0 after:rounded-lg focus-visible:outline-none"
              >
                {value}
              </a>
            ) : (
              value
            )}
          </dd>
        </div>
      ))}
    </dl>
  );
}
