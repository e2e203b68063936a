"use client";
// Stock (steps) and price (line) over time, from the product's events, in plain SVG: two series
// and a few hundred points do not need a chart library. The SVG stretches to any width (its
// strokes stay one width); the axis labels are HTML text around it, so they keep the page's font
// size on a phone instead of shrinking with the drawing.
import { useDateDisplay, useMoney } from "@/components/money";
import { useProductHistory } from "@/components/product-history";
import { formatCount, formatShortDateTime, zoneName } from "@/lib/display-format";
import type { ProductHistoryEntry } from "@/lib/products/dto";

// The drawing's own units (stretched to the box it is in).
const WIDTH = 1000;
const HEIGHT = 200;
const label = "absolute text-xs leading-none text-slate-600 tabular-nums dark:text-slate-300";

/** A product's chart in its own card, following its history: its page and its admin page. */
export function StockChartCard({ productId, version }: { productId: number; version: number }) {
  const history = useProductHistory(productId, version);
  return (
    <section
      aria-labelledby="chart-heading"
      className="space-y-2 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900"
    >
      <h2 id="chart-heading" className="text-lg font-semibold">
        Stock and price over time
      </h2>
      <StockChart entries={history.entries ?? []} />
    </section>
  );
}

export function StockChart({ entries }: { entries: ProductHistoryEntry[] }) {
  const formatCents = useMoney();
  const display = useDateDisplay();
  const points = [...entries].reverse(); // oldest first
  if (points.length === 0) {
    return (
      <p data-testid="stock-chart" data-points={0} className="text-sm text-slate-600 dark:text-slate-300">
        No changes recorded yet.
      </p>
    );
  }

  const times = points.map((point) => Date.parse(point.at));
  const start = times[0];
  const end = Math.max(times[times.length - 1], start + 1);
  const maxStock = Math.max(1, ...points.map((point) => point.stock));
  const prices = points.map((point) => point.priceCents);
  const [minPrice, maxPrice] = [Math.min(...prices), Math.max(...prices, Math.min(...prices) + 1)];
  const x = (time: number) => ((time - start) / (end - start)) * WIDTH;
  const yStock = (stock: number) => HEIGHT - (stock / maxStock) * HEIGHT;
  const yPrice = (cents: number) => HEIGHT - ((cents - minPrice) / (maxPrice - minPrice)) * HEIGHT;

  const stockPath = points
    .map((point, i) => (i === 0 ? `M${x(times[0])},${yStock(point.stock)}` : `H${x(times[i])}V${yStock(point.stock)}`))
    .join("");
  const pricePath = points.map((point, i) => `${i ? "L" : "M"}${x(times[i])},${yPrice(point.priceCents)}`).join("");
  const first = points[0];
  const last = points[points.length - 1];
  const time = (ms: number) => formatShortDateTime(display, ms);
  const summary = `Stock went from ${first.stock} to ${last.stock} and price from ${formatCents(first.priceCents)} to ${formatCents(last.priceCents)} over ${points.length} changes, ${time(start)} to ${time(end)} ${zoneName(display, end)}.`;

  return (
    <figure className="space-y-2">
      {/* The labels repeat what the summary says: hidden from screen readers, which read that. */}
      <div className="relative h-56 pt-2 pr-20 pb-6 pl-12 sm:pr-24" data-testid="stock-chart-box">
        <svg
          viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
          preserveAspectRatio="none"
          role="img"
          aria-label={summary}
          data-testid="stock-chart"
          data-points={points.length}
          className="h-full w-full overflow-visible border-b border-l border-slate-400 dark:border-slate-500"
        >
          <path
            d={pricePath}
            fill="none"
            stroke="#6366f1"
            strokeWidth="1.5"
            strokeDasharray="4 3"
            vectorEffect="non-scaling-stroke"
          />
          <path d={stockPath} fill="none" stroke="#059669" strokeWidth="2" vectorEffect="non-scaling-stroke" />
        </svg>
        <div aria-hidden data-testid="chart-labels">
          <span className={`${label} top-2 left-0 w-11 text-right`}>{formatCount(display.locale, maxStock)}</span>
          <span className={`${label} bottom-6 left-0 w-11 text-right`}>0</span>
          <span className={`${label} top-2 right-0 w-[4.75rem] pl-1 sm:w-[5.75rem]`}>{formatCents(maxPrice)}</span>
          <span className={`${label} right-0 bottom-6 w-[4.75rem] pl-1 sm:w-[5.75rem]`}>{formatCents(minPrice)}</span>
          <span className={`${label} bottom-0 left-12`}>{time(start)}</span>
          <span className={`${label} right-0 bottom-0 text-right`}>{time(end)}</span>
        </div>
      </div>
      <figcaption className="flex flex-wrap gap-x-4 text-xs text-slate-600 dark:text-slate-300">
        <span>
          <span aria-hidden className="text-emerald-600">
            ━
          </span>{" "}
          Stock (left axis)
        </span>
        <span>
          <span aria-hidden className="text-indigo-500">
            ╌
          </span>{" "}
          Price (right axis)
        </span>
        <span>Times in {zoneName(display, end)}</span>
        <span className="sr-only">{summary}</span>
      </figcaption>
    </figure>
  );
}
