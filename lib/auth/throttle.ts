// Throttling of sign-in attempts, kept in PostgreSQL so that it holds across instances and
// restarts: after 5 failures for one email, or 20 from one address, within 15 minutes, further
// attempts are refused until the oldest of those failures leaves the window. A browser that has
// signed in to the account before (lib/auth/devices.ts) is counted on its own instead: 5
// failures per device, whatever the account's or the address's count.
//
// An attempt is counted before its password is checked, under a transaction-scoped advisory
// lock per email, address or device: twelve concurrent guesses, on any instances, get at most
// five checks, not however many read the count before the first failure was written. So an
// attempt still being checked counts as a failure until it turns out right: a correct password
// then removes it, with the failures before it in its lane.
import { sqlQuery, withTransaction } from "@/lib/db";
import { ApiError } from "@/lib/errors";
import { Prisma } from "@/lib/generated/prisma/client";

export const WINDOW_MS = 15 * 60_000;
const WINDOW = `${WINDOW_MS / 60_000} minutes`;
export const MAX_FAILURES_PER_EMAIL = 5;
export const MAX_FAILURES_PER_ADDRESS = 20;
export const MAX_FAILURES_PER_DEVICE = 5;

/** Who tries: `device` is the known device's id (lib/auth/devices.ts), null for any other browser. */
export type SignInSource = { email: string; address: string; device: string | null };
/** An attempt counted as a failure until signInSucceeded or uncountSignInAttempt says otherwise. */
export type CountedAttempt = SignInSource & { id: string };

type Limit = { lock: string; rows: Prisma.Sql; max: number };

function limitsOf({ email, address, device }: SignInSource): Limit[] {
  if (device) return [{ lock: `device ${device}`, rows: Prisma.sql`device = ${device}`, max: MAX_FAILURES_PER_DEVICE }];
  return [
    { lock: `email ${email}`, rows: Prisma.sql`email = ${email} AND device IS NULL`, max: MAX_FAILURES_PER_EMAIL },
    {
      lock: `address ${address}`,
      rows: Prisma.sql`address = ${address} AND device IS NULL`,
      max: MAX_FAILURES_PER_ADDRESS,
    },
  ];
}

/** Counts one attempt before its password is checked; 429 TOO_MANY_ATTEMPTS (nothing counted) past a limit. */
export async function countSignInAttempt(source: SignInSource): Promise<CountedAttempt> {
  const attempt = { ...source, address: source.address.slice(0, 64) };
  const limits = limitsOf(attempt);
  const id = await withTransaction(async (client) => {
    // Always the lane's lock before the address's, so two attempts never wait on each other.
    for (const { lock } of limits) {
      await sqlQuery(Prisma.sql`SELECT pg_advisory_xact_lock(hashtextextended(${`sign-in ${lock}`}, 0))`, client);
    }
    let retryAfter = 0;
    for (const { rows, max } of limits) {
      // The max-th newest failure in the window: when it leaves, one more attempt may come.
      const [oldest] = await sqlQuery<{ seconds: number }>(
        Prisma.sql`SELECT ceil(extract(epoch FROM "createdAt" + ${WINDOW}::interval - clock_timestamp()))::int AS seconds
                   FROM "SignInFailure" WHERE ${rows} AND "createdAt" > clock_timestamp() - ${WINDOW}::interval
                   ORDER BY "createdAt" DESC OFFSET ${max - 1} LIMIT 1`,
        client,
      );
      if (oldest) retryAfter = Math.max(retryAfter, oldest.seconds, 1);
    }
    if (retryAfter > 0) throw tooManyAttempts(retryAfter);
    const [row] = await sqlQuery<{ id: string }>(
      Prisma.sql`INSERT INTO "SignInFailure" (email, address, device, "createdAt")
                 VALUES (${attempt.email}, ${attempt.address}, ${attempt.device}, clock_timestamp()) RETURNING id`,
      client,
    );
    return row.id;
  });
  return { ...attempt, id };
}

/** The password was wrong: the attempt stays counted; failures older than the window go. */
export async function signInFailed() {
  await sqlQuery(Prisma.sql`DELETE FROM "SignInFailure" WHERE "createdAt" < clock_timestamp() - ${WINDOW}::interval`);
}

/** The password was right: this attempt and the earlier failures of its lane (email or device) no longer count. */
export async function signInSucceeded({ email, device }: CountedAttempt) {
  const [lane] = limitsOf({ email, address: "", device });
  await sqlQuery(Prisma.sql`DELETE FROM "SignInFailure" WHERE ${lane.rows}`);
}

/** The password was never checked (the server was too busy): the attempt does not count. */
export async function uncountSignInAttempt({ id }: CountedAttempt) {
  await sqlQuery(Prisma.sql`DELETE FROM "SignInFailure" WHERE id = ${id}::bigint`);
}

function tooManyAttempts(retryAfterSeconds: number) {
  return new ApiError(
    429,
    "TOO_MANY_ATTEMPTS",
    `Too many failed sign-ins; try again in ${Math.ceil(retryAfterSeconds / 60)} min`,
    { retryAfterSeconds },
    { "retry-after": String(retryAfterSeconds) },
  );
}
