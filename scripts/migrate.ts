// Applies pending migrations with `prisma migrate deploy`. The Prisma CLI takes seconds to
// start (WebAssembly schema engine), so first ask the database whether anything is pending.
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { runPrisma } from "./prisma-cli";

/** The committed migrations (prisma.config.ts names the same directory for the Prisma CLI). */
export const MIGRATIONS_DIR = path.join(import.meta.dirname, "..", "prisma", "migrations");

async function appliedMigrations(databaseUrl: string): Promise<Set<string>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ migration_name: string }>(
      `SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    );
    return new Set(rows.map((row) => row.migration_name));
  } catch {
    return new Set(); // no migrations table yet
  } finally {
    await client.end();
  }
}

/** Brings the database to the committed schema; returns whether anything was applied. */
export async function migrateDatabase(databaseUrl: string): Promise<boolean> {
  const committed = fs
    .readdirSync(MIGRATIONS_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name);
  const applied = await appliedMigrations(databaseUrl);
  if (committed.every((name) => applied.has(name))) return false;
  await runPrisma(["migrate", "deploy"], databaseUrl, { quiet: true });
  return true;
}
