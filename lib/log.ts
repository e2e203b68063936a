// The server's one logger (pino): JSON lines in production, readable lines in development
// (pino-pretty), at LOG_LEVEL. Every line written while a request is served carries that
// request's id (requestId), taken from the request context below, whatever wrote it.
//
// One logger and one request context per process, on globalThis: the production server loads
// lib twice (Next's bundle and scripts/server.ts's own copy), and two pino instances would be
// two buffered writers on one stdout, free to interleave a long line of one with the other's.
import { AsyncLocalStorage } from "node:async_hooks";
import pino, { type Logger } from "pino";
import pretty from "pino-pretty";
import { LOG_LEVELS, type LogLevel } from "@/lib/env";

/** What every log line written while serving a request knows about it. */
export type RequestContext = {
  requestId: string;
  /** Method and path (no query string), for the lines that describe the request itself. */
  method: string;
  path: string;
};

// Secrets must never reach a log line. Nothing here logs headers, bodies or credentials
// wholesale; these are the guard for an object that slips through with one of them inside.
const REDACTED_PATHS = [
  "password",
  "token",
  "secret",
  "authorization",
  "cookie",
  "*.password",
  "*.token",
  "*.secret",
  "*.authorization",
  "*.cookie",
  "*.headers.authorization",
  "*.headers.cookie",
  '*.headers["set-cookie"]',
  '*.headers["x-api-key"]',
];

/**
 * LOG_LEVEL as lib/env.ts validates it. Read here without env(): the logger must be able to
 * report that the environment is invalid, and an invalid LOG_LEVEL is one of the reasons.
 */
function level(): LogLevel {
  const wanted = process.env.LOG_LEVEL;
  return (LOG_LEVELS as readonly string[]).includes(wanted ?? "") ? (wanted as LogLevel) : "info";
}

function createLogger(requests: AsyncLocalStorage<RequestContext>): Logger {
  const options: pino.LoggerOptions = {
    level: level(),
    redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
    // "level":"info" rather than 30, and an ISO time: lines people read as well as machines.
    formatters: { level: (label) => ({ level: label }) },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin: () => {
      const request = requests.getStore();
      return request ? { requestId: request.requestId } : {};
    },
  };
  if (process.env.NODE_ENV === "production") return pino(options);
  // Development: one readable line each, written at once (no worker thread: it would have to
  // find pino-pretty from inside Next's bundle, and a developer reads the lines as they come).
  return pino(
    options,
    pretty({ sync: true, translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname", singleLine: true }),
  );
}

type Shared = { logger: Logger; requests: AsyncLocalStorage<RequestContext> };
const shared = ((globalThis as unknown as { stockpulseLog?: Shared }).stockpulseLog ??= (() => {
  const requests = new AsyncLocalStorage<RequestContext>();
  return { requests, logger: createLogger(requests) };
})());

export const log: Logger = shared.logger;

/** Runs `serve` with `context` as the current request: every line it logs carries the id. */
export function withRequest<T>(context: RequestContext, serve: () => T): T {
  return shared.requests.run(context, serve);
}

/** The request being served, or undefined outside one (start-up, the feed's listener, timers). */
export function currentRequest(): RequestContext | undefined {
  return shared.requests.getStore();
}

/**
 * Runs `run` outside any request: for work a request only sets going (the webhook deliverer's
 * timers, a pooled connection's events), whose later lines must not carry that request's id.
 */
export function outsideRequest<T>(run: () => T): T {
  return shared.requests.exit(run);
}
