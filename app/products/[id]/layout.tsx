import { requirePageReader } from "@/lib/auth/page-access";
import { findOr404 } from "@/lib/page-lookup";
import { fetchProduct } from "@/lib/products/queries";
import { productIdSchema } from "@/lib/products/validation";

// Who may read and whether the product exists are settled here, before loading.tsx streams, so
// a sign-in redirect and a 404 keep their status.
export default async function ProductLayout({ children, params }: LayoutProps<"/products/[id]">) {
  await requirePageReader();
  await findOr404((await params).id, productIdSchema, fetchProduct);
  return children;
}
