// Throttling of failed sign-ins, kept in PostgreSQL so that it holds across instances and
// restarts: after 5 failures for one email, or 20 from one address, within 15 minutes, further
// attempts are refused until the oldest of those failures leaves the window. A browser that has
// signed in to the account before (lib/auth/devices.ts) is held only to the per-address limit.
import { db } from "@/lib/db";

export const WINDOW_MS = 15 * 60_000;
export const MAX_FAILURES_PER_EMAIL = 5;
export const MAX_FAILURES_PER_ADDRESS = 20;

async function waitFor(where: { email: string } | { address: string }, limit: number): Promise<number> {
  const since = new Date(Date.now() - WINDOW_MS);
  const recent = await db.signInFailure.findMany({
    where: { ...where, createdAt: { gt: since } },
    orderBy: { createdAt: "desc" },
    take: limit,
    select: { createdAt: true },
  });
  if (recent.length < limit) return 0;
  return Math.max(1, Math.ceil((recent[limit - 1].createdAt.getTime() + WINDOW_MS - Date.now()) / 1000));
}

/** Seconds until this email may try again from this address, or 0 when it may now. */
export async function signInRetryAfter(email: string, address: string, knownDevice = false): Promise<number> {
  const [byEmail, byAddress] = await Promise.all([
    knownDevice ? 0 : waitFor({ email }, MAX_FAILURES_PER_EMAIL),
    waitFor({ address }, MAX_FAILURES_PER_ADDRESS),
  ]);
  return Math.max(byEmail, byAddress);
}

export async function recordSignInFailure(email: string, address: string) {
  await db.signInFailure.create({ data: { email, address: address.slice(0, 64) } });
  await db.signInFailure.deleteMany({ where: { createdAt: { lt: new Date(Date.now() - WINDOW_MS) } } });
}

export async function clearSignInFailures(email: string) {
  await db.signInFailure.deleteMany({ where: { email } });
}
