import path from "node:path";
import { defineConfig } from "prisma/config";
import { cliAdapter } from "./prisma/cli-adapter";

// The CLI runs on Prisma's bundled WebAssembly schema engine through the pg driver adapter, so
// nothing is downloaded. scripts/db.ts sets DATABASE_URL from the embedded database if unset.
export default defineConfig({
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations"), seed: "tsx prisma/seed.ts" },
  engine: "js",
  experimental: { adapter: true },
  adapter: async () => {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error("DATABASE_URL is not set: run the CLI through `npm run db -- <command>`");
    return cliAdapter(url);
  },
});
