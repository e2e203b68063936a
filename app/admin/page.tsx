import { Suspense } from "react";
import { AdminProducts } from "@/components/admin-products";
import { PageSkeleton } from "@/components/page-skeleton";
import { fetchProductSnapshot } from "@/lib/products/queries";

export default function AdminPage() {
  return (
    <Suspense fallback={<PageSkeleton title="Manage products" what="products" />}>
      <AdminProductList />
    </Suspense>
  );
}

async function AdminProductList() {
  return <AdminProducts initial={await fetchProductSnapshot()} />;
}
