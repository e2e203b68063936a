import { Suspense } from "react";
import { AdminProducts } from "@/components/admin-products";
import { PageSkeleton } from "@/components/page-skeleton";
import { requireAdminPage } from "@/lib/auth/page-access";
import { fetchProductSnapshot } from "@/lib/products/queries";

// Settled before the skeleton streams, so a sign-in redirect and a 403 keep their status.
export default async function AdminPage() {
  await requireAdminPage();
  return (
    <Suspense fallback={<PageSkeleton title="Manage products" what="products" />}>
      <AdminProductList />
    </Suspense>
  );
}

async function AdminProductList() {
  return <AdminProducts initial={await fetchProductSnapshot()} />;
}
