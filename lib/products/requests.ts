// The product API's write requests, independent of what serves them: the route handlers (Next)
// and the production server's node:http transport (transport-node.ts) run the same steps in
// the same order, so both answer a request the same way.
import { requireAdmin, type HeaderSource } from "@/lib/auth/guards";
import { readJson, readOptionalJson, type BodySource } from "@/lib/http/read-json";
import { idempotencyKey, idempotentWrite, type Reply } from "@/lib/products/idempotency";
import { adjustStock, setArchived } from "@/lib/products/mutations";
import { archiveSchema, parseProductIdParam, stockAdjustmentSchema } from "@/lib/products/validation";

/**
 * POST /api/v1/products/{id}/stock-adjustments: who asks, the Idempotency-Key, which product,
 * then the body; applied once per key (lib/products/idempotency.ts).
 */
export async function stockAdjustmentRequest(request: HeaderSource & BodySource, id: string): Promise<Reply> {
  const caller = await requireAdmin(request);
  const key = idempotencyKey(request);
  const productId = parseProductIdParam(id);
  const body = await readJson(request);
  const input = stockAdjustmentSchema.parse(body);
  const route = `POST /api/v1/products/${productId}/stock-adjustments`;
  return idempotentWrite({ caller, key, route, body }, async (via) => ({
    status: 200,
    body: await adjustStock(productId, input, caller, via),
  }));
}

/**
 * POST /api/v1/products/{id}/archive (`archive`) and /restore: the same steps as a stock
 * adjustment; the body (`{"reason"}`) may be left out.
 */
export async function archiveRequest(request: HeaderSource & BodySource, id: string, archive: boolean): Promise<Reply> {
  const caller = await requireAdmin(request);
  const key = idempotencyKey(request);
  const productId = parseProductIdParam(id);
  const body = await readOptionalJson(request);
  const input = archiveSchema.parse(body);
  const route = `POST /api/v1/products/${productId}/${archive ? "archive" : "restore"}`;
  return idempotentWrite({ caller, key, route, body }, async (via) => ({
    status: 200,
    body: await setArchived(productId, archive, input, caller, via),
  }));
}
