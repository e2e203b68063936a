// The reasons the stock forms offer (one product's adjustment, the admin list's bulk bar): the
// usual ones, then "Other…", which shows a field to type one.
import { STOCK_REASONS } from "@/lib/products/validation";

/** The select's value for "Other…": the typed reason is used instead. */
export const OTHER_REASON = "other";

export function ReasonOptions() {
  return (
    <>
      {STOCK_REASONS.map((value) => (
        <option key={value} value={value}>
          {value[0].toUpperCase() + value.slice(1)}
        </option>
      ))}
      <option value={OTHER_REASON}>Other…</option>
    </>
  );
}
