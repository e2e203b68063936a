// Signing in and out. Signing in: throttles first (per account unless this browser has signed
// in to it before, and per client address), then the password in a bounded slot, then a
// session, and this browser remembered for the account. The session route only parses and
// answers; the steps and the cookies are here.
import { cookies } from "next/headers";
import { z } from "zod";
import { DEVICE_COOKIE, isKnownDevice, rememberDevice } from "@/lib/auth/devices";
import { deviceCookieOptions, sessionCookieOptions } from "@/lib/auth/guards";
import { createSession, revokeSession, SESSION_COOKIE } from "@/lib/auth/sessions";
import { clearSignInFailures, recordSignInFailure, signInRetryAfter } from "@/lib/auth/throttle";
import { authenticate, type User } from "@/lib/auth/users";
import { ApiError } from "@/lib/errors";

export const credentialsSchema = z.strictObject({
  email: z.email("email must be an email address").max(254).toLowerCase(),
  password: z.string({ error: "password is required" }).min(1, "password is required").max(200),
});
export type Credentials = z.infer<typeof credentialsSchema>;

export type SignInAttempt = Credentials & { address: string; deviceToken?: string };
export type SignedIn = { user: User; token: string; expiresAt: Date; deviceToken: string | null };

/** The new session (and a device token when this browser is new to the account); 401/429 otherwise. */
export function signIn({ email, password, address, deviceToken }: SignInAttempt): Promise<SignedIn> {
  return inPasswordCheckSlot(async () => {
    const knownDevice = await isKnownDevice(deviceToken, email);
    const retryAfter = await signInRetryAfter(email, address, knownDevice);
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
    const session = await createSession(user.id);
    return { user, ...session, deviceToken: knownDevice ? null : await rememberDevice(user.id) };
  });
}

/**
 * Signs this browser in (see signIn) and sets its session cookie, and its device cookie when it
 * is new to the account.
 */
export async function signInBrowser(credentials: Credentials, address: string) {
  const jar = await cookies();
  const { user, token, expiresAt, deviceToken } = await signIn({
    ...credentials,
    address,
    deviceToken: jar.get(DEVICE_COOKIE)?.value,
  });
  jar.set(SESSION_COOKIE, token, sessionCookieOptions(expiresAt));
  if (deviceToken) jar.set(DEVICE_COOKIE, deviceToken, deviceCookieOptions());
  return { user, expiresAt };
}

/** Signs this browser out: its session is revoked on the server, not just forgotten. */
export async function signOutBrowser() {
  const jar = await cookies();
  const token = jar.get(SESSION_COOKIE)?.value;
  if (token) await revokeSession(token);
  jar.delete(SESSION_COOKIE);
}

// scrypt runs on libuv's 4 worker threads, 32 MiB and tens of milliseconds each. Unbounded,
// 60 concurrent failed sign-ins queued every real one behind them for seconds; so at most
// 4 run and 8 wait, and past that sign-in answers 429 at once (it retries in a second).
const CHECKS_RUNNING = 4;
const CHECKS_WAITING = 8;
const BUSY_RETRY_SECONDS = 1;
let running = 0;
const waiting: Array<() => void> = [];

/** Runs a sign-in's password work in a bounded slot; 429 SIGN_IN_BUSY when none is free soon. */
async function inPasswordCheckSlot<T>(check: () => Promise<T>): Promise<T> {
  if (running < CHECKS_RUNNING) running++;
  else if (waiting.length < CHECKS_WAITING) await new Promise<void>((resolve) => waiting.push(resolve));
  else {
    throw new ApiError(
      429,
      "SIGN_IN_BUSY",
      "Too many sign-ins at once; try again in a second",
      { retryAfterSeconds: BUSY_RETRY_SECONDS },
      { "retry-after": String(BUSY_RETRY_SECONDS) },
    );
  }
  try {
    return await check();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}
