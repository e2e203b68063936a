"use client";
// Only the rows near the window are in the DOM (@tanstack/react-virtual); spacer rows stand in
// for the rest, so the table keeps real table semantics.
import { useWindowVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useLayoutEffect, useRef, useState } from "react";
import { COLUMNS } from "@/components/product-table/columns";

// Every row is one line high (cells do not wrap), so rows share one height, measured once on the
// first row rather than per row (measuring each new row would force a layout per row per frame).
const ROW_HEIGHT_ESTIMATE_PX = 37;
// Rows rendered beyond each edge of the window: enough that a fast wheel scroll does not show
// blank space before React catches up, cheap because unchanged rows do not re-render.
const OVERSCAN_ROWS = 40;

/** Which of `count` rows to render, and the heights of the spacers above and below them. */
export function useVirtualRows(count: number) {
  // Where the rows start on the page; it moves when something above them changes size (the
  // "not live" notice, the summary wrapping on a narrow window), which resizes the body too.
  const body = useRef<HTMLTableSectionElement>(null);
  const [scrollMargin, setScrollMargin] = useState(0);
  const [rowHeight, setRowHeight] = useState(ROW_HEIGHT_ESTIMATE_PX);
  useLayoutEffect(() => {
    const measure = () => {
      setScrollMargin(Math.round((body.current?.getBoundingClientRect().top ?? 0) + window.scrollY));
      const row = body.current?.querySelector("tr[aria-rowindex]");
      if (row) setRowHeight(row.getBoundingClientRect().height);
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(document.body);
    return () => observer.disconnect();
  }, []);
  const virtualizer = useWindowVirtualizer({
    count,
    estimateSize: () => rowHeight,
    overscan: OVERSCAN_ROWS,
    scrollMargin,
    // The server renders the top of the table; the browser corrects it once it has measured.
    initialRect: { width: 1280, height: 900 },
    initialOffset: 0,
  });
  useEffect(() => virtualizer.measure(), [virtualizer, rowHeight]);
  const rows = virtualizer.getVirtualItems();
  const above = rows.length ? rows[0].start - scrollMargin : 0;
  const below = rows.length ? virtualizer.getTotalSize() - (rows[rows.length - 1].end - scrollMargin) : 0;
  return { body, indexes: rows.map((row) => row.index), above, below };
}

/** Spacer standing in for the rows outside the window. */
export function Spacer({ height, columns = COLUMNS.length }: { height: number; columns?: number }) {
  if (height <= 0) return null;
  return (
    <tr aria-hidden="true">
      <td colSpan={columns} style={{ height, padding: 0 }} />
    </tr>
  );
}
