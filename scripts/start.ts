// `npm start`: the whole product from a fresh clone. Without DATABASE_URL it runs the embedded
// PostgreSQL in .data/ (created on first start, reused after), applies migrations, loads the
// demo products into an empty database, builds the app when the sources changed, and serves it
// on PORT (3000). Ctrl-C or SIGTERM stops the server first, then the database: nothing is left.
// `npm run dev` does the same with `next dev`; `npm run serve` never builds (production: see the
// README's "Production").
import "../lib/supported-node";
import "./launch-mode";
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { dataDir as dataDirectory, openDatabase } from "./database";
import type { RunningPostgres } from "./embedded-postgres";
import { migrateDatabase } from "./migrate";
import { secretInFile } from "./secret-file";
import { nextBin } from "./bins";
import { loadDotEnv } from "./load-env";
import { log as logger } from "../lib/log";

const dev = process.argv.includes("--dev");
// `npm run serve`, the production start: never builds, so it needs no devDependencies.
const neverBuild = process.argv.includes("--no-build");
const root = process.cwd();
// STOCKPULSE_DATA_DIR moves the embedded database and demo secrets elsewhere (tests use it).
const dataDir = dataDirectory();
const log = (message: string) => logger.info(message);

/** A demo secret: generated once, kept in the data directory (git-ignored), never in the repo. */
function demoSecret(name: string): { value: string; file: string; generated: boolean } {
  const file = path.join(dataDir, name);
  return { ...secretInFile(file, 24), file };
}

const DEMO_ADMIN_EMAIL = "admin@stockpulse.local";

function newestMtime(entry: string): number {
  if (!fs.existsSync(entry)) return 0;
  const stat = fs.statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  if (entry.endsWith(`${path.sep}generated`)) return 0;
  return Math.max(0, ...fs.readdirSync(entry).map((name) => newestMtime(path.join(entry, name))));
}

function buildIsCurrent() {
  const buildId = path.join(root, ".next", "BUILD_ID");
  if (!fs.existsSync(buildId)) return false;
  const sources = [
    "app",
    "components",
    "lib",
    "instrumentation.ts",
    "instrumentation-node.ts",
    "proxy.ts",
    "next.config.js",
    "package-lock.json",
  ];
  return Math.max(...sources.map((source) => newestMtime(path.join(root, source)))) < fs.statSync(buildId).mtimeMs;
}

function run(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [nextBin, ...args], { stdio: "inherit", env });
}

/** The production server (scripts/server.ts): Next for pages and API, node:http for the feed. */
function serve(port: string, env: NodeJS.ProcessEnv): ChildProcess {
  const script = path.join(import.meta.dirname, "server.ts");
  return spawn(process.execPath, ["--import", "tsx", script, "--port", port], { stdio: "inherit", env });
}

function exitCode(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => child.on("exit", (code, signal) => resolve(code ?? (signal ? 0 : 1))));
}

/** What the log says about generated demo credentials: the value only when just generated. */
const demoNotes: string[] = [];
function demoNote(what: string, secret: ReturnType<typeof demoSecret>) {
  const where = path.relative(root, secret.file);
  return secret.generated ? `demo ${what} generated: ${secret.value} (kept in ${where})` : `demo ${what} in ${where}`;
}

let database: RunningPostgres | null = null;
let server: ChildProcess | null = null;
let stopping = false;

async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  if (server && server.exitCode === null) {
    server.kill("SIGTERM");
    await exitCode(server);
  }
  if (database) {
    log("stopping the embedded PostgreSQL");
    await database.stop();
  }
  process.exit(code);
}

async function main() {
  if (neverBuild && !fs.existsSync(path.join(root, ".next", "BUILD_ID"))) {
    throw new Error(
      "no production build in .next/: run `npm run build` first (it needs the devDependencies: " +
        "`npm ci && npm run build`, then `npm ci --omit=dev` may drop them)",
    );
  }
  const envFiles = loadDotEnv(dev ? "development" : "production");
  if (envFiles.length > 0) log(`environment from ${envFiles.join(", ")} (variables already set win)`);
  const env: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };
  if (!env.DATABASE_URL) {
    log(`no DATABASE_URL: starting the embedded PostgreSQL in ${path.relative(root, dataDir)}/pg`);
    const opened = await openDatabase();
    database = opened.embedded;
    env.DATABASE_URL = opened.url;
    // Demo credentials only for what the operator did not configure: a generated token is
    // accepted only when no token is configured at all. The log names what was generated and
    // where it is kept, and never prints what the operator supplied.
    if (!env.ADMIN_API_TOKEN && !env.ADMIN_API_TOKENS) {
      const token = demoSecret("admin-token");
      env.ADMIN_API_TOKEN = token.value;
      demoNotes.push(demoNote("API token", token));
    }
    env.ADMIN_EMAIL ||= DEMO_ADMIN_EMAIL;
    if (!env.ADMIN_PASSWORD) {
      const password = demoSecret("admin-password");
      env.ADMIN_PASSWORD = password.value;
      demoNotes.push(demoNote(`admin password for ${env.ADMIN_EMAIL}`, password));
    }
  }
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => void shutdown(0));
  // If whatever started us dies without passing a signal on, do not leave orphans behind.
  const parent = process.ppid;
  setInterval(() => process.ppid !== parent && void shutdown(0), 1000).unref();

  Object.assign(process.env, env);
  const { env: validatedEnv } = await import("@/lib/env");
  validatedEnv();

  if (await migrateDatabase(env.DATABASE_URL!)) log("applied pending migrations");
  if (database || validatedEnv().SEED_DEMO_DATA) {
    const { createPrismaClient } = await import("@/lib/db");
    const { seedDemoProducts } = await import("../prisma/seed");
    const client = createPrismaClient(env.DATABASE_URL!);
    const added = await seedDemoProducts(client);
    await client.$disconnect();
    if (added) log(`loaded ${added} demo products`);
  }

  if (!dev && !neverBuild && !buildIsCurrent()) {
    log("building the app (next build)");
    const code = await exitCode(run(["build"], env));
    if (code !== 0) return shutdown(code);
  }

  const port = env.PORT ?? "3000";
  demoNotes.forEach(log);
  log(`serving on http://localhost:${port}`);
  server = dev ? run(["dev", "--port", port], env) : serve(port, { ...env, NODE_ENV: "production" });
  const code = await exitCode(server);
  await shutdown(code);
}

main().catch(async (error) => {
  logger.fatal((error as Error).message);
  await shutdown(1);
});
