// `npm run db -- migrate dev --name <name> [--create-only]`, done in steps that work through the
// driver adapter: Prisma 6.19's `migrate dev` gets as far as writing the migration, then fails in
// its data-loss check ("shadow DB must be provided through an external factory"). Here:
// `migrate diff` from the committed migrations (on a shadow database) to the schema writes the
// new migration, and `migrate deploy` applies it.
import fs from "node:fs";
import path from "node:path";
import { MIGRATIONS_DIR } from "./migrate";
import { runPrisma } from "./prisma-cli";

function timestamp() {
  return new Date().toISOString().replace(/[-:T]/g, "").slice(0, 14);
}

export async function migrateDev(args: string[], databaseUrl: string) {
  const nameIndex = args.indexOf("--name");
  const name = nameIndex >= 0 ? args[nameIndex + 1] : undefined;
  if (!name || !/^[a-z0-9_]+$/.test(name)) {
    throw new Error("usage: npm run db -- migrate dev --name <snake_case_name> [--create-only]");
  }
  const script = await runPrisma(
    [
      "migrate",
      "diff",
      "--from-migrations",
      MIGRATIONS_DIR,
      "--to-schema-datamodel",
      "prisma/schema.prisma",
      "--script",
    ],
    databaseUrl,
    { quiet: true },
  );
  if (!/^\s*(CREATE|ALTER|DROP)/m.test(script)) {
    console.log("The schema matches the migrations: nothing to create.");
  } else {
    const dir = path.join(MIGRATIONS_DIR, `${timestamp()}_${name}`);
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "migration.sql"), script);
    console.log(`Created ${path.relative(process.cwd(), dir)}/migration.sql:\n${script}`);
  }
  if (!args.includes("--create-only")) await runPrisma(["migrate", "deploy"], databaseUrl);
}
