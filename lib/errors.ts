// One place that turns errors into the error shape of docs/design.md:
// {"error": {"code", "message", "issues"?}}. Unexpected errors are logged, never sent.
import { NextResponse } from "next/server";
import { ZodError } from "zod";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new ApiError(404, "NOT_FOUND", `${what} not found`);

type Issue = { path: string; message: string };

function describeIssues(error: ZodError): Issue[] {
  return error.issues.map((issue) => ({ path: issue.path.join(".") || "(body)", message: issue.message }));
}

export type ErrorReply = {
  status: number;
  body: { error: { code: string; message: string; [detail: string]: unknown } };
  headers?: Record<string, string>;
};

/** What to answer for a thrown error, whatever serves the response (Next or node:http). */
export function errorReply(error: unknown): ErrorReply {
  if (error instanceof ApiError) {
    return {
      status: error.status,
      body: { error: { code: error.code, message: error.message, ...error.details } },
      headers: error.headers,
    };
  }
  if (error instanceof ZodError) {
    const issues = describeIssues(error);
    const message = issues.map((issue) => `${issue.path}: ${issue.message}`).join("; ");
    return { status: 400, body: { error: { code: "VALIDATION_FAILED", message, issues } } };
  }
  const unavailable = databaseUnavailable(error);
  if (unavailable) {
    logOncePerMinute(unavailable, `database unavailable (${unavailable}): answering 503`);
    return {
      status: 503,
      body: { error: { code: "DATABASE_UNAVAILABLE", message: "The database cannot be reached; try again shortly" } },
      headers: { "retry-after": String(DATABASE_RETRY_SECONDS) },
    };
  }
  if (sqlStates(error).has(CHARACTER_NOT_IN_REPERTOIRE)) {
    return {
      status: 400,
      body: { error: { code: "VALIDATION_FAILED", message: "Text must be valid UTF-8 without NUL characters" } },
    };
  }
  console.error("unexpected error", error);
  return { status: 500, body: { error: { code: "INTERNAL", message: "Internal server error" } } };
}

const DATABASE_RETRY_SECONDS = 5;
// PostgreSQL refuses a NUL byte or a lone surrogate in text (SQLSTATE 22021). Validation
// catches them first; this keeps any other path from answering 500.
const CHARACTER_NOT_IN_REPERTOIRE = "22021";

/** Every `code` along an error's cause chain (pg's SQLSTATE or errno, Prisma's P-codes). */
function sqlStates(error: unknown): Set<string> {
  const codes = new Set<string>();
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0) {
    const current = queue.shift();
    if (typeof current !== "object" || current === null || seen.has(current)) continue;
    seen.add(current);
    const { code, originalCode, cause, meta } = current as Record<string, unknown>;
    for (const value of [code, originalCode]) if (typeof value === "string") codes.add(value);
    queue.push(cause, (meta as Record<string, unknown> | undefined)?.driverAdapterError);
  }
  return codes;
}

// Connection failures as pg and Prisma report them: socket errors, PostgreSQL shutting down or
// starting (57P01-57P03), connection exceptions (class 08), Prisma's "cannot reach" codes.
const UNREACHABLE_CODES =
  /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|57P0[1-3]|08\w{3}|P1001|P1002|P1017|P2024)$/;
const UNREACHABLE_MESSAGES =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error/i;

/** A short name of the connection failure behind `error`, or null when the database answered. */
function databaseUnavailable(error: unknown): string | null {
  for (const code of sqlStates(error)) if (UNREACHABLE_CODES.test(code)) return code;
  for (let current = error; current instanceof Error; current = current.cause) {
    if (UNREACHABLE_MESSAGES.test(current.message)) return current.message.split("\n", 1)[0].slice(0, 80);
  }
  return null;
}

// During an outage every request fails the same way: one line per kind a minute, not a stack each.
// On globalThis: the production server loads this module twice (Next's bundle and its own copy).
function logOncePerMinute(kind: string, line: string) {
  const lastLogged = ((globalThis as { stockpulseOutageLog?: Map<string, number> }).stockpulseOutageLog ??= new Map());
  const now = Date.now();
  if (now - (lastLogged.get(kind) ?? -Infinity) < 60_000) return;
  lastLogged.set(kind, now);
  console.error(`${line} (further ones this minute not logged)`);
}

function errorResponse(error: unknown): NextResponse {
  const { status, body, headers } = errorReply(error);
  return NextResponse.json(body, { status, headers });
}

/** Wraps a route handler so that every thrown error leaves as the documented JSON shape. */
export function withErrors<Args extends unknown[]>(handler: (...args: Args) => Promise<Response>) {
  return async (...args: Args): Promise<Response> => {
    try {
      return await handler(...args);
    } catch (error) {
      return errorResponse(error);
    }
  };
}
