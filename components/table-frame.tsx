// The frame every table sits in: a bordered card that scrolls sideways on a narrow screen.
// `dimmed`: what it shows may be out of date (the feed is not live).
export function TableFrame({ dimmed = false, children }: { dimmed?: boolean; children: React.ReactNode }) {
  return (
    <div
      className={`overflow-x-auto rounded-lg border border-slate-200 bg-white transition-opacity dark:border-slate-800 dark:bg-slate-900 ${dimmed ? "opacity-60" : ""}`}
    >
      {children}
    </div>
  );
}
