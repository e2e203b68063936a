import { createHash } from "node:crypto";
import { NextResponse } from "next/server";
import { requireAdmin } from "@/lib/auth/guards";
import { env } from "@/lib/env";
import { apiRoute } from "@/lib/http/api-route";
import { applyImport } from "@/lib/imports/import";
import { applyQuerySchema, queryOf, readCsvBody } from "@/lib/imports/request";
import { idempotencyKey, idempotentWrite } from "@/lib/products/idempotency";

export const dynamic = "force-dynamic";

// POST /api/v1/imports?kind=&reason=&asOf= - apply a stocktake or price list CSV, all or nothing (admin); once per Idempotency-Key
export const POST = apiRoute(async (request: Request) => {
  const caller = await requireAdmin(request);
  const key = idempotencyKey(request);
  const query = applyQuerySchema.parse(queryOf(request, applyQuerySchema));
  const bytes = await readCsvBody(request);
  // The key's request is the query and the file; the file by its hash, not 4 MiB of JSON.
  const body = { ...query, file: createHash("sha256").update(bytes).digest("hex") };
  const { status, ...reply } = await idempotentWrite(
    { caller, key, route: "POST /api/v1/imports", body },
    async (via) => ({
      status: 200,
      body: await applyImport(bytes, { ...query, currency: env().DISPLAY_CURRENCY }, caller, via),
    }),
  );
  return NextResponse.json(reply.body, { status, headers: reply.headers });
});
