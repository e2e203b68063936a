import { NextResponse } from "next/server";
import { requireAdmin } from "@/lib/auth/guards";
import { env } from "@/lib/env";
import { apiRoute } from "@/lib/http/api-route";
import { previewImport } from "@/lib/imports/import";
import { importQuerySchema, queryOf, readCsvBody } from "@/lib/imports/request";

export const dynamic = "force-dynamic";

// POST /api/v1/imports/preview?kind=&unknownSkus=&conflicts= - what a stocktake or price list CSV would change, row by row (admin); changes nothing
export const POST = apiRoute(async (request: Request) => {
  await requireAdmin(request);
  const options = importQuerySchema.parse(queryOf(request, importQuerySchema));
  const bytes = await readCsvBody(request);
  return NextResponse.json(await previewImport(bytes, options, env().DISPLAY_CURRENCY));
});
