import { requireAdminPage } from "@/lib/auth/page-access";
import { findOr404 } from "@/lib/page-lookup";
import { fetchProduct } from "@/lib/products/queries";
import { productIdSchema } from "@/lib/products/validation";

// Who may see it, then whether the product exists, settled here before loading.tsx streams, so a
// redirect, 403 or 404 keeps its status; who first, so a 404 tells a stranger nothing.
export default async function ProductAdminLayout({ children, params }: LayoutProps<"/admin/products/[id]">) {
  await requireAdminPage();
  await findOr404((await params).id, productIdSchema, fetchProduct);
  return children;
}
