// .env files, loaded as Next.js loads them (@next/env): .env.$mode.local, .env.local (not when
// NODE_ENV=test), .env.$mode, then .env; a variable already in the environment wins. The scripts
// load them first, so a DATABASE_URL in .env is the database of npm start, npm run db and npm run
// user alike, and the servers they spawn inherit the result (Next then loads nothing twice).
import path from "node:path";
import nextEnv from "@next/env";

const root = path.join(import.meta.dirname, "..");

/** Loads the project's .env files into process.env; returns the names of the files it read. */
export function loadDotEnv(mode: "development" | "production"): string[] {
  const { loadedEnvFiles } = nextEnv.loadEnvConfig(root, mode === "development", {
    info: () => {},
    error: (...args: unknown[]) => console.error("[stockpulse]", ...args),
  });
  return loadedEnvFiles.map((file) => file.path);
}
