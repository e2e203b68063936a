// The reasons the stock forms offer (one product's adjustment, the edit form's count, the admin
// list's bulk bar): none chosen at first, those that fit the change's direction, then "Other…",
// which shows a field to type one.
import { reasonsFor, type StockDirection } from "@/lib/products/validation";

/** The select's value for "Other…": the typed reason is used instead. */
export const OTHER_REASON = "other";

const label = (reason: string) => reason[0].toUpperCase() + reason.slice(1);

/**
 * The reason chosen, while it fits `direction`; else none, so a "sale" picked before the amount
 * became an increase is not sent as one.
 */
export function reasonFor(chosen: string, direction: StockDirection | null): string {
  if (chosen === OTHER_REASON) return chosen;
  return (reasonsFor(direction) as readonly string[]).includes(chosen) ? chosen : "";
}

export function ReasonOptions({ direction }: { direction: StockDirection | null }) {
  return (
    <>
      <option value="" disabled>
        Choose a reason…
      </option>
      {reasonsFor(direction).map((value) => (
        <option key={value} value={value}>
          {label(value)}
        </option>
      ))}
      <option value={OTHER_REASON}>Other…</option>
    </>
  );
}
