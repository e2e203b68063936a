import { NextResponse } from "next/server";
import { currentUser, requireSameOrigin } from "@/lib/auth/guards";
import { credentialsSchema, signInBrowser, signOutBrowser } from "@/lib/auth/sign-in";
import { ApiError } from "@/lib/errors";
import { apiRoute } from "@/lib/http/api-route";
import { clientAddress } from "@/lib/http/client-address";
import { readJson } from "@/lib/http/read-json";
import type { SessionInfo } from "@/lib/api/schemas";

// Who is signed in is per user and per moment: never kept by a browser or proxy cache.
const NO_STORE = { "cache-control": "no-store" };

// GET /api/v1/session - who is signed in (401 if nobody)
export const GET = apiRoute(async () => {
  const user = await currentUser();
  if (!user) throw new ApiError(401, "UNAUTHENTICATED", "Not signed in", undefined, NO_STORE);
  const session: SessionInfo = { user: { email: user.email, role: user.role } };
  return NextResponse.json(session, { headers: NO_STORE });
});

// POST /api/v1/session - sign in with {email, password}; sets the HttpOnly session cookie
export const POST = apiRoute(async (request: Request) => {
  requireSameOrigin(request); // no signing a victim's browser into someone else's account
  const credentials = credentialsSchema.parse(await readJson(request));
  const address = clientAddress(request.headers.get("x-forwarded-for"));
  const { user, expiresAt } = await signInBrowser(credentials, address);
  return NextResponse.json({ user: { email: user.email, role: user.role }, expiresAt }, { headers: NO_STORE });
});

// DELETE /api/v1/session - sign out: the session is revoked on the server, not just forgotten
export const DELETE = apiRoute(async (request: Request) => {
  requireSameOrigin(request);
  await signOutBrowser();
  return new NextResponse(null, { status: 204 });
});
