import { notFound } from "next/navigation";
import { ProductDetail } from "@/components/product-detail";
import { pageUser, requirePageReader } from "@/lib/auth/page-access";
import { fetchProductSnapshot, findProduct } from "@/lib/products/queries";
import { productIdSchema } from "@/lib/products/validation";

export default async function ProductPage({ params }: PageProps<"/products/[id]">) {
  await requirePageReader();
  const parsed = productIdSchema.safeParse((await params).id);
  if (!parsed.success) notFound();
  const id = parsed.data;
  // The product on its own: an archived one is not in the (active) snapshot but keeps its page.
  const [snapshot, loaded, user] = await Promise.all([fetchProductSnapshot(), findProduct(id), pageUser()]);
  if (!loaded) notFound();
  return (
    <ProductDetail initial={snapshot} loaded={loaded} isAdmin={user?.role === "admin"} canSeeAudit={user !== null} />
  );
}
