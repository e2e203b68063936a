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
  console.error("unexpected error", error);
  return { status: 500, body: { error: { code: "INTERNAL", message: "Internal server error" } } };
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

export const MAX_BODY_BYTES = 16 * 1024;

/** What readJson needs of a request: a web `Request`, or node:http's (lib/products/transport-node.ts). */
export type BodySource = {
  headers: { get(name: string): string | null };
  body: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array> | null;
};

/** The body as text, refusing (413) past MAX_BODY_BYTES without reading more than that. */
async function readLimited(request: BodySource): Promise<string> {
  const tooLarge = () =>
    new ApiError(413, "BODY_TOO_LARGE", `Request body is larger than ${MAX_BODY_BYTES / 1024} KiB`);
  if (Number(request.headers.get("content-length") ?? 0) > MAX_BODY_BYTES) throw tooLarge();
  if (!request.body) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of request.body as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > MAX_BODY_BYTES) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Reads a JSON body; anything else is a 4xx that says what was wrong. */
export async function readJson(request: BodySource): Promise<unknown> {
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new ApiError(415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type must be application/json");
  }
  const text = await readLimited(request);
  if (text.trim() === "") throw new ApiError(400, "INVALID_JSON", "Request body is empty; expected a JSON object");
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, "INVALID_JSON", "Request body is not valid JSON");
  }
}
