// One place that turns errors into the error shape of docs/design.md:
// {"error": {"code", "message", "requestId", "issues"?}}, and logs each: a refusal (4xx) at info,
// a failure (5xx) at error. Unexpected errors are logged with their stack, never sent.
import { NextResponse } from "next/server";
import { ZodError } from "zod";
import { REQUEST_ID_HEADER, requestIdUnderNext } from "@/lib/http/request-id";
import { currentRequest, log, withRequest } from "@/lib/log";

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

/**
 * What to answer for a thrown error, whatever serves the response (Next or node:http), with the
 * current request's id; logged here, once per answer.
 */
export function errorReply(error: unknown): ErrorReply {
  const request = currentRequest();
  const where = { method: request?.method, path: request?.path };
  const reply = replyFor(error, where);
  if (request) reply.body.error.requestId = request.requestId;
  const { status } = reply;
  const { code } = reply.body.error;
  // The code, never the message: a message may quote what the client sent (a body that is not
  // JSON, say, with a password in it).
  if (status < 500) log.info({ status, code, ...where }, "request refused");
  // A 5xx of ours (STREAM_LIMIT_REACHED) comes in floods and says the same each time: one line
  // per code a minute. replyFor logged the others: an outage alike, a bug with its stack.
  else if (error instanceof ApiError) logOncePerMinute(code, { status, code, ...where }, "request failed");
  return reply;
}

/** The error body of a stored answer (an idempotent replay), with this request's id instead of its first one's. */
export function withCurrentRequestId(body: unknown): unknown {
  const request = currentRequest();
  const error = (body as { error?: unknown } | null)?.error;
  if (!request || typeof error !== "object" || error === null) return body;
  return { ...(body as object), error: { ...error, requestId: request.requestId } };
}

/** An answer's body as kept for replays: without the id of the request that first got it. */
export function withoutRequestId(body: unknown): unknown {
  const error = (body as { error?: unknown } | null)?.error;
  if (typeof error !== "object" || error === null || !("requestId" in error)) return body;
  const { requestId: _requestId, ...rest } = error as Record<string, unknown>;
  return { ...(body as object), error: rest };
}

type Where = { method?: string; path?: string };

function replyFor(error: unknown, where: Where): ErrorReply {
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
    logOncePerMinute(unavailable, { status: 503, ...where }, `database unavailable (${unavailable}): answering 503`);
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
  log.error({ status: 500, ...where, err: error }, "unexpected error: answering 500");
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
function logOncePerMinute(kind: string, fields: Record<string, unknown>, line: string) {
  const lastLogged = ((globalThis as { stockpulseOutageLog?: Map<string, number> }).stockpulseOutageLog ??= new Map());
  const now = Date.now();
  if (now - (lastLogged.get(kind) ?? -Infinity) < 60_000) return;
  lastLogged.set(kind, now);
  log.error(fields, `${line} (further ones this minute not logged)`);
}

function errorResponse(error: unknown): NextResponse {
  const { status, body, headers } = errorReply(error);
  return NextResponse.json(body, { status, headers });
}

/**
 * Wraps a route handler so that every thrown error leaves as the documented JSON shape, and the
 * handler runs as its request, under its id (lib/http/request-id.ts): in its log lines, its
 * error body and its X-Request-Id response header.
 */
export function withErrors<Rest extends unknown[]>(handler: (request: Request, ...rest: Rest) => Promise<Response>) {
  return (request: Request, ...rest: Rest): Promise<Response> => {
    const requestId = requestIdUnderNext(request.headers.get(REQUEST_ID_HEADER));
    const context = { requestId, method: request.method, path: new URL(request.url).pathname };
    return withRequest(context, async () => {
      let response: Response;
      try {
        response = await handler(request, ...rest);
      } catch (error) {
        response = errorResponse(error);
      }
      response.headers.set(REQUEST_ID_HEADER, requestId);
      return response;
    });
  };
}
