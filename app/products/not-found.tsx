import { PageNotice } from "@/components/page-notice";

// A product id that is malformed or names no product (app/products/[id]/layout.tsx).
export default function ProductNotFound() {
  return (
    <PageNotice title="No such product" back={{ href: "/", label: "← All products" }}>
      <p>No product has this id: the link may be wrong, or the product was removed.</p>
    </PageNotice>
  );
}
