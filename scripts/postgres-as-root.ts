// PostgreSQL refuses to run as root, so as root the embedded server runs as the OS user
// `postgres`. That user must reach the binaries (in node_modules) and the data directory, and a
// clone inside a directory only its owner may enter (root's home, any `mktemp -d`) allows neither.
// Then the binaries are copied to, and the data kept in, /var/lib/stockpulse, which it can reach:
// the user's own directories keep their permissions.
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

export const RUNTIME_ROOT = "/var/lib/stockpulse";

export type OsUser = { uid: number; gid: number };

const WHAT_TO_DO =
  "Clone StockPulse into a directory the `postgres` user can enter (e.g. under /srv), run it as an ordinary " +
  "user, or set DATABASE_URL to a PostgreSQL server of your own.";

function idOf(flag: "-u" | "-g"): number {
  return Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }));
}

/** The `postgres` OS user, created (system user, no home, no shell) if the machine has none. */
export function postgresOsUser(): OsUser {
  try {
    return { uid: idOf("-u"), gid: idOf("-g") };
  } catch {
    // no such user yet
  }
  const groupExists = spawnSync("getent", ["group", "postgres"]).status === 0;
  try {
    execFileSync(
      "useradd",
      [
        "--system",
        "--no-create-home",
        "--shell",
        "/usr/sbin/nologin",
        ...(groupExists ? ["-g", "postgres"] : ["-U"]),
        "postgres",
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    return { uid: idOf("-u"), gid: idOf("-g") };
  } catch (error) {
    throw new Error(
      `Running as root, the embedded PostgreSQL needs an OS user \`postgres\`, and creating it failed ` +
        `(${(error as Error).message.trim()}). Create it (\`useradd --system -U postgres\`) or set DATABASE_URL.`,
    );
  }
}

/** Whether `user` can search (`x`) the directory or run the file at `target`, every parent included. */
export function canReach(user: OsUser, target: string): boolean {
  return spawnSync("test", ["-x", target], { uid: user.uid, gid: user.gid, cwd: "/", stdio: "ignore" }).status === 0;
}

function prepareRuntimeRoot(): void {
  try {
    fs.mkdirSync(RUNTIME_ROOT, { recursive: true, mode: 0o755 });
    fs.accessSync(RUNTIME_ROOT, fs.constants.W_OK);
  } catch (error) {
    throw new Error(`${RUNTIME_ROOT} cannot be used (${(error as Error).message}). ${WHAT_TO_DO}`);
  }
}

/**
 * The PostgreSQL installation (bin/, lib/, share/) at `nativeDir`, or a copy of it under
 * /var/lib/stockpulse (made once per version, ~60 MB) when `user` cannot reach `nativeDir`.
 */
export function reachableBinaries(user: OsUser, nativeDir: string, version: string): string {
  if (canReach(user, path.join(nativeDir, "bin", "postgres"))) return nativeDir;
  prepareRuntimeRoot();
  const copy = path.join(RUNTIME_ROOT, `postgresql-${version}`);
  if (!fs.existsSync(copy)) {
    const partial = `${copy}.partial-${process.pid}`;
    fs.cpSync(nativeDir, partial, { recursive: true, verbatimSymlinks: true });
    try {
      fs.renameSync(partial, copy);
    } catch (error) {
      fs.rmSync(partial, { recursive: true, force: true });
      // another process made the same copy meanwhile
      if (!fs.existsSync(copy)) throw error;
    }
  }
  if (!canReach(user, path.join(copy, "bin", "postgres"))) {
    throw new Error(`The postgres user cannot run the PostgreSQL binaries copied to ${copy}. ${WHAT_TO_DO}`);
  }
  return copy;
}

/**
 * Where the data that belongs in `dir` is kept: `dir` itself when `user` can enter it, else a
 * directory under /var/lib/stockpulse named after `dir` (the same one on every start, so the data
 * survives restarts). Its `cluster/` subdirectory belongs to `user` with mode 700.
 */
export function reachableDataDir(user: OsUser, dir: string): string {
  if (canReach(user, dir)) return dir;
  prepareRuntimeRoot();
  const resolved = path.resolve(dir);
  const readable = resolved
    .split(path.sep)
    .slice(-3)
    .join("-")
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .slice(0, 60);
  const hash = createHash("sha256").update(resolved).digest("hex").slice(0, 12);
  const relocated = path.join(RUNTIME_ROOT, "data", `${readable}-${hash}`);
  fs.mkdirSync(relocated, { recursive: true, mode: 0o755 });
  if (!canReach(user, relocated)) {
    throw new Error(`The postgres user cannot enter ${relocated}. ${WHAT_TO_DO}`);
  }
  return relocated;
}
