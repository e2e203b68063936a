import { requireReader } from "@/lib/auth/guards";
import { env } from "@/lib/env";
import { apiRoute } from "@/lib/http/api-route";
import { csvResponse, productColumns } from "@/lib/products/csv";
import { singleValuedQuery } from "@/lib/http/query";
import { productPagesInView } from "@/lib/products/queries";
import { productViewQuerySchema } from "@/lib/products/view";

// GET /api/v1/products.csv?q=&filter=&sort=&dir= - the dashboard's view (or all products) as CSV,
// in the dashboard's order, streamed
export const GET = apiRoute(async (request: Request) => {
  await requireReader(request);
  const params = new URL(request.url).searchParams;
  const view = productViewQuerySchema.parse(singleValuedQuery(params, Object.keys(productViewQuerySchema.shape)));
  const pages = productPagesInView(view, env().DISPLAY_LOCALE);
  return csvResponse(request, "products", productColumns(), pages);
});
