import { ProductTable } from "@/components/product-table/product-table";
import { fetchProductSnapshot } from "@/lib/products/queries";

export const dynamic = "force-dynamic";

// The live dashboard: rendered from a snapshot on the server, then kept live in the browser.
export default async function DashboardPage() {
  const snapshot = await fetchProductSnapshot();
  return <ProductTable initial={snapshot} />;
}
