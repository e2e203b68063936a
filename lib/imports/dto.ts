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

export const importPreviewSchema = z.object({
  kind: z.enum(IMPORT_KINDS),
  currency: z.string().meta({ description: "DISPLAY_CURRENCY: prices are in its minor units" }),
  delimiter: z.enum([",", ";", "\t"]),
  notes: z.array(z.string()).meta({ description: "how the file was read (a `;` file, a byte-order mark)" }),
  ignoredColumns: z.array(z.string()),
  rows: z.int().min(0),
  changes: z.array(importChangeSchema),
  unchanged: z.int().min(0),
  unknown: z.array(unknownSkuSchema),
  invalid: z.array(importProblemSchema),
  asOf: z.string().meta({ description: "the newest event id the preview saw: pass it to apply as asOf" }),
  canApply: z.boolean().meta({ description: "false when any row is invalid or names an unknown sku" }),
});

export const importResultSchema = z.object({
  kind: z.enum(IMPORT_KINDS),
  rows: z.int().min(0),
  changed: z.int().min(0),
  unchanged: z.int().min(0),
  lastEventId: z.string(),
});

export type ImportChange = z.infer<typeof importChangeSchema>;
export type UnknownSku = z.infer<typeof unknownSkuSchema>;
export type ImportPreview = z.infer<typeof importPreviewSchema>;
export type ImportResult = z.infer<typeof importResultSchema>;
