"use client";
// A save refused because someone changed the product meanwhile: one row per field with what I
// opened, mine, theirs now and what saving mine over theirs would leave, who changed it and
// when. A count made against a stock that a sale has moved since is never saved over the sale:
// it is applied as the difference I counted, or counted again.
import useSWR from "swr";
import { useDateDisplay, useMoney } from "@/components/money";
import { BusyButton } from "@/components/busy-button";
import { formatDateTime } from "@/lib/display-format";
import { buttonClass } from "@/lib/client/styles";
import type { ProductDto, ProductHistoryEntry } from "@/lib/products/dto";
import { EDITABLE, pick, rebase, type Edit, type EditableField, type StockResolution } from "./changes";

const LABELS: Record<EditableField, string> = {
  name: "Name",
  sku: "SKU",
  priceCents: "Price",
  stock: "Stock",
  lowStockThreshold: "Low-stock threshold",
};

type Author = { actor?: string; at: string };

const fetchEvents = async (url: string): Promise<ProductHistoryEntry[]> => {
  const response = await fetch(url, { cache: "no-store" });
  if (!response.ok) throw new Error(`Loading the history failed (${response.status})`);
  return (await response.json()).events;
};

/**
 * Who last changed each field since `base`, and when: the newest event after base's version that
 * lists the field among its changes (an event too old to list them is compared with the one before).
 */
function useFieldAuthors(base: ProductDto, version: number): Partial<Record<EditableField, Author>> {
  // Keyed by the version too: theirs moves on (a sale), the authors follow.
  const { data } = useSWR([`/api/v1/products/${base.id}/events?limit=500`, version], ([url]) => fetchEvents(url));
  const authors: Partial<Record<EditableField, Author>> = {};
  let previous: Pick<ProductHistoryEntry, EditableField> = pick(base);
  for (const event of [...(data ?? [])].reverse()) {
    if (event.version <= base.version) continue;
    const changed = event.changes?.map((change) => change.field) ?? EDITABLE.filter((f) => event[f] !== previous[f]);
    for (const field of changed) authors[field] = event;
    previous = event;
  }
  return authors;
}

export function ConflictView({
  base,
  edit,
  theirs,
  resolution,
  onResolve,
  onSave,
  onRecount,
  onDiscard,
  pending,
}: {
  base: ProductDto;
  edit: Edit;
  theirs: ProductDto;
  resolution: StockResolution;
  onResolve: (resolution: StockResolution) => void;
  onSave: () => void;
  onRecount: () => void;
  onDiscard: () => void;
  pending: boolean;
}) {
  const formatCents = useMoney();
  const display = useDateDisplay();
  const authors = useFieldAuthors(base, theirs.version);
  const { result, stockConflict, stockInvalid, difference } = rebase(edit, base, theirs, resolution);
  const show = (field: EditableField, value: number | string | undefined) =>
    value === undefined ? "" : field === "priceCents" ? formatCents(value as number) : String(value);
  const signed = `${difference > 0 ? "+" : ""}${difference}`;

  return (
    <section
      role="alert"
      aria-labelledby="conflict-heading"
      className="space-y-3 rounded border border-amber-400 bg-amber-50 p-3 text-sm dark:bg-amber-950"
    >
      <p id="conflict-heading" className="font-medium">
        Someone else saved this product (now version {theirs.version}). Nothing of yours was saved.
      </p>
      <div className="overflow-x-auto">
        <table data-testid="conflict-current" className="w-full text-left">
          <caption className="sr-only">Your changes and theirs, field by field</caption>
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">When you opened it</th>
              <th scope="col">Yours</th>
              <th scope="col">Theirs now</th>
              <th scope="col">If you save yours</th>
              <th scope="col">Changed</th>
            </tr>
          </thead>
          <tbody>
            {EDITABLE.map((field) => {
              const mine = edit[field] !== undefined;
              const them = theirs[field] !== base[field];
              const author = authors[field];
              const who = [
                mine ? "by you" : null,
                them
                  ? `by ${author?.actor ?? "someone else"}${author ? ` at ${formatDateTime(display, new Date(author.at))}` : ""}`
                  : null,
              ].filter(Boolean);
              return (
                <tr
                  key={field}
                  data-testid={`conflict-row-${field}`}
                  data-differs={mine || them ? "" : undefined}
                  className={
                    mine && them
                      ? "bg-amber-200 dark:bg-amber-900"
                      : mine || them
                        ? "bg-amber-100 dark:bg-amber-900/60"
                        : ""
                  }
                >
                  <th scope="row" className="pr-3 font-medium">
                    {LABELS[field]}
                  </th>
                  <td className="pr-3">{show(field, base[field])}</td>
                  <td className="pr-3">
                    {mine ? (
                      show(field, edit[field])
                    ) : (
                      <span className="text-slate-600 dark:text-slate-300">unchanged</span>
                    )}
                  </td>
                  <td className="pr-3">{show(field, theirs[field])}</td>
                  <td className="pr-3 font-medium" data-testid={`conflict-result-${field}`}>
                    {field === "stock" && stockConflict && !resolution ? "choose below" : show(field, result[field])}
                  </td>
                  <td>{who.length === 0 ? "no" : who.join("; ")}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {stockConflict && (
        <fieldset className="space-y-1">
          <legend className="font-medium">
            You counted {edit.stock} when the stock was {base.stock}; it is {theirs.stock} now (sales or other changes
            since). Your count is not saved over theirs.
          </legend>
          <label className="flex items-center gap-2">
            <input
              type="radio"
              name="stock-resolution"
              checked={resolution === "difference"}
              disabled={stockInvalid}
              onChange={() => onResolve("difference")}
            />
            Apply your count as a change of {signed}: {theirs.stock} →{" "}
            {stockInvalid ? "below 0, not possible" : theirs.stock + difference}
          </label>
          <button type="button" className="rounded border px-3 py-1" onClick={onRecount}>
            Count again
          </button>
        </fieldset>
      )}
      <div className="flex flex-wrap gap-3">
        <BusyButton type="button" className={buttonClass} busy={pending} busyText="Saving…" onClick={onSave}>
          Save mine over theirs
        </BusyButton>
        <button type="button" className="rounded border px-4 py-2" onClick={onDiscard}>
          Discard mine
        </button>
      </div>
    </section>
  );
}
