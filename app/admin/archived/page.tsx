import { ArchivedProducts } from "@/components/archive/archived-products";
import { fetchProductSnapshot } from "@/lib/products/queries";

// The archived products, each with Restore. Server-rendered: a restore refreshes the page.
export default async function ArchivedProductsPage() {
  const { products } = await fetchProductSnapshot({ archived: "true" });
  return <ArchivedProducts products={products} />;
}
