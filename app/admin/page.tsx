import { AdminProducts } from "@/components/admin-products";
import { fetchProductSnapshot } from "@/lib/products/queries";

export default async function AdminPage() {
  return <AdminProducts initial={await fetchProductSnapshot()} />;
}
