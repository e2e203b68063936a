// The frame every table sits in: a bordered card that scrolls sideways on a narrow screen.
// Relative: screen-reader-only text in the cells is placed in it, not past the page's edge.
// `dimmed`: what it shows may be out of date (the feed is not live). `label`: names the frame as
// a region keyboard users can focus to scroll it (a table without links or buttons needs it).
export function TableFrame({
  dimmed = false,
  label,
  children,
}: {
  dimmed?: boolean;
  label?: string;
  children: React.ReactNode;
}) {
  return (
    <div
      {...(label && { role: "region", "aria-label": label, tabIndex: 0 })}
      className={`relative overflow-x-auto rounded-lg border border-slate-200 bg-white transition-opacity dark:border-slate-800 dark:bg-slate-900 ${dimmed ? "opacity-60" : ""}`}
    >
      {children}
    </div>
  );
}
