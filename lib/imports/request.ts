// An import request's parts, for both import routes: the query (kind, reason, asOf) and the
// CSV body, read as bytes (lib/imports/csv.ts decides the encoding) and bounded in size.
import { z } from "zod";
import { ApiError } from "@/lib/errors";
import { IMPORT_KINDS, MAX_IMPORT_BYTES } from "@/lib/imports/csv";
import { SKIP_CHOICES } from "@/lib/imports/dto";
import { singleValuedQuery } from "@/lib/http/query";
import { reasonSchema } from "@/lib/products/validation";

const skipChoice = (name: string, rows: string) =>
  z
    .enum(SKIP_CHOICES, {
      error: `${name} must be refuse (the default: ${rows} refuse the file) or skip (leave them out)`,
    })
    .default("refuse");

// Preview and apply take the same choices, so the preview says what the apply will do.
export const importQuerySchema = z.object({
  kind: z.enum(IMPORT_KINDS, { error: `kind must be one of ${IMPORT_KINDS.join(", ")}` }),
  unknownSkus: skipChoice("unknownSkus", "rows naming no product or an archived one"),
  conflicts: skipChoice("conflicts", "rows changing a value that moved since they were taken"),
});
export type ImportOptions = z.infer<typeof importQuerySchema>;

export const applyQuerySchema = importQuerySchema.extend({
  reason: z.string({ error: "reason is required: say why, e.g. reason=stocktake 2026-11" }).pipe(reasonSchema),
  asOf: z
    .string()
    .regex(/^\d{1,18}$/, "asOf must be the preview's asOf, an event id")
    .optional(),
});

/**
 * The query parameters of `schema` as an object; an unknown or repeated one is a 400 naming it
 * (a mistyped `asof` would otherwise apply without the preview's check).
 */
export const queryOf = (request: Request, schema: z.ZodObject) =>
  singleValuedQuery(new URL(request.url).searchParams, Object.keys(schema.shape));

const tooLarge = () =>
  new ApiError(413, "IMPORT_TOO_LARGE", `The file is larger than ${MAX_IMPORT_BYTES / 1024 / 1024} MiB`);

/** The body's bytes: text/csv (or text/plain), at most MAX_IMPORT_BYTES, without reading past that. */
export async function readCsvBody(request: Request): Promise<Uint8Array> {
  const type = request.headers.get("content-type") ?? "";
  if (!/^text\/(csv|plain)\s*(;|$)/i.test(type)) {
    throw new ApiError(
      415,
      "UNSUPPORTED_MEDIA_TYPE",
      "Content-Type must be text/csv: send the file itself as the body",
    );
  }
  // The bytes are read as UTF-8 (with the checks of lib/imports/csv.ts): a file declared as
  // another encoding would be misread, so it is refused as the JSON writes refuse it.
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(type)?.[1];
  if (charset && !/^utf-?8$/i.test(charset)) {
    throw new ApiError(
      415,
      "UNSUPPORTED_MEDIA_TYPE",
      `Content-Type charset must be utf-8, not ${charset}: the file is read as CSV UTF-8`,
    );
  }
  if (Number(request.headers.get("content-length") ?? 0) > MAX_IMPORT_BYTES) throw tooLarge();
  if (!request.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > MAX_IMPORT_BYTES) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
