// `npm run db -- <prisma command>`: the Prisma CLI against DATABASE_URL, or against the embedded
// database in .data/ (started for the command and stopped after it).
//   npm run db -- migrate dev --name add_column
//   npm run db -- migrate status
//   npm run db -- db seed
import "../lib/supported-node";
import { openDatabase } from "./database";
import { loadDotEnv } from "./load-env";
import { migrateDev } from "./migrate-dev";
import { runPrisma } from "./prisma-cli";

const args = process.argv.slice(2);
if (args.length === 0) {
  console.error("usage: npm run db -- <prisma command>   (e.g. migrate status)");
  process.exit(2);
}

// .env.production* unless NODE_ENV=development, as `next start` would; .env and .env.local always.
loadDotEnv(process.env.NODE_ENV === "development" ? "development" : "production");
const { url, embedded } = await openDatabase();
try {
  if (args[0] === "migrate" && args[1] === "dev") await migrateDev(args.slice(2), url);
  else await runPrisma(args, url);
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 1;
} finally {
  await embedded?.stop();
}
