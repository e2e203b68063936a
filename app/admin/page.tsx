import { AdminProducts } from "@/components/admin-products";
import { fetchProductSnapshot } from "@/lib/products/queries";

export const dynamic = "force-dynamic";

export default async function AdminPage() {
  return <AdminProducts initial={await fetchProductSnapshot()} />;
}
