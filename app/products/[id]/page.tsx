import { notFound } from "next/navigation";
import { ProductDetail } from "@/components/product-detail";
import { fetchProductSnapshot } from "@/lib/products/queries";

export const dynamic = "force-dynamic";

export default async function ProductPage({ params }: { params: Promise<{ id: string }> }) {
  const id = Number((await params).id);
  const snapshot = await fetchProductSnapshot();
  const loaded = snapshot.products.find((product) => product.id === id);
  if (!loaded) notFound();
  return <ProductDetail initial={snapshot} loaded={loaded} />;
}
