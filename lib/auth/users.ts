// Staff accounts: an email, a scrypt password hash and a role (admin may change products,
// viewer may only look). The first admin comes from ADMIN_EMAIL/ADMIN_PASSWORD.
import { randomBytes } from "node:crypto";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { burnPasswordCheck, hashPassword, verifyPassword } from "@/lib/auth/password";

export const ROLES = ["admin", "viewer"] as const;
export type Role = (typeof ROLES)[number];
export type User = { id: number; email: string; role: Role };

const toUser = ({ id, email, role }: { id: number; email: string; role: string }): User => ({
  id,
  email,
  role: role as Role,
});

export async function createUser(email: string, password: string, role: Role): Promise<User> {
  const passwordHash = await hashPassword(password);
  return toUser(await db.user.create({ data: { email: email.toLowerCase(), passwordHash, role } }));
}

/** The user with this email and password, or null (as slow for an unknown email as for a wrong password). */
export async function authenticate(email: string, password: string): Promise<User | null> {
  const user = await db.user.findUnique({ where: { email: email.toLowerCase() } });
  if (!user) {
    await burnPasswordCheck(password);
    return null;
  }
  return (await verifyPassword(password, user.passwordHash)) ? toUser(user) : null;
}

/**
 * At start-up: creates the admin named by ADMIN_EMAIL/ADMIN_PASSWORD unless that email has an
 * account already (its password is then left as staff set it). In development without them,
 * and with no admin at all, creates one and prints its credentials.
 */
export async function ensureFirstAdmin() {
  const { ADMIN_EMAIL, ADMIN_PASSWORD, NODE_ENV } = env();
  if (ADMIN_EMAIL && ADMIN_PASSWORD) {
    const existing = await db.user.findUnique({ where: { email: ADMIN_EMAIL } });
    if (!existing) {
      await createUser(ADMIN_EMAIL, ADMIN_PASSWORD, "admin").catch(ignoreDuplicate);
      log.info({ actor: ADMIN_EMAIL }, `created the first admin, ${ADMIN_EMAIL}`);
    }
    return;
  }
  if (NODE_ENV === "production") return; // env() already refused to start without them
  if (await db.user.count({ where: { role: "admin" } })) return;
  const password = randomBytes(12).toString("base64url");
  await createUser("admin@localhost", password, "admin").catch(ignoreDuplicate);
  // Development only, and the one way its developer learns the password: said once, on creation.
  log.info(`development admin created: admin@localhost / ${password}`);
}

// Several instances may start at once; the unique email makes the first one win.
function ignoreDuplicate(error: unknown) {
  if ((error as { code?: string }).code !== "P2002") throw error;
}
