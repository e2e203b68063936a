import { ProductTable } from "@/components/product-table/product-table";
import { fetchProductSnapshot } from "@/lib/products/queries";

// Read per request. Every other page and route is dynamic by itself (route handlers are, and the
// layouts read the session cookie; `next build` lists them all as ƒ without this), but this one
// must not become a build-time snapshot should the root layout ever stop reading cookies.
export const dynamic = "force-dynamic";

// The live dashboard: rendered from a snapshot on the server, then kept live in the browser.
export default async function DashboardPage() {
  const snapshot = await fetchProductSnapshot();
  return <ProductTable initial={snapshot} />;
}
