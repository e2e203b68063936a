// The product API's write requests, independent of what serves them: the route handlers (Next)
// and the production server's node:http transport (transport-node.ts) run the same steps in
// the same order, so both answer a request the same way.
import { requireAdmin, type HeaderSource } from "@/lib/auth/guards";
import { readJson, type BodySource } from "@/lib/http/read-json";
import type { ProductDto } from "@/lib/products/dto";
import { adjustStock } from "@/lib/products/mutations";
import { productIdSchema, stockAdjustmentSchema } from "@/lib/products/validation";

/** POST /api/v1/products/{id}/stock-adjustments: who asks, then which product, then the body. */
export async function stockAdjustmentRequest(request: HeaderSource & BodySource, id: string): Promise<ProductDto> {
  const actor = await requireAdmin(request);
  const productId = productIdSchema.parse(id);
  const input = stockAdjustmentSchema.parse(await readJson(request));
  return adjustStock(productId, input, actor);
}
