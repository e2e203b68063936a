// What the node:http transports of the production server (scripts/server.ts) share: the headers
// Next would have given an /api response, request headers behind a web-style `get()`, and JSON
// answers in the API's error shape.
import type { IncomingMessage, ServerResponse } from "node:http";
import { errorReply } from "@/lib/errors";
import { API_SECURITY_HEADERS, COMMON_SECURITY_HEADERS } from "@/lib/http/security-headers";

/**
 * The headers Next gives every /api response (next.config.js's, and the Vary of its router);
 * the node:http transports send them themselves, so a proxy or cache sees both servers alike.
 */
export const API_HEADERS: Record<string, string> = {
  ...Object.fromEntries([...COMMON_SECURITY_HEADERS, ...API_SECURITY_HEADERS].map(({ key, value }) => [key, value])),
  Vary: "rsc, next-router-state-tree, next-router-prefetch, next-router-segment-prefetch",
};

/** Node's headers behind the `get()` of a web Headers (lowercase names, repeated ones joined). */
export const nodeHeaders = (req: IncomingMessage) => ({
  get(name: string): string | null {
    const value = req.headers[name.toLowerCase()];
    return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
  },
});

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { ...API_HEADERS, ...headers, "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
}

/** Answers a thrown error as the route handlers do (lib/errors.ts); cuts the response if it has begun. */
export function sendError(res: ServerResponse, error: unknown) {
  const { status, body, headers } = errorReply(error);
  if (res.headersSent) res.destroy();
  else sendJson(res, status, body, headers);
}
