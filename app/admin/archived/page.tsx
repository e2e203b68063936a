import { ArchivedProducts } from "@/components/archive/archived-products";
import { archivedProductsForAdmin } from "@/lib/products/pages";

// The archived products, each with Restore. Server-rendered: a restore refreshes the page.
export default async function ArchivedProductsPage() {
  return <ArchivedProducts products={await archivedProductsForAdmin()} />;
}
