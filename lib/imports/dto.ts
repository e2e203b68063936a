// What the import routes answer (docs/api.md, "CSV import"); the OpenAPI document is built from these.
import { z } from "zod";
import { IMPORT_KINDS } from "@/lib/imports/csv";

const line = z.int().min(2).meta({ description: "the file's line number (the header is line 1)" });

export const importChangeSchema = z.object({
  line,
  sku: z.string(),
  productId: z.int(),
  name: z.string(),
  version: z.int().meta({ description: "the product's version the preview saw" }),
  old: z.int().meta({ description: "stock (stocktake) or price in minor units (price list) now" }),
  new: z.int().meta({ description: "what the row sets" }),
});

export const importProblemSchema = z.object({
  line,
  column: z.string(),
  value: z.string(),
  message: z.string(),
});

export const unknownSkuSchema = z.object({ line, sku: z.string(), message: z.string() });

export const importConflictSchema = z
  .object({
    line,
    sku: z.string(),
    productId: z.int(),
    name: z.string(),
    expected: z
      .int()
      .meta({ description: "the row's expectedStock or expectedPrice (minor units): the value it was taken at" }),
    current: z.int().meta({ description: "the product's stock or price now: it moved since the row was taken" }),
    new: z.int().meta({ description: "what the row sets: edited, so it would overwrite the move" }),
  })
  .meta({ description: "A row that changes a value which moved since the row was taken (docs/api.md, Round trip)" });

/** What an import does with rows it cannot apply: refuse the file (the default) or leave them out. */
export const SKIP_CHOICES = ["refuse", "skip"] as const;

export const skippedRowSchema = z.object({
  line,
  sku: z.string(),
  reason: z.enum(["unknown", "conflict"]).meta({
    description: "unknown: no active product has the sku (unknownSkus=skip); conflict: see conflicts (conflicts=skip)",
  }),
  message: z.string(),
});

export const importPreviewSchema = z.object({
  kind: z.enum(IMPORT_KINDS),
  currency: z.string().meta({ description: "DISPLAY_CURRENCY: prices are in its minor units" }),
  delimiter: z.enum([",", ";", "\t"]),
  notes: z.array(z.string()).meta({ description: "how the file was read (a `;` file, a byte-order mark)" }),
  ignoredColumns: z.array(z.string()),
  rows: z.int().min(0),
  changes: z.array(importChangeSchema),
  unchanged: z.int().min(0),
  unknown: z.array(unknownSkuSchema).meta({ description: "rows naming no product, or an archived one" }),
  conflicts: z.array(importConflictSchema),
  invalid: z.array(importProblemSchema),
  skipped: z.array(skippedRowSchema).meta({
    description: "the unknown and conflicting rows the apply leaves out, with unknownSkus=skip and conflicts=skip",
  }),
  asOf: z.string().meta({ description: "the newest event id the preview saw: pass it to apply as asOf" }),
  canApply: z.boolean().meta({
    description: "false when any row is invalid, or is unknown or a conflict and not skipped",
  }),
});

export const importResultSchema = z.object({
  kind: z.enum(IMPORT_KINDS),
  rows: z.int().min(0),
  changed: z.int().min(0),
  unchanged: z.int().min(0),
  skipped: z.array(skippedRowSchema).meta({ description: "the rows left out (unknownSkus=skip, conflicts=skip)" }),
  lastEventId: z.string(),
});

export type ImportChange = z.infer<typeof importChangeSchema>;
export type UnknownSku = z.infer<typeof unknownSkuSchema>;
export type ImportConflict = z.infer<typeof importConflictSchema>;
export type SkippedRow = z.infer<typeof skippedRowSchema>;
export type ImportPreview = z.infer<typeof importPreviewSchema>;
export type ImportResult = z.infer<typeof importResultSchema>;
