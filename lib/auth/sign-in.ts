// Signing in and out. Signing in: the attempt is counted first (per account and per client
// address, or per device when this browser has signed in to the account before), refused there
// when throttled, then the password is checked in a bounded lane, then a session, and this
// browser remembered for the account. The session route only parses and answers; the steps and
// the cookies are here.
import { cookies } from "next/headers";
import { z } from "zod";
import { DEVICE_COOKIE, knownDevice, rememberDevice } from "@/lib/auth/devices";
import { deviceCookieOptions, sessionCookieOptions } from "@/lib/auth/guards";
import { createSession, revokeSession, SESSION_COOKIE } from "@/lib/auth/sessions";
import { countSignInAttempt, signInFailed, signInSucceeded, uncountSignInAttempt } from "@/lib/auth/throttle";
import { authenticate, type User } from "@/lib/auth/users";
import { ApiError } from "@/lib/errors";
import { log } from "@/lib/log";

export const credentialsSchema = z.strictObject({
  email: z.email("email must be an email address").max(254).toLowerCase(),
  password: z.string({ error: "password is required" }).min(1, "password is required").max(200),
});
export type Credentials = z.infer<typeof credentialsSchema>;

export type SignInAttempt = Credentials & { address: string; deviceToken?: string };
export type SignedIn = { user: User; token: string; expiresAt: Date; deviceToken: string | null };

/** The new session (and a device token when this browser is new to the account); 401/429 otherwise. */
export async function signIn({ email, password, address, deviceToken }: SignInAttempt): Promise<SignedIn> {
  const device = await knownDevice(deviceToken, email);
  // Throttled attempts end here, before they take a place in a password lane or any scrypt work.
  const count = () => countSignInAttempt({ email, address, device });
  const attempt = await (device ? count() : otherBrowsersCounting.run(count));
  let user: User | null;
  try {
    user = await (device ? knownDevices : otherBrowsers).run(() => authenticate(email, password));
  } catch (error) {
    if (error instanceof ApiError && error.code === "SIGN_IN_BUSY") await uncountSignInAttempt(attempt);
    throw error;
  }
  if (!user) {
    await signInFailed();
    throw new ApiError(401, "INVALID_CREDENTIALS", "Wrong email or password");
  }
  await signInSucceeded(attempt);
  const session = await createSession(user.id);
  // A failed attempt is the 401's "request refused" line, without the email tried: people type
  // their password into the email field.
  log.info({ actor: user.email, role: user.role }, "signed in");
  return { user, ...session, deviceToken: device ? null : await rememberDevice(user.id) };
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
// 60 concurrent failed sign-ins queued every real one behind them for seconds; so a lane runs
// at most a few and queues 8, and past that sign-in answers 429 at once (it retries in a second).
// Browsers that have signed in to the account before check in a lane of their own: a flood of
// guesses from anywhere else cannot fill it (filling it takes device cookies, one per sign-in).
const BUSY_RETRY_SECONDS = 1;

/** A bounded number of sign-in steps running and waiting; 429 SIGN_IN_BUSY past them. */
class SignInLane {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly maxRunning: number,
    private readonly maxWaiting: number,
  ) {}

  async run<T>(step: () => Promise<T>): Promise<T> {
    if (this.running < this.maxRunning) this.running++;
    else if (this.waiting.length < this.maxWaiting) await new Promise<void>((resolve) => this.waiting.push(resolve));
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
      return await step();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

// Counting is a short transaction; bounded so that a flood of throttled guesses holds at most
// 4 of the 20 database connections, not the pool every other request (and known devices) needs.
const otherBrowsersCounting = new SignInLane(4, 32);
const otherBrowsers = new SignInLane(4, 8);
// Its check waits at most for one of the other lane's to free a thread.
const knownDevices = new SignInLane(2, 8);
