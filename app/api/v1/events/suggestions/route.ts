import { NextResponse } from "next/server";
import { requireReader } from "@/lib/auth/guards";
import { ApiError } from "@/lib/errors";
import { apiRoute } from "@/lib/http/api-route";
import { rejectUnknownParameters } from "@/lib/http/query";
import type { HistorySuggestions } from "@/lib/products/dto";
import { fetchHistorySuggestions } from "@/lib/products/history";

// GET /api/v1/events/suggestions - the people and reasons the history's filters can take, for
// staff and tokens only: the people are staff emails, which anonymous readers never see
export const GET = apiRoute(async (request: Request) => {
  const { seesAudit } = await requireReader(request, { audit: true });
  rejectUnknownParameters(new URL(request.url).searchParams, []);
  if (!seesAudit) {
    throw new ApiError(
      401,
      "UNAUTHENTICATED",
      "Suggestions of people and reasons need staff sign-in or a token (anonymous readers do not see who and why)",
    );
  }
  const suggestions: HistorySuggestions = await fetchHistorySuggestions();
  return NextResponse.json(suggestions);
});
