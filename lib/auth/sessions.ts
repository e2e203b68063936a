// Browser sessions, stored in PostgreSQL so that signing out, an expiry or an admin revoking
// them takes effect on every instance at once. The cookie carries a random 256-bit token; the
// table keeps only its SHA-256.
import { createHash, randomBytes } from "node:crypto";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import type { User } from "@/lib/auth/users";

export const SESSION_COOKIE = "stockpulse_session";

const digest = (token: string) => createHash("sha256").update(token).digest("hex");

export async function createSession(userId: number): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + env().SESSION_TTL_HOURS * 3_600_000);
  // Expired rows of this user go as a new one comes; revoked ones stay until they expire.
  await db.session.deleteMany({ where: { userId, expiresAt: { lt: new Date() } } });
  await db.session.create({ data: { id: digest(token), userId, expiresAt } });
  return { token, expiresAt };
}

/** The user of a live (neither expired nor revoked) session, or null. */
export async function sessionUser(token: string | undefined): Promise<User | null> {
  if (!token || token.length > 100) return null;
  const session = await db.session.findFirst({
    where: { id: digest(token), revokedAt: null, expiresAt: { gt: new Date() } },
    select: { user: { select: { id: true, email: true, role: true } } },
  });
  return session ? (session.user as User) : null;
}

export async function revokeSession(token: string) {
  await db.session.updateMany({ where: { id: digest(token), revokedAt: null }, data: { revokedAt: new Date() } });
}

/** Ends every session of a user (e.g. a lost laptop, or a member of staff who left). */
export async function revokeUserSessions(userId: number) {
  await db.session.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: new Date() } });
}
