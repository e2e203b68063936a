import { findOr404 } from "@/lib/page-lookup";
import { fetchProduct } from "@/lib/products/queries";
import { productIdSchema } from "@/lib/products/validation";

// Whether the product exists is settled here, before loading.tsx streams, so a 404 keeps its status.
export default async function ProductAdminLayout({ children, params }: LayoutProps<"/admin/products/[id]">) {
  await findOr404((await params).id, productIdSchema, fetchProduct);
  return children;
}
