// TRACE: no StockPulse route answers it, and Next cannot even represent it (the web Request it
// builds refuses the method: a 500 with a stack trace in the log). The production server refuses
// it up front with a 405 in the API's error shape. (Node's own parser already refuses TRACK, and
// CONNECT never reaches a request handler.)
import type { IncomingMessage, ServerResponse } from "node:http";
import { ApiError } from "@/lib/errors";
import { sendError } from "@/lib/http/node";

const UNSUPPORTED = new Set(["TRACE"]);
const SUPPORTED = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";

/** Answers `req` with 405 and returns true when its method is one nothing here serves. */
export function refuseUnsupportedMethod(req: IncomingMessage, res: ServerResponse): boolean {
  if (!UNSUPPORTED.has(req.method ?? "")) return false;
  sendError(
    res,
    new ApiError(405, "METHOD_NOT_ALLOWED", `${req.method} is not supported by this server`, undefined, {
      Allow: SUPPORTED,
    }),
  );
  return true;
}
