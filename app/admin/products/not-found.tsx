import { PageNotice } from "@/components/page-notice";

// A product id that is malformed or names no product (app/admin/products/[id]/layout.tsx).
export default function AdminProductNotFound() {
  return (
    <PageNotice title="No such product" back={{ href: "/admin", label: "Back to the product list" }}>
      <p>No product has this id: the link may be wrong, or the product was removed.</p>
    </PageNotice>
  );
}
