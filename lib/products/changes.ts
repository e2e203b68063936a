// What an event changed, field by field: the value before and after each field that differs. An
// event row holds the fields after the change and, since the write recorded them from the row it
// locked, before it (the previous* columns). The history, the CSV export, the feed and webhooks
// all answer this one list: `changesOf` builds it from a row, and changesJson
// (lib/products/mutations.ts) in the write's own statement for the NOTIFY payload, with the same
// keys in the same order (a live frame and its replay are the same bytes, tests/feed.test.ts).
// No runtime import of the database client here: the pages' own code uses these types too.
import { z } from "zod";
import type { ProductEvent } from "@/lib/generated/prisma/client";

/** The fields an event lists, in the order it lists them. */
export const CHANGE_FIELDS = ["name", "sku", "priceCents", "stock", "lowStockThreshold"] as const;
export type ChangeField = (typeof CHANGE_FIELDS)[number];

const PREVIOUS = {
  name: "previousName",
  sku: "previousSku",
  priceCents: "previousPriceCents",
  stock: "previousStock",
  lowStockThreshold: "previousLowStockThreshold",
} as const satisfies Record<ChangeField, keyof ProductEvent>;

const fieldChange = <Field extends ChangeField, Value extends z.ZodType>(field: Field, value: Value) =>
  z.strictObject({
    field: z.literal(field),
    before: value.nullable().meta({ description: "the value before the change; null for `created`" }),
    after: value.meta({ description: "the value after it" }),
  });

const minorUnits = z.int().min(0).meta({ description: "price in minor units of DISPLAY_CURRENCY" });

export const fieldChangeSchema = z
  .discriminatedUnion("field", [
    fieldChange("name", z.string()),
    fieldChange("sku", z.string()),
    fieldChange("priceCents", minorUnits),
    fieldChange("stock", z.int().min(0)),
    fieldChange("lowStockThreshold", z.int().min(0)),
  ])
  .meta({ description: "One field an event changed, with its value before and after" });

export const changesSchema = z.array(fieldChangeSchema).nullable().meta({
  description:
    "the fields the change changed, each with before and after, in the order name, sku, priceCents, stock, lowStockThreshold; only those that differ ([] for archived and restored); for `created` every field, before null; null when not known (an event recorded before StockPulse kept the values before a change, whose product's earlier event is no longer kept)",
});

export type FieldChange = z.infer<typeof fieldChangeSchema>;
export type Changes = z.infer<typeof changesSchema>;

type ChangeSource = Pick<ProductEvent, "kind" | ChangeField | (typeof PREVIOUS)[ChangeField]>;

/** The event's changes (see changesSchema), from its row. */
export function changesOf(event: ChangeSource): Changes {
  const created = event.kind === "created";
  // The previous values are recorded all together or not at all (a CHECK in the migration).
  if (!created && event.previousSku === null) return null;
  const changes: FieldChange[] = [];
  for (const field of CHANGE_FIELDS) {
    const before = created ? null : event[PREVIOUS[field]];
    const after = event[field];
    if (before !== after) changes.push({ field, before, after } as FieldChange);
  }
  return changes;
}

/** The stock change of a list of changes, when the stock changed: before, after and the signed delta. */
export function stockChange(changes: Changes): { before: number | null; after: number; delta: number | null } | null {
  const change = changes?.find((entry) => entry.field === "stock");
  if (!change || change.field !== "stock") return null;
  return { ...change, delta: change.before === null ? null : change.after - change.before };
}
