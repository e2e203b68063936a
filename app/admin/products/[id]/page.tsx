import { notFound } from "next/navigation";
import { ProductAdmin } from "@/components/product-admin";
import { fetchProductSnapshot } from "@/lib/products/queries";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ id: string }>; searchParams: Promise<{ created?: string }> };

export default async function ProductAdminPage({ params, searchParams }: Props) {
  const id = Number((await params).id);
  const snapshot = await fetchProductSnapshot();
  const loaded = snapshot.products.find((product) => product.id === id);
  if (!loaded) notFound();
  return <ProductAdmin initial={snapshot} loaded={loaded} created={(await searchParams).created === "1"} />;
}
