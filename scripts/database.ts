// The database a command works on: DATABASE_URL when it is set, else the embedded PostgreSQL in
// the data directory (STOCKPULSE_DATA_DIR, default .data), started for the command. One rule
// for `npm start`, `npm run db` and `npm run user`, so all three open the same database.
import path from "node:path";
import { startEmbeddedPostgres, type RunningPostgres } from "./embedded-postgres";

/** Where `npm start` keeps the embedded database and the generated demo secrets. */
export const dataDir = () => path.resolve(process.env.STOCKPULSE_DATA_DIR ?? ".data");

/** `embedded` is null when DATABASE_URL names the database; otherwise stop it when done. */
export async function openDatabase(
  options: { log?: (line: string) => void } = {},
): Promise<{ url: string; embedded: RunningPostgres | null }> {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, embedded: null };
  const embedded = await startEmbeddedPostgres(path.join(dataDir(), "pg"), options);
  return { url: embedded.url, embedded };
}
