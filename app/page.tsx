import { ProductTable } from "@/components/product-table";
import { requirePageReader } from "@/lib/auth/guards";
import { fetchProductSnapshot } from "@/lib/products/queries";

export const dynamic = "force-dynamic";

// The live dashboard: rendered from a snapshot on the server, then kept live in the browser.
export default async function DashboardPage() {
  await requirePageReader();
  const snapshot = await fetchProductSnapshot();
  return <ProductTable initial={snapshot} />;
}
