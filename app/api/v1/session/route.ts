import { cookies } from "next/headers";
import { NextResponse } from "next/server";
import { currentUser, deviceCookieOptions, requireSameOrigin, sessionCookieOptions } from "@/lib/auth/guards";
import { DEVICE_COOKIE } from "@/lib/auth/devices";
import { revokeSession, SESSION_COOKIE } from "@/lib/auth/sessions";
import { signIn, signInSchema } from "@/lib/auth/sign-in";
import { clientAddress } from "@/lib/http/client-address";
import { ApiError, readJson } from "@/lib/errors";
import { apiRoute } from "@/lib/http/api-route";
import type { SessionInfo } from "@/lib/api/schemas";

export const dynamic = "force-dynamic";

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
  const { email, password } = signInSchema.parse(await readJson(request));
  const jar = await cookies();
  const { user, token, expiresAt, deviceToken } = await signIn({
    email,
    password,
    address: clientAddress(request.headers.get("x-forwarded-for")),
    deviceToken: jar.get(DEVICE_COOKIE)?.value,
  });
  jar.set(SESSION_COOKIE, token, sessionCookieOptions(expiresAt));
  if (deviceToken) jar.set(DEVICE_COOKIE, deviceToken, deviceCookieOptions());
  return NextResponse.json({ user: { email: user.email, role: user.role }, expiresAt }, { headers: NO_STORE });
});

// DELETE /api/v1/session - sign out: the session is revoked on the server, not just forgotten
export const DELETE = apiRoute(async (request: Request) => {
  requireSameOrigin(request);
  const jar = await cookies();
  const token = jar.get(SESSION_COOKIE)?.value;
  if (token) await revokeSession(token);
  jar.delete(SESSION_COOKIE);
  return new NextResponse(null, { status: 204 });
});
