// Who is asking. Route handlers take either `Authorization: Bearer <token>` (another service;
// the actor is the token's name) or the browser's session cookie (the actor is the user's
// email). Cookie-authenticated writes must come from our own origin (CSRF); API tokens are not
// sent by browsers on their own, so they need no such check.
import { createHash, timingSafeEqual } from "node:crypto";
import { cookies } from "next/headers";
import { apiTokens, env } from "@/lib/env";
import { ApiError } from "@/lib/errors";
import { DEVICE_COOKIE_MAX_AGE_SECONDS } from "@/lib/auth/devices";
import { SESSION_COOKIE, sessionUser } from "@/lib/auth/sessions";
import type { User } from "@/lib/auth/users";
import type { Actor } from "@/lib/actor";

const sha256 = (value: string) => createHash("sha256").update(value).digest();

/** What the guards read of a request: its headers (a web `Request`, or node:http's). */
export type HeaderSource = { headers: { get(name: string): string | null } };

/** The name of the API token `given`, or null. Compares against every token in constant time. */
export function apiTokenName(given: string): string | null {
  const digest = sha256(given);
  let match: string | null = null;
  for (const { name, token } of apiTokens()) {
    // Hashing first gives equal lengths for timingSafeEqual and hides the token's length.
    if (timingSafeEqual(digest, sha256(token)) && match === null) match = name;
  }
  return match;
}

/**
 * The origin browsers reach us at: PUBLIC_ORIGIN when set (scheme, host and port), else the
 * request's Host (X-Forwarded-Host only when TRUSTED_PROXY_COUNT says a proxy of ours sets it).
 */
function ownOrigin(request: HeaderSource): { origin: string } | { host: string | null } {
  const { PUBLIC_ORIGIN, TRUSTED_PROXY_COUNT } = env();
  if (PUBLIC_ORIGIN) return { origin: PUBLIC_ORIGIN };
  const forwardedHost = TRUSTED_PROXY_COUNT > 0 ? request.headers.get("x-forwarded-host") : null;
  return { host: forwardedHost ?? request.headers.get("host") };
}

/**
 * Refuses a request whose Origin is not this server's own. Browsers send Origin on every
 * cross-origin request and on same-origin POST/PATCH/DELETE; a request with neither Origin nor
 * `Sec-Fetch-Site: same-origin` is not a browser form of ours either.
 */
export function requireSameOrigin(request: HeaderSource) {
  const origin = request.headers.get("origin");
  if (origin) {
    let sent: URL | null = null;
    try {
      sent = new URL(origin);
    } catch {
      // "null" or garbage: not ours
    }
    const own = ownOrigin(request);
    if (sent && ("origin" in own ? sent.origin === own.origin : sent.host === own.host)) return;
  } else if (request.headers.get("sec-fetch-site") === "same-origin") {
    return;
  }
  throw new ApiError(403, "CROSS_ORIGIN", "Cross-origin request refused: send it from this site, or use an API token");
}

const sessionToken = (request: HeaderSource) =>
  request.headers
    .get("cookie")
    ?.split(";")
    .map((pair) => pair.trim())
    .find((pair) => pair.startsWith(`${SESSION_COOKIE}=`))
    ?.slice(SESSION_COOKIE.length + 1);

/** The actor of a write that needs the admin role: 401 without credentials, 403 for a viewer. */
export async function requireAdmin(request: HeaderSource): Promise<Actor> {
  const authorization = request.headers.get("authorization");
  if (authorization !== null) {
    const bearer = /^Bearer\s+(\S+)$/i.exec(authorization);
    const name = bearer ? apiTokenName(bearer[1]) : null;
    if (!name) throw new ApiError(401, "UNAUTHENTICATED", "The bearer token is not valid");
    return { name: `api:${name}` };
  }
  const user = await sessionUser(sessionToken(request));
  if (!user) {
    throw new ApiError(401, "UNAUTHENTICATED", "Sign in, or send Authorization: Bearer <token>");
  }
  requireSameOrigin(request);
  if (user.role !== "admin")
    throw new ApiError(403, "FORBIDDEN", `${user.email} is a viewer; this needs the admin role`);
  return { name: user.email };
}

/** The signed-in user of the page being rendered, or null. */
export async function currentUser(): Promise<User | null> {
  return sessionUser((await cookies()).get(SESSION_COOKIE)?.value);
}

const secureCookies = () => env().NODE_ENV === "production" && !env().STOCKPULSE_INSECURE_COOKIES;

export function sessionCookieOptions(expiresAt: Date) {
  return { httpOnly: true, sameSite: "lax" as const, secure: secureCookies(), path: "/", expires: expiresAt };
}

/** The known-device cookie (lib/auth/devices.ts): sent only to sign-in, kept for a year. */
export function deviceCookieOptions() {
  return {
    httpOnly: true,
    sameSite: "strict" as const,
    secure: secureCookies(),
    path: "/api/v1/session",
    maxAge: DEVICE_COOKIE_MAX_AGE_SECONDS,
  };
}
