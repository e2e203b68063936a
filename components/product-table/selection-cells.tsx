"use client";
// The selectable table's checkboxes: one per row, named after its product, and a tri-state one
// in the header for every product the view shows (rows scrolled out of the DOM included).
import { useEffect, useRef } from "react";

const SELECT_CELL_WIDTH = "w-10";

export function SelectAllHeader({
  shown,
  selected,
  onToggle,
}: {
  shown: number;
  selected: number;
  onToggle: () => void;
}) {
  const box = useRef<HTMLInputElement>(null);
  const some = selected > 0 && selected < shown;
  useEffect(() => {
    if (box.current) box.current.indeterminate = some;
  }, [some]);
  return (
    <th scope="col" className={`${SELECT_CELL_WIDTH} px-3 py-2`}>
      <input
        ref={box}
        type="checkbox"
        aria-label={`Select all ${shown} shown`}
        checked={shown > 0 && selected === shown}
        disabled={shown === 0}
        onChange={onToggle}
        className="size-4 align-middle"
      />
    </th>
  );
}

export function SelectCell({
  id,
  name,
  selected,
  onSelect,
}: {
  id: number;
  name: string;
  selected: boolean;
  onSelect: (id: number, range: boolean) => void;
}) {
  return (
    <td className="px-3 py-2">
      <input
        type="checkbox"
        aria-label={`Select ${name}`}
        checked={selected}
        // A click's shift key extends the selection from the last row flipped (a range).
        onChange={(event) => onSelect(id, (event.nativeEvent as MouseEvent).shiftKey === true)}
        className="size-4 align-middle"
      />
    </td>
  );
}
