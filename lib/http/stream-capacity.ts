// How many long-lived responses (feed streams and CSV exports) one instance holds at once. Each
// holds a socket, and a process may have only RLIMIT_NOFILE files open: past it every accept()
// fails and every new connection (API, health, dashboard, writes) is reset. So the limit sits
// below the file limit, with room for what must keep working there: the database pool and the
// LISTEN connection, Next's own files, writes, health checks and the sockets of requests in flight.
// Node has no getrlimit; Linux shows the soft limit in /proc/self/limits.
import fs from "node:fs";

/** Files kept free for everything that is not a stream: at least this many... */
export const MIN_RESERVED_FILES = 256;
/** ...or this share of the file limit, whichever is more. */
export const RESERVED_SHARE = 0.1;
/** Where the file limit cannot be read (not Linux): the usual soft default of Linux. */
export const ASSUMED_FILE_LIMIT = 1024;
/** An unlimited soft limit is bounded by the kernel's nr_open (Linux's default). */
const UNLIMITED_FILES = 1_048_576;

/** The soft RLIMIT_NOFILE of this process from /proc/self/limits' text; null where it is not there. */
export function parseOpenFileLimit(limits: string): number | null {
  const match = /^Max open files\s+(\d+|unlimited)\s/m.exec(limits);
  if (!match) return null;
  return match[1] === "unlimited" ? UNLIMITED_FILES : Number(match[1]);
}

/** This process's soft limit on open files, or null where the system does not tell. */
export function openFileLimit(): number | null {
  try {
    return parseOpenFileLimit(fs.readFileSync("/proc/self/limits", "utf8"));
  } catch {
    return null;
  }
}

export type StreamCapacity = {
  /** Streams and exports this instance holds at once; the next one gets 503. */
  maxStreams: number;
  /** The open-file limit it was derived from (ASSUMED_FILE_LIMIT where unknown). */
  fileLimit: number;
  /** Where the figure comes from, for the start-up log. */
  source: "MAX_OPEN_STREAMS" | "open-file limit";
};

/**
 * The global stream limit for a file limit: the file limit less max(256, 10%) files, or
 * `configured` (MAX_OPEN_STREAMS) when set. A configured limit that leaves fewer than 256 files
 * free, or a file limit too low for any stream, is an error naming it (the server does not start).
 */
export function streamCapacity(fileLimit: number | null, configured?: number): StreamCapacity {
  const files = fileLimit ?? ASSUMED_FILE_LIMIT;
  const derived = files - Math.max(MIN_RESERVED_FILES, Math.ceil(files * RESERVED_SHARE));
  if (configured !== undefined) {
    const most = files - MIN_RESERVED_FILES;
    if (configured > most)
      throw new Error(
        `MAX_OPEN_STREAMS=${configured} leaves too few of this process's ${files} open files (RLIMIT_NOFILE) for the database, writes and health: at most ${most}`,
      );
    return { maxStreams: configured, fileLimit: files, source: "MAX_OPEN_STREAMS" };
  }
  if (derived < 1)
    throw new Error(
      `This process may open only ${files} files (RLIMIT_NOFILE): too few to serve streams; raise it (ulimit -n) or set MAX_OPEN_STREAMS`,
    );
  return { maxStreams: derived, fileLimit: files, source: "open-file limit" };
}
