import { cookies } from "next/headers";
import { NextResponse } from "next/server";
import { z } from "zod";
import { currentUser, requireSameOrigin, sessionCookieOptions } from "@/lib/auth/guards";
import { createSession, revokeSession, SESSION_COOKIE } from "@/lib/auth/sessions";
import { clearSignInFailures, recordSignInFailure, signInRetryAfter } from "@/lib/auth/throttle";
import { authenticate } from "@/lib/auth/users";
import { ApiError, readJson, withErrors } from "@/lib/errors";

export const dynamic = "force-dynamic";

const signInSchema = z.strictObject({
  email: z.email("email must be an email address").max(254).toLowerCase(),
  password: z.string({ error: "password is required" }).min(1, "password is required").max(200),
});

// The client's address as the proxy in front reports it (Next sets it from the socket if absent).
const clientAddress = (request: Request) => request.headers.get("x-forwarded-for")?.split(",")[0].trim() || "unknown";

// GET /api/v1/session - who is signed in (401 if nobody)
export const GET = withErrors(async () => {
  const user = await currentUser();
  if (!user) throw new ApiError(401, "UNAUTHENTICATED", "Not signed in");
  return NextResponse.json({ user: { email: user.email, role: user.role } });
});

// POST /api/v1/session - sign in with {email, password}; sets the HttpOnly session cookie
export const POST = withErrors(async (request: Request) => {
  requireSameOrigin(request); // no signing a victim's browser into someone else's account
  const { email, password } = signInSchema.parse(await readJson(request));
  const address = clientAddress(request);
  const retryAfter = await signInRetryAfter(email, address);
  if (retryAfter > 0) {
    throw new ApiError(
      429,
      "TOO_MANY_ATTEMPTS",
      `Too many failed sign-ins; try again in ${Math.ceil(retryAfter / 60)} min`,
      { retryAfterSeconds: retryAfter },
      { "retry-after": String(retryAfter) },
    );
  }
  const user = await authenticate(email, password);
  if (!user) {
    await recordSignInFailure(email, address);
    throw new ApiError(401, "INVALID_CREDENTIALS", "Wrong email or password");
  }
  await clearSignInFailures(email);
  const { token, expiresAt } = await createSession(user.id);
  (await cookies()).set(SESSION_COOKIE, token, sessionCookieOptions(expiresAt));
  return NextResponse.json({ user: { email: user.email, role: user.role }, expiresAt });
});

// DELETE /api/v1/session - sign out: the session is revoked on the server, not just forgotten
export const DELETE = withErrors(async (request: Request) => {
  requireSameOrigin(request);
  const jar = await cookies();
  const token = jar.get(SESSION_COOKIE)?.value;
  if (token) await revokeSession(token);
  jar.delete(SESSION_COOKIE);
  return new NextResponse(null, { status: 204 });
});
