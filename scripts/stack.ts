// A real StockPulse for tests: an embedded PostgreSQL in a temporary directory on a free port
// (never the developer's .data/), migrated and seeded, and servers on the production build in
// .next/ talking to it: the production server of `npm start` (scripts/server.ts, the feed on
// node:http) by default, or plain `next start` (the feed's route handler). Used by the
// integration tests, the browser tests' global setup (e2e/global-setup.ts) and bench/dashboard.ts.
import "../lib/supported-node";
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { freePort, startEmbeddedPostgres, temporaryDataDir, type RunningPostgres } from "./embedded-postgres";
import { migrateDatabase } from "./migrate";
import { createPrismaClient } from "../lib/db";
import { seedDemoProducts } from "../prisma/seed";
import { nextBin } from "./bins";
import { hashPassword } from "../lib/auth/password";

const root = path.join(import.meta.dirname, "..");

/** Which transport serves the feed: `npm start`'s node:http server, or the route handler. */
export type Transport = "node" | "route-handler";
export const TRANSPORTS: readonly Transport[] = ["node", "route-handler"];

export type Server = {
  transport: Transport;
  baseUrl: string;
  port: number;
  /** The server's process id (bench/export.ts samples its memory). */
  pid: number;
  output: () => string;
  /** Runs a full garbage collection in the server (see gc-on-signal.cjs) and waits for it. */
  collectGarbage: () => Promise<void>;
  /** A sample of the server's /api/metrics (with its METRICS_TOKEN); throws if it has none by that name. */
  metric: (name: string) => Promise<number>;
  /** Sends a signal and returns at once (see stop() to wait for the exit). */
  kill: (signal: NodeJS.Signals) => void;
  /** SIGTERM, then wait for the process to exit. */
  stop: () => Promise<void>;
  /** SIGKILL (a crash: no shutdown frame, no clean-up), then wait for the process to exit. */
  crash: () => Promise<void>;
};

export type Stack = {
  databaseUrl: string;
  adminToken: string;
  /** METRICS_TOKEN of every server (GET /api/metrics needs it as a bearer token). */
  metricsToken: string;
  /** The first admin, created by the server at start from ADMIN_EMAIL/ADMIN_PASSWORD. */
  admin: { email: string; password: string };
  /** Adds a user straight to the database; returns the password. */
  addUser: (email: string, role: "admin" | "viewer") => Promise<string>;
  database: RunningPostgres;
  /** Stops PostgreSQL and starts it again on the same port and data (a database restart). */
  restartDatabase: () => Promise<void>;
  /**
   * Runs `during` while PostgreSQL is stopped (an outage), then starts it again on the same port
   * and data. `crash`: killed with SIGKILL instead of a clean shutdown (no goodbye to clients).
   */
  withDatabaseDown: (during: () => Promise<void>, options?: { crash?: boolean }) => Promise<void>;
  db: ReturnType<typeof createPrismaClient>;
  startServer: (options?: {
    port?: number;
    env?: Record<string, string>;
    unset?: string[];
    transport?: Transport;
  }) => Promise<Server>;
  stop: () => Promise<void>;
};

async function waitForHealth(baseUrl: string, child: ChildProcess, output: () => string) {
  for (let attempt = 0; attempt < 300; attempt++) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}):\n${output()}`);
    try {
      const response = await fetch(`${baseUrl}/api/health`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`server at ${baseUrl} did not become healthy:\n${output()}`);
}

/**
 * Names a stopped, migrated cluster that every stack of a test run copies instead of making and
 * migrating its own (`prisma migrate deploy` takes 5-10 s of a stack's start; copying, well under
 * one). Set by npm test (scripts/test.ts); a stack started without it makes its own.
 */
const TEMPLATE_VARIABLE = "STOCKPULSE_TEST_CLUSTER_TEMPLATE";

/**
 * Makes the migrated cluster the stacks of one test run start from: `env` names it to the test
 * processes (their stacks copy it); `remove` deletes it.
 */
export async function prepareStackTemplate(): Promise<{ env: Record<string, string>; remove: () => void }> {
  const dir = temporaryDataDir("stockpulse-template-");
  const database = await startEmbeddedPostgres(path.join(dir, "pg"));
  await migrateDatabase(database.url);
  await database.stop();
  return {
    env: { [TEMPLATE_VARIABLE]: database.dataDir },
    remove: () => {
      fs.rmSync(dir, { recursive: true, force: true });
      if (database.dataDir !== path.join(dir, "pg")) fs.rmSync(database.dataDir, { recursive: true, force: true });
    },
  };
}

export async function startStack(options: { env?: Record<string, string> } = {}): Promise<Stack> {
  if (!fs.existsSync(path.join(root, ".next", "BUILD_ID"))) {
    throw new Error("no production build in .next/: run `npx next build` (npm test does it)");
  }
  const dir = temporaryDataDir("stockpulse-test-");
  let database = await startEmbeddedPostgres(path.join(dir, "pg"), { template: process.env[TEMPLATE_VARIABLE] });
  await migrateDatabase(database.url);
  const db = createPrismaClient(database.url);
  await seedDemoProducts(db);
  const adminToken = randomBytes(24).toString("base64url");
  const metricsToken = randomBytes(24).toString("base64url");
  const admin = { email: "admin@stockpulse.test", password: randomBytes(18).toString("base64url") };
  const servers = new Set<Server>();

  const startServer: Stack["startServer"] = async (serverOptions = {}) => {
    const port = serverOptions.port ?? (await freePort());
    let log = "";
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      DATABASE_URL: database.url,
      ADMIN_API_TOKEN: adminToken,
      METRICS_TOKEN: metricsToken,
      ADMIN_EMAIL: admin.email,
      ADMIN_PASSWORD: admin.password,
      STOCKPULSE_INSECURE_COOKIES: "1",
      // Tests ignore the developer's .env files: @next/env loads none when this is set (it is how
      // Next tells its own child processes that the environment is already loaded).
      __NEXT_PROCESSED_ENV: "true",
      // Quoted: NODE_OPTIONS splits on spaces, and the clone's path may have some.
      NODE_OPTIONS: `--expose-gc --require ${JSON.stringify(path.join(import.meta.dirname, "gc-on-signal.cjs"))}`,
      ...options.env,
      ...serverOptions.env,
    };
    for (const name of serverOptions.unset ?? []) delete env[name];
    const transport = serverOptions.transport ?? "node";
    const command =
      transport === "node" ? ["--import", "tsx", path.join(root, "scripts", "server.ts")] : [nextBin, "start"];
    const child = spawn(process.execPath, [...command, "--port", String(port), "--hostname", "127.0.0.1"], {
      cwd: root,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout!.on("data", (chunk) => (log += chunk));
    child.stderr!.on("data", (chunk) => (log += chunk));
    const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
    const server: Server = {
      transport,
      baseUrl: `http://127.0.0.1:${port}`,
      port,
      pid: child.pid!,
      output: () => log,
      collectGarbage: async () => {
        child.kill("SIGUSR2");
        await new Promise((resolve) => setTimeout(resolve, 500));
      },
      metric: async (name) => {
        const response = await fetch(`${server.baseUrl}/api/metrics`, {
          headers: { authorization: `Bearer ${env.METRICS_TOKEN}` },
        });
        if (!response.ok) throw new Error(`/api/metrics answered ${response.status}`);
        const line = (await response.text()).split("\n").find((candidate) => candidate.startsWith(`${name} `));
        if (line === undefined) throw new Error(`${name} is not in /api/metrics`);
        return Number(line.split(" ")[1]);
      },
      kill: (signal) => child.kill(signal),
      stop: async () => {
        servers.delete(server);
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
        await exited;
      },
      crash: async () => {
        servers.delete(server);
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
        await exited;
      },
    };
    servers.add(server);
    await waitForHealth(server.baseUrl, child, server.output);
    return server;
  };

  return {
    databaseUrl: database.url,
    adminToken,
    metricsToken,
    admin,
    addUser: async (email, role) => {
      const password = randomBytes(18).toString("base64url");
      await db.user.create({ data: { email, role, passwordHash: await hashPassword(password) } });
      return password;
    },
    get database() {
      return database;
    },
    db,
    startServer,
    restartDatabase: async () => {
      await database.stop();
      database = await startEmbeddedPostgres(path.join(dir, "pg"), { port: database.port });
    },
    withDatabaseDown: async (during, { crash = false } = {}) => {
      await (crash ? database.kill() : database.stop());
      try {
        await during();
      } finally {
        database = await startEmbeddedPostgres(path.join(dir, "pg"), { port: database.port });
      }
    },
    stop: async () => {
      await Promise.all([...servers].map((server) => server.stop()));
      await db.$disconnect();
      await database.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
