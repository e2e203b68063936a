"use client";
// Which products are selected in a selectable table (the admin list). Selection is by product
// id, so it survives live updates and re-sorting. It only ever holds products the view shows:
// when the search, the filter or a live change takes selected products out of the view, they are
// unselected and a note says how many, so nothing is ever applied to a product nobody can see.
import { useCallback, useLayoutEffect, useMemo, useRef, useState } from "react";
import type { ProductDto } from "@/lib/products/dto";

type State = { ids: ReadonlySet<number>; note: string };

export type Selection = {
  ids: ReadonlySet<number>;
  /** The selected products, in the view's order. */
  selected: ProductDto[];
  /** Why the selection shrank on its own, if it did since the user last changed it. */
  note: string;
  /** Flips one product; with shift, sets the range from the last flipped row to this one alike. */
  toggle: (id: number, range: boolean) => void;
  /** Selects every product shown, or unselects them all when all are selected already. */
  toggleAll: () => void;
  clear: () => void;
};

const NONE: ProductDto[] = [];
const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;

export function useSelection(shown: ProductDto[]): Selection {
  const [state, setState] = useState<State>({ ids: new Set(), note: "" });
  // One pass over the view per change (a live frame re-sorts it); none while nothing is selected.
  const selected = useMemo(
    () => (state.ids.size ? shown.filter((product) => state.ids.has(product.id)) : NONE),
    [shown, state.ids],
  );
  // Products left the view: drop them during render (React's "adjusting state when a prop
  // changes"), so no frame ever shows, or applies to, a selection the view does not hold.
  const dropped = state.ids.size - selected.length;
  if (dropped > 0) {
    setState({
      ids: new Set(selected.map((product) => product.id)),
      note: `${plural(dropped, "selected product is", "selected products are")} no longer shown and ${dropped === 1 ? "was" : "were"} unselected.`,
    });
  }

  // The latest view and the anchor of a shift-click range, for callbacks that stay the same
  // across renders (rows are memoised on them).
  const latest = useRef(shown);
  useLayoutEffect(() => {
    latest.current = shown;
  }, [shown]);
  const anchor = useRef<number | null>(null);

  const toggle = useCallback((id: number, range: boolean) => {
    const rows = latest.current;
    const to = rows.findIndex((product) => product.id === id);
    if (to === -1) return;
    const from = range && anchor.current !== null ? rows.findIndex((product) => product.id === anchor.current) : -1;
    anchor.current = id;
    setState((before) => {
      const ids = new Set(before.ids);
      const select = !ids.has(id);
      const [low, high] = from === -1 ? [to, to] : [Math.min(from, to), Math.max(from, to)];
      for (let i = low; i <= high; i++) {
        if (select) ids.add(rows[i].id);
        else ids.delete(rows[i].id);
      }
      return { ids, note: "" };
    });
  }, []);

  const toggleAll = useCallback(() => {
    const rows = latest.current;
    setState((before) => {
      const all = rows.length > 0 && rows.every((product) => before.ids.has(product.id));
      return { ids: all ? new Set() : new Set(rows.map((product) => product.id)), note: "" };
    });
  }, []);

  const clear = useCallback(() => setState({ ids: new Set(), note: "" }), []);

  return { ids: state.ids, selected, note: state.note, toggle, toggleAll, clear };
}
