// `npm run user -- <command>`: staff accounts, against DATABASE_URL or the embedded database.
//   npm run user -- add anna@shop.example viewer     (password from USER_PASSWORD, else generated and printed)
//   npm run user -- list
//   npm run user -- sign-out anna@shop.example       (revokes all her sessions at once)
import "../lib/supported-node";
import { randomBytes } from "node:crypto";
import { openDatabase } from "./database";
import { loadDotEnv } from "./load-env";

const [command, email, role = "viewer"] = process.argv.slice(2);
const usage = "usage: npm run user -- add <email> [admin|viewer] | list | sign-out <email>";
if (!["add", "list", "sign-out"].includes(command) || (command !== "list" && !email)) {
  console.error(usage);
  process.exit(2);
}

// .env.production* unless NODE_ENV=development, as `next start` would; .env and .env.local always.
loadDotEnv(process.env.NODE_ENV === "development" ? "development" : "production");
const { url, embedded } = await openDatabase();
process.env.DATABASE_URL = url;
const { db } = await import("@/lib/db");
const { passwordSchema } = await import("@/lib/env");
const { createUser, ROLES } = await import("@/lib/auth/users");
const { revokeUserSessions } = await import("@/lib/auth/sessions");

try {
  if (command === "list") {
    for (const user of await db.user.findMany({ orderBy: { email: "asc" } }))
      console.log(`${user.email}\t${user.role}`);
  } else if (command === "add") {
    if (!(ROLES as readonly string[]).includes(role)) throw new Error(`role must be one of ${ROLES.join(", ")}`);
    const password = process.env.USER_PASSWORD ?? randomBytes(12).toString("base64url");
    const strength = passwordSchema.safeParse(password);
    if (!strength.success) throw new Error(`USER_PASSWORD ${strength.error.issues[0].message}`);
    const user = await createUser(email, password, role as (typeof ROLES)[number]);
    console.log(`added ${user.email} (${user.role})${process.env.USER_PASSWORD ? "" : ` with password ${password}`}`);
  } else {
    const user = await db.user.findUnique({ where: { email: email.toLowerCase() } });
    if (!user) throw new Error(`no user ${email}`);
    await revokeUserSessions(user.id);
    console.log(`signed ${user.email} out everywhere`);
  }
} catch (error) {
  const message =
    (error as { code?: string }).code === "P2002" ? `${email} already has an account` : (error as Error).message;
  console.error(message);
  process.exitCode = 1;
} finally {
  await db.$disconnect();
  await embedded?.stop();
}
