// Browsers that have signed in to an account before, remembered by a long-lived HttpOnly cookie
// (a random token; PostgreSQL keeps its SHA-256). The per-account failure limit does not apply
// to them, so guessing at an admin's email from elsewhere cannot lock that admin out.
import { createHash, randomBytes } from "node:crypto";
import { db } from "@/lib/db";

export const DEVICE_COOKIE = "stockpulse_device";
export const DEVICE_COOKIE_MAX_AGE_SECONDS = 365 * 24 * 3600;

const digest = (token: string) => createHash("sha256").update(token).digest("hex");

/** Whether `token` belongs to a browser that has signed in as `email` before. */
export async function isKnownDevice(token: string | undefined, email: string): Promise<boolean> {
  if (!token || token.length > 100) return false;
  return (await db.signInDevice.count({ where: { id: digest(token), user: { email } } })) > 0;
}

/** Remembers this browser for `userId`; returns the cookie's new token. */
export async function rememberDevice(userId: number): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  await db.signInDevice.create({ data: { id: digest(token), userId } });
  return token;
}
