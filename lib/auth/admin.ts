// Who may change products. The API takes `Authorization: Bearer <ADMIN_API_TOKEN>`; the browser
// signs in once with the token and then holds an HttpOnly session cookie derived from it
// (rotating the token revokes every session). Users and roles come with the admin issue.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { cookies } from "next/headers";
import { env } from "@/lib/env";
import { ApiError } from "@/lib/errors";
import type { Actor } from "@/lib/products/mutations";

const SESSION_COOKIE = "stockpulse_admin";
const SESSION_MAX_AGE_S = 8 * 60 * 60;

function sameSecret(given: string, expected: string) {
  // Hash first: timingSafeEqual needs equal lengths, and hashing hides the length too.
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

/** The admin actor of an API request, or 401. */
export function requireApiAdmin(request: Request): Actor {
  const header = request.headers.get("authorization") ?? "";
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) {
    throw new ApiError(401, "UNAUTHENTICATED", "Admin credentials required: send Authorization: Bearer <token>");
  }
  if (!sameSecret(match[1], env().ADMIN_API_TOKEN)) {
    throw new ApiError(401, "UNAUTHENTICATED", "The bearer token is not valid");
  }
  return { name: "api-token" };
}

function sessionValue(issuedAt: number) {
  const mac = createHmac("sha256", env().ADMIN_API_TOKEN)
    .update(`stockpulse-admin-session:${issuedAt}`)
    .digest("base64url");
  return `${issuedAt}.${mac}`;
}

function validSession(value: string | undefined) {
  if (!value) return false;
  const [issuedAt] = value.split(".");
  const issued = Number(issuedAt);
  if (!Number.isSafeInteger(issued) || Date.now() - issued > SESSION_MAX_AGE_S * 1000) return false;
  return sameSecret(value, sessionValue(issued));
}

/** Signs the browser in if `token` is the admin token. */
export async function signInWithToken(token: string): Promise<boolean> {
  if (!sameSecret(token, env().ADMIN_API_TOKEN)) return false;
  (await cookies()).set(SESSION_COOKIE, sessionValue(Date.now()), {
    httpOnly: true,
    sameSite: "lax",
    secure: process.env.NODE_ENV === "production" && process.env.STOCKPULSE_INSECURE_COOKIES !== "1",
    path: "/",
    maxAge: SESSION_MAX_AGE_S,
  });
  return true;
}

export async function signOut() {
  (await cookies()).delete(SESSION_COOKIE);
}

/** The admin actor of the signed-in browser, or null. */
export async function browserAdmin(): Promise<Actor | null> {
  return validSession((await cookies()).get(SESSION_COOKIE)?.value) ? { name: "admin (browser)" } : null;
}
