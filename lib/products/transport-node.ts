// The write path over node:http, for the production server (scripts/server.ts): a stock
// adjustment is a few hundred bytes in and out, and under `next start` Next's request and
// response plumbing (web Request, route matching, tracing, web-stream body pipes) cost more CPU
// than everything StockPulse and PostgreSQL's client do for it (bench/writes.ts). Same steps as
// the route handler (lib/products/requests.ts), same status, headers and body.
import type { IncomingMessage, ServerResponse } from "node:http";
import { nodeHeaders, sendError, sendJson } from "@/lib/http/node";
import { admitRequest } from "@/lib/http/request-limits";
import { stockAdjustmentRequest } from "@/lib/products/requests";

const STOCK_ADJUSTMENT_PATH = /^\/api\/v1\/products\/([^/]+)\/stock-adjustments$/;

/**
 * The product id segment when `req` is a stock adjustment (POST) this transport serves, else
 * null (the request goes to Next, which answers other methods and odd paths as it always has).
 */
export function stockAdjustmentTarget(req: IncomingMessage): string | null {
  if (req.method !== "POST") return null;
  const match = STOCK_ADJUSTMENT_PATH.exec(req.url?.split("?", 1)[0] ?? "");
  if (!match) return null;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return null;
  }
}

export async function handleStockAdjustment(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
  try {
    const headers = nodeHeaders(req);
    await admitRequest(headers, req.socket.remoteAddress ?? null);
    const { status, body, headers: replyHeaders } = await stockAdjustmentRequest({ headers, body: req }, id);
    sendJson(res, status, body, replyHeaders);
  } catch (error) {
    sendError(res, error);
  }
}
