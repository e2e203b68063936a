import { notFound } from "next/navigation";
import { ProductDetail } from "@/components/product-detail";
import { currentUser, requirePageReader } from "@/lib/auth/guards";
import { fetchProductSnapshot } from "@/lib/products/queries";
import { productIdSchema } from "@/lib/products/validation";

export default async function ProductPage({ params }: PageProps<"/products/[id]">) {
  await requirePageReader();
  const parsed = productIdSchema.safeParse((await params).id);
  if (!parsed.success) notFound();
  const id = parsed.data;
  const snapshot = await fetchProductSnapshot();
  const loaded = snapshot.products.find((product) => product.id === id);
  if (!loaded) notFound();
  return <ProductDetail initial={snapshot} loaded={loaded} canSeeAudit={(await currentUser()) !== null} />;
}
