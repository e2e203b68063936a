import { NextResponse } from "next/server";
import { openApiDocument } from "@/lib/api/openapi";
import { apiRoute } from "@/lib/http/api-route";

export const dynamic = "force-dynamic";

// GET /api/v1/openapi.json - the API's OpenAPI 3.1 document (lib/api/openapi.ts), for anyone
export const GET = apiRoute(async () => NextResponse.json(openApiDocument()));
