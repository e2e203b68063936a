// Browsers that have signed in to an account before, remembered by a long-lived HttpOnly cookie
// (a random token; PostgreSQL keeps its SHA-256). They are throttled per device instead of per
// account and address, and check passwords in a lane of their own (lib/auth/sign-in.ts), so a
// flood of guesses at an admin's email from elsewhere can neither lock out nor crowd out that admin.
import { createHash, randomBytes } from "node:crypto";
import { db } from "@/lib/db";

export const DEVICE_COOKIE = "stockpulse_device";
export const DEVICE_COOKIE_MAX_AGE_SECONDS = 365 * 24 * 3600;

const digest = (token: string) => createHash("sha256").update(token).digest("hex");

/** The device's id (its token's SHA-256) when `token` belongs to a browser that has signed in as `email` before, else null. */
export async function knownDevice(token: string | undefined, email: string): Promise<string | null> {
  if (!token || token.length > 100) return null;
  const id = digest(token);
  return (await db.signInDevice.count({ where: { id, user: { email } } })) > 0 ? id : null;
}

/** Remembers this browser for `userId`; returns the cookie's new token. */
export async function rememberDevice(userId: number): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  await db.signInDevice.create({ data: { id: digest(token), userId } });
  return token;
}
