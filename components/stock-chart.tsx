"use client";
// Stock (steps) and price (line) over time, from the product's events, in plain SVG: two series
// and a few hundred points do not need a chart library.
import { useLocale, useMoney } from "@/components/money";
import { formatTimeOfDay } from "@/components/time-format";
import type { ProductHistoryEntry } from "@/lib/products/dto";

const WIDTH = 720;
const HEIGHT = 220;
const PAD = { left: 48, right: 64, top: 12, bottom: 28 };

export function StockChart({ entries }: { entries: ProductHistoryEntry[] }) {
  const formatCents = useMoney();
  const locale = useLocale();
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
  const x = (time: number) => PAD.left + ((time - start) / (end - start)) * (WIDTH - PAD.left - PAD.right);
  const yStock = (stock: number) => HEIGHT - PAD.bottom - (stock / maxStock) * (HEIGHT - PAD.top - PAD.bottom);
  const yPrice = (cents: number) =>
    HEIGHT - PAD.bottom - ((cents - minPrice) / (maxPrice - minPrice)) * (HEIGHT - PAD.top - PAD.bottom);

  const stockPath = points
    .map((point, i) => {
      const step = i === 0 ? `M${x(times[0])},${yStock(point.stock)}` : `H${x(times[i])}V${yStock(point.stock)}`;
      return step;
    })
    .join("");
  const pricePath = points.map((point, i) => `${i ? "L" : "M"}${x(times[i])},${yPrice(point.priceCents)}`).join("");
  const first = points[0];
  const last = points[points.length - 1];
  const label = `Stock went from ${first.stock} to ${last.stock} and price from ${formatCents(first.priceCents)} to ${formatCents(last.priceCents)} over ${points.length} changes.`;
  const time = (ms: number) => formatTimeOfDay(locale, ms);

  return (
    <figure className="space-y-2">
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-label={label}
        data-testid="stock-chart"
        data-points={points.length}
        className="w-full text-slate-400"
      >
        <line
          x1={PAD.left}
          x2={WIDTH - PAD.right}
          y1={HEIGHT - PAD.bottom}
          y2={HEIGHT - PAD.bottom}
          stroke="currentColor"
        />
        <text x={PAD.left - 6} y={yStock(maxStock) + 4} textAnchor="end" fontSize="11" fill="currentColor">
          {maxStock}
        </text>
        <text x={PAD.left - 6} y={HEIGHT - PAD.bottom} textAnchor="end" fontSize="11" fill="currentColor">
          0
        </text>
        <text x={WIDTH - PAD.right + 6} y={yPrice(maxPrice) + 4} fontSize="11" fill="currentColor">
          {formatCents(maxPrice)}
        </text>
        <text x={WIDTH - PAD.right + 6} y={yPrice(minPrice)} fontSize="11" fill="currentColor">
          {formatCents(minPrice)}
        </text>
        <text x={PAD.left} y={HEIGHT - 8} fontSize="11" fill="currentColor">
          {time(start)}
        </text>
        <text x={WIDTH - PAD.right} y={HEIGHT - 8} textAnchor="end" fontSize="11" fill="currentColor">
          {time(end)}
        </text>
        <path d={pricePath} fill="none" stroke="#6366f1" strokeWidth="1.5" strokeDasharray="4 3" />
        <path d={stockPath} fill="none" stroke="#059669" strokeWidth="2" />
      </svg>
      <figcaption className="flex gap-4 text-xs text-slate-600 dark:text-slate-300">
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
        <span className="sr-only">{label}</span>
      </figcaption>
    </figure>
  );
}
