import { createHash } from "node:crypto";
import { NextResponse } from "next/server";
import { requireAdmin } from "@/lib/auth/guards";
import { env } from "@/lib/env";
import { apiRoute } from "@/lib/http/api-route";
import { applyImport, readFileToApply, requireSeenEventId } from "@/lib/imports/import";
import { applyQuerySchema, queryOf, readCsvBody } from "@/lib/imports/request";
import { idempotencyKey, idempotentWrite } from "@/lib/products/idempotency";

export const dynamic = "force-dynamic";

// POST /api/v1/imports?kind=&reason=&asOf=&unknownSkus=&conflicts= - apply a stocktake or price list CSV, all or nothing (admin); once per Idempotency-Key
export const POST = apiRoute(async (request: Request) => {
  const caller = await requireAdmin(request);
  const key = idempotencyKey(request);
  const query = applyQuerySchema.parse(queryOf(request, applyQuerySchema));
  const bytes = await readCsvBody(request);
  // Refusals of the file and the query come before the change begins: not kept under the key.
  const file = readFileToApply(bytes, query.kind, env().DISPLAY_CURRENCY);
  if (query.asOf !== undefined) await requireSeenEventId(query.asOf);
  // The key's request is the query and the file; the file by its hash, not 4 MiB of JSON.
  const body = { ...query, file: createHash("sha256").update(bytes).digest("hex") };
  const { status, ...reply } = await idempotentWrite(
    { caller, key, route: "POST /api/v1/imports", body },
    async (via) => ({ status: 200, body: await applyImport(file, query, caller, via) }),
  );
  return NextResponse.json(reply.body, { status, headers: reply.headers });
});
