// Who is asking. Route handlers take either `Authorization: Bearer <token>` (another service;
// the actor is the token's name) or the browser's session cookie (the actor is the user's
// email). Cookie-authenticated writes must come from our own origin (CSRF); API tokens are not
// sent by browsers on their own, so they need no such check. Reads are open to anyone unless
// READ_ACCESS=staff; the audit trail's who and why are for staff and tokens only.
import { createHash, timingSafeEqual } from "node:crypto";
import { cookies } from "next/headers";
import { apiTokens, env, readApiTokens } from "@/lib/env";
import { ApiError } from "@/lib/errors";
import { DEVICE_COOKIE_MAX_AGE_SECONDS } from "@/lib/auth/devices";
import { SESSION_COOKIE, sessionUser } from "@/lib/auth/sessions";
import type { User } from "@/lib/auth/users";
import type { Actor } from "@/lib/actor";

const sha256 = (value: string) => createHash("sha256").update(value).digest();

/** What the guards read of a request: its headers (a web `Request`, or node:http's). */
export type HeaderSource = { headers: { get(name: string): string | null } };

/** The name of the token in `tokens` equal to `given`, or null. Compares with every one in constant time. */
function tokenName(given: string, tokens: Array<{ name: string; token: string }>): string | null {
  const digest = sha256(given);
  let match: string | null = null;
  for (const { name, token } of tokens) {
    // Hashing first gives equal lengths for timingSafeEqual and hides the token's length.
    if (timingSafeEqual(digest, sha256(token)) && match === null) match = name;
  }
  return match;
}

/** The name of the admin API token `given`, or null. */
export const apiTokenName = (given: string): string | null => tokenName(given, apiTokens());

/** The name of the read-only token `given` (READ_API_TOKENS), or null. */
export const readTokenName = (given: string): string | null => tokenName(given, readApiTokens());

/** Whether `given` is `secret`, compared in constant time (METRICS_TOKEN). */
export const isSecret = (given: string, secret: string): boolean =>
  tokenName(given, [{ name: "", token: secret }]) !== null;

/** The token of an `Authorization: Bearer <token>` header, "" for another scheme, null without one. */
export function bearerToken(request: HeaderSource): string | null {
  const authorization = request.headers.get("authorization");
  if (authorization === null) return null;
  return /^Bearer\s+(\S+)$/i.exec(authorization)?.[1] ?? "";
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

const invalidToken = () => new ApiError(401, "UNAUTHENTICATED", "The bearer token is not valid");

/**
 * Who is writing: the actor for the audit trail, and the credential (the API token's name or
 * the user's id) that scopes what is kept per client, such as idempotency keys.
 */
export type Caller = Actor & { credential: string };

/** The caller of a write that needs the admin role: 401 without credentials, 403 for a viewer or a read token. */
export async function requireAdmin(request: HeaderSource): Promise<Caller> {
  const bearer = bearerToken(request);
  if (bearer !== null) {
    const name = apiTokenName(bearer);
    if (name) return { name: `api:${name}`, credential: `token:${name}` };
    if (readTokenName(bearer))
      throw new ApiError(403, "FORBIDDEN", "This token may only read; writes need an admin token");
    throw invalidToken();
  }
  const user = await sessionUser(sessionToken(request));
  if (!user) {
    throw new ApiError(401, "UNAUTHENTICATED", "Sign in, or send Authorization: Bearer <token>");
  }
  requireSameOrigin(request);
  if (user.role !== "admin")
    throw new ApiError(403, "FORBIDDEN", `${user.email} is a viewer; this needs the admin role`);
  return { name: user.email, credential: `user:${user.id}` };
}

export type Reader = {
  /** Whether the reader may see the audit trail's actor and reason (staff and tokens). */
  seesAudit: boolean;
};

/**
 * Who reads, for every read route and both feed transports: a bearer token must be a valid one
 * (admin or read token; else 401), and with READ_ACCESS=staff a request with neither a token
 * nor a signed-in user's session is a 401. `audit` asks whether the reader may see who and why
 * (the session is looked up only when that or READ_ACCESS needs it).
 */
export async function requireReader(request: HeaderSource, { audit = false } = {}): Promise<Reader> {
  const bearer = bearerToken(request);
  if (bearer !== null) {
    if (!apiTokenName(bearer) && !readTokenName(bearer)) throw invalidToken();
    return { seesAudit: true };
  }
  const staffOnly = env().READ_ACCESS === "staff";
  if (!staffOnly && !audit) return { seesAudit: false };
  if (await sessionUser(sessionToken(request))) return { seesAudit: true };
  if (staffOnly) {
    throw new ApiError(
      401,
      "UNAUTHENTICATED",
      "Reading needs sign-in or a token here (READ_ACCESS=staff): sign in, or send Authorization: Bearer <token>",
    );
  }
  return { seesAudit: false };
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
